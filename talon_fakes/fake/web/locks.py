"""What keeps requests from stepping on each other: per-session locks, Idempotency-Key answers.

The spec declares 409 on the PUT alone ("parallel requests lead to 409"), so an update that finds
its session busy gets it, as the real API answers; returns and reopen, which declare no 409, wait
their turn instead. A return with an ``Idempotency-Key`` gets the first answer to that key again,
for 24 hours (the spec's lifetime), and only for the same request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from talon_fakes.fake.domain import wire
from talon_fakes.fake.web.calls import Call, HttpError, bad

SessionKey = tuple[int, str]  # (application ID, session integration ID)

#: How long the spec keeps the answer to an Idempotency-Key.
REPLY_LIFETIME = timedelta(hours=24)


class SessionLocks:
    """One lock per session that a request is changing; an entry lives while someone uses it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: dict[SessionKey, list[Any]] = {}  # key -> [lock, holders and waiters]

    def acquire(self, key: SessionKey, *, wait: bool) -> bool:
        """Take the session's lock (waiting for it, or not); whether it was taken.

        Either way, call :meth:`release` with the answer afterwards.
        """
        with self._guard:
            entry = self._held.get(key)
            if entry is None:
                entry = self._held[key] = [threading.Lock(), 0]
            entry[1] += 1
        lock: threading.Lock = entry[0]
        return lock.acquire(blocking=wait)

    def release(self, key: SessionKey, taken: bool) -> None:
        """Give back what :meth:`acquire` took."""
        with self._guard:
            entry = self._held[key]
            if taken:
                entry[0].release()
            entry[1] -= 1
            if entry[1] == 0:
                del self._held[key]


class Changing:
    """``with Changing(locks, call, key, wait=...)``: hold a session while a request changes it.

    ``wait=False`` (an update) answers 409 when the session is busy; ``wait=True`` (returns,
    reopen) waits its turn. An injected delay is waited out while the session is held, so it stays
    busy meanwhile. (A class: cheaper than a generator's context manager, on every update.)
    """

    __slots__ = ("call", "key", "locks", "taken", "wait")

    def __init__(self, locks: SessionLocks, call: Call, key: SessionKey, *, wait: bool) -> None:
        self.locks, self.call, self.key, self.wait, self.taken = locks, call, key, wait, False

    def __enter__(self) -> None:
        self.taken = self.locks.acquire(self.key, wait=self.wait)
        if not self.taken:
            self.locks.release(self.key, False)
            message = "Too many requests are updating this session at the same time"
            raise HttpError(409, wire.error_with_status(message, 409, title="conflict"))
        if self.call.delay:
            time.sleep(self.call.delay)
            self.call.delay = 0.0  # waited out: the app does not wait again

    def __exit__(self, *exc_info: object) -> None:
        self.locks.release(self.key, self.taken)


@dataclass(frozen=True)
class _Reply:
    """The first answer to an Idempotency-Key, and the request it answered."""

    request: Any
    payload: bytes
    at: datetime


ReplyKey = tuple[int, str, int, str]


class Replies:
    """The answers to Idempotency-Keys, by (application ID, session integration ID, session ID, key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: dict[ReplyKey, _Reply] = {}

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._replies.clear()

    def replay(self, key: ReplyKey, request: Any, now: datetime) -> bytes | None:
        """The answer kept for ``key``, if any; the key with a different ``request`` is a 400.

        ``request`` is whatever identifies a request (its parsed body and parameters).
        """
        with self._lock:
            reply = self._replies.get(key)
            if reply is not None and now - reply.at >= REPLY_LIFETIME:
                del self._replies[key]
                reply = None
        if reply is None:
            return None
        if reply.request != request:
            # The spec is silent. Stripe answers this with a 400 ("Keys for idempotent requests
            # can only be used with the same parameters they were first used with"); the IETF
            # Idempotency-Key draft suggests 422, which this operation does not declare, while its
            # declared 400 carries the error shape that names the header. So: 400.
            message = (
                f"Idempotency-Key {key[3]!r} was first used for a different request to session "
                f"{key[1]!r}; a key can only be reused with the same body and the same dry and "
                "runRuleEngine parameters. Send a new key for a new return."
            )
            raise bad(message, parameter="Idempotency-Key")
        return reply.payload

    def keep(
        self, key: ReplyKey, request: Any, payload: bytes, now: datetime, current: Callable[[], bool]
    ) -> None:
        """Keep ``payload`` as the answer to ``key`` for ``request``, if ``current()`` still holds
        (checked under the lock :meth:`clear` takes: a reset in between keeps nothing), and drop
        the answers whose lifetime is over, so they do not pile up in a long run."""
        with self._lock:
            if not current():
                return
            self._replies[key] = _Reply(request, bytes(memoryview(payload)), now)  # orjson's is oversized
            while self._replies:  # oldest first: keys are kept in the order they came
                oldest = next(iter(self._replies))
                if now - self._replies[oldest].at < REPLY_LIFETIME:
                    break
                del self._replies[oldest]

    def __len__(self) -> int:
        """How many answers are kept."""
        return len(self._replies)
