"""The fake's journal of answered requests, bounded in bytes, and the limits that bound it.

An entry keeps what a user reads (method, raw path, query, headers, status, operation, when and
how long, a capped copy of the request and response bodies), copied out of the request: never the
request object or its WSGI environ, which hold a reference cycle (``environ["werkzeug.request"]``
is the request) that only a full garbage collection frees. So an entry is freed by reference
counting the moment it is evicted or the journal is cleared.

The journal evicts its oldest entries once the entries together pass
:attr:`Limits.journal_bytes` (an estimate counting Python's own overhead, so RSS follows it),
the way WireMock's ``maxRequestJournalEntries`` bounds its request log, but in bytes: a few large
bodies weigh as much as many small ones.
"""

from __future__ import annotations

import ctypes
import json
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson

from talon_fakes.errors import TalonFakesError

_MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much the fake takes in and keeps.

    ``max_body_bytes``: the largest request body it reads; a larger one is answered 413 in
    Talon.One's error shape and not kept. The default, 16 MiB, is far above the API's own limits
    (a session holds at most 1 000 cart items: a full cart of rich items is about 1 MiB).
    ``journal_bytes``: what the journal may hold in all before it drops its oldest entries.
    ``journal_body_bytes``: how much of each request and response body an entry keeps (a longer
    one is cut, and the entry says so: ``body_truncated``, ``response_truncated``).
    """

    max_body_bytes: int = 16 * _MiB
    journal_bytes: int = 64 * _MiB
    journal_body_bytes: int = 1 * _MiB

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "journal_bytes", "journal_body_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TalonFakesError(f"Limits({name}={value!r}): give a whole number of bytes, at least 1")


# What an entry costs beyond its strings: the object, its slots, the header dict, the str headers
# (measured with tracemalloc on CPython 3.11: about 0.6 KiB for a typical entry without bodies).
_ENTRY_OVERHEAD = 400
_STRING_OVERHEAD = 50
_HEADER_OVERHEAD = 2 * _STRING_OVERHEAD + 40


class JournalEntry:
    """One request the fake answered: what a user reads of it, copied out of the request.

    ``body`` and ``response`` are parsed when read, from the kept bytes (``body_bytes``,
    ``response_bytes``, each cut at :attr:`Limits.journal_body_bytes`).
    """

    __slots__ = (
        "_headers",
        "at",
        "body_bytes",
        "body_size",
        "duration",
        "injected",
        "late",
        "method",
        "operation",
        "path",
        "query_string",
        "response_bytes",
        "response_size",
        "seq",
        "status",
    )

    def __init__(
        self,
        *,
        method: str,
        path: str,
        query_string: str,
        headers: Mapping[str, str],
        body: bytes,
        status: int,
        payload: bytes,
        operation: str | None,
        started: float,
        body_limit: int,
        body_size: int | None = None,
        injected: bool = False,
        late: bool = False,
    ) -> None:
        #: The HTTP method.
        self.method = method
        #: The path as sent (percent-encoded), without the query.
        self.path = path
        #: The query as sent.
        self.query_string = query_string
        self._headers = tuple(headers.items())
        # Copies of exactly their length: orjson's answers keep a buffer of several times theirs.
        #: The request body as received, cut at the journal's body limit.
        self.body_bytes = bytes(memoryview(body)[:body_limit])
        #: The request body's full size in bytes (-1: a chunked one refused unread, size unknown).
        self.body_size = len(body) if body_size is None else body_size
        #: The answer's status.
        self.status = status
        #: The response body as sent, cut at the journal's body limit.
        self.response_bytes = bytes(memoryview(payload)[:body_limit])
        #: The response body's full size in bytes.
        self.response_size = len(payload)
        #: The fake's handler that answered (``update_customer_session``); None when unrouted.
        self.operation = operation
        #: When the answer was ready (seconds since the epoch).
        self.at = time.time()
        #: How long the fake took to answer, in seconds (injected delays included).
        self.duration = max(0.0, time.monotonic() - started)
        #: The answer of a fault the test injected, not the API's.
        self.injected = injected
        #: The request began before the last ``reset()`` and was refused (503): it belonged to an
        #: earlier test, and changed nothing.
        self.late = late
        #: Its number since the last reset (0, 1, ...): stable while older entries are evicted.
        self.seq = -1

    @property
    def query(self) -> dict[str, list[str]]:
        """The query parameters."""
        return parse_qs(self.query_string, keep_blank_values=True) if self.query_string else {}

    @property
    def headers(self) -> dict[str, str]:
        """The request headers."""
        return dict(self._headers)

    @property
    def body_truncated(self) -> bool:
        """Whether the request body was longer than the journal keeps."""
        return self.body_size > len(self.body_bytes) or self.body_size < 0

    @property
    def response_truncated(self) -> bool:
        """Whether the response body was longer than the journal keeps."""
        return self.response_size > len(self.response_bytes)

    @property
    def body(self) -> Any:
        """The request body: parsed JSON, else text (a cut one too), or ``None`` when empty."""
        data = self.body_bytes
        try:
            return json.loads(data) if data and not self.body_truncated else _text(data)
        except ValueError:
            return data.decode("utf-8", "replace")

    @property
    def response(self) -> Any:
        """The response body, parsed (text when it was cut, ``None`` when empty)."""
        if self.response_truncated or not self.response_bytes:
            return _text(self.response_bytes)
        return orjson.loads(self.response_bytes)

    def weight(self) -> int:
        """About how many bytes of memory the entry holds."""
        headers = sum(len(k) + len(v) + _HEADER_OVERHEAD for k, v in self._headers)
        strings = len(self.path) + len(self.query_string) + len(self.method) + 3 * _STRING_OVERHEAD
        return _ENTRY_OVERHEAD + headers + strings + len(self.body_bytes) + len(self.response_bytes)

    def __repr__(self) -> str:
        return f"<JournalEntry {self.method} {self.path} -> {self.status}>"


def _text(data: bytes) -> str | None:
    return data.decode("utf-8", "replace") if data else None


class Journal:
    """The latest entries, oldest first, within :attr:`Limits.journal_bytes` (thread-safe)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._entries: deque[tuple[JournalEntry, int]] = deque()  # (entry, its weight)
        self._bytes = 0
        self._next = 0

    def append(self, entry: JournalEntry) -> None:
        """Add ``entry``, numbering it, and drop the oldest entries past the byte budget."""
        weight = entry.weight()
        with self._lock:
            entry.seq = self._next
            self._next += 1
            self._entries.append((entry, weight))
            self._bytes += weight
            while self._bytes > self.limits.journal_bytes and len(self._entries) > 1:
                _, dropped = self._entries.popleft()
                self._bytes -= dropped

    def clear(self) -> None:
        """Forget every entry (they are freed at once: none is part of a reference cycle)."""
        with self._lock:
            self._entries = deque()
            self._bytes = 0
            self._next = 0

    @property
    def bytes(self) -> int:
        """About how much memory the kept entries hold."""
        return self._bytes

    def entries(self) -> list[JournalEntry]:
        """A copy of the kept entries, oldest first."""
        with self._lock:
            return [entry for entry, _ in self._entries]

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)


def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc's
    except (AttributeError, OSError):  # another C library: nothing to call
        return None


_TRIM = _malloc_trim()

#: Below this much freed, a reset does not ask the C allocator to give memory back.
TRIM_THRESHOLD = 4 * _MiB


def give_back_memory() -> None:
    """Hand the memory the process freed back to the operating system, where the C library can.

    Freed memory stays in glibc's heap (and counts in RSS) until the top of the heap is free: after
    a ``reset()`` that dropped a large journal and store, RSS would stay near its peak. glibc's
    ``malloc_trim(0)`` releases the free pages (about 10 ms after freeing 100 MiB).
    """
    if _TRIM is not None:
        _TRIM(0)
