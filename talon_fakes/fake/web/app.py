"""The HTTP layer of the fake: dispatch, fault injection, the journal, Talon.One's error shapes.

``FakeApp.answer(call)`` takes a :class:`~talon_fakes.fake.web.calls.Call` and returns the status and the
JSON body; ``handle`` (werkzeug, for the socket server) and ``wsgi`` (for any WSGI server) wrap
it, and the in-process mode calls ``answer`` directly. It routes the call
(:mod:`talon_fakes.fake.web.routes`), checks its size and credentials
(:mod:`talon_fakes.fake.web.credentials`), applies an injected fault, and calls the handler of the
operation (:mod:`talon_fakes.fake.web.handlers`); it maps domain errors to 400/404 and journals
every answer. Paths under ``/__admin`` go to the control API (:mod:`talon_fakes.fake.control.admin`).

A request that fails changes nothing: the effects hook runs and the answer is rendered before
the backend stores the outcome.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from werkzeug.wrappers import Request, Response

from talon_fakes.errors import InvalidRequest, SessionNotFound
from talon_fakes.fake.domain import wire
from talon_fakes.fake.domain.backend import Backend
from talon_fakes.fake.domain.campaign_model import NO_CAMPAIGNS, Campaigns
from talon_fakes.fake.domain.effects_hook import EffectsHook
from talon_fakes.fake.web.calls import Call, HttpError, bad
from talon_fakes.fake.web.credentials import FakeConfig, authenticate
from talon_fakes.fake.web.handlers import SessionHandlers
from talon_fakes.fake.web.intake import late, read_body, too_large
from talon_fakes.fake.web.journal import TRIM_THRESHOLD, Journal, JournalEntry, Limits, give_back_memory
from talon_fakes.fake.web.locks import Replies, SessionLocks
from talon_fakes.fake.web.routes import is_control, route

_SESSION_BYTES = 10_000  # about what a stored session of a few cart items takes (bench_soak)

#: Told of every request the app answered (not the control API's), with the seconds it took.
Observer = Callable[[JournalEntry, float], None]


class Control(Protocol):
    """The control API (:mod:`talon_fakes.fake.control.admin`): answers ``/__admin/...`` before the routes."""

    def answer(self, call: Call) -> tuple[int, bytes, str]:
        """The status, body and content type of one control call."""
        ...


@dataclass
class Fault:
    """An injected failure: for the next ``times`` calls (of ``operation``, or any)."""

    times: int
    status: int | None = None
    body: Any = None
    delay: float = 0.0
    drop: bool = False
    operation: str | None = None


class Dropped(Exception):
    """An injected dropped connection."""


class FakeApp(SessionHandlers):
    """Routes requests to the backend; records them; injects faults; reports hook errors."""

    def __init__(
        self, backend: Backend, config: FakeConfig | None = None, *, limits: Limits | None = None
    ) -> None:
        self.backend = backend
        self.config = config or FakeConfig()
        self.effects_hook: EffectsHook | None = None
        #: The campaigns given when the fake was made (kept across ``reset()``), and those in force.
        self.default_campaigns: Campaigns = NO_CAMPAIGNS
        self.campaigns: Campaigns = NO_CAMPAIGNS
        # The latest requests, within a byte budget (a long-running `serve` must not grow).
        self.journal = Journal(limits or Limits())
        #: How many resets so far: a request that began before the latest one stores nothing.
        self.generation = 0
        self.faults: list[Fault] = []
        self.errors: list[BaseException] = []  # raised in the server thread; re-raised in the test
        self.control: Control | None = None  # the /__admin/ API, when a TalonFake mounts one
        self.observers: list[Observer] = []  # e.g. `serve --log`
        self._lock = threading.Lock()
        self._sessions = SessionLocks()
        self._replies = Replies()

    @property
    def limits(self) -> Limits:
        """The body size limit and the journal's budget (settable: takes effect at once)."""
        return self.journal.limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self.journal.limits = limits

    def reset(self) -> None:
        """Clear the store (and reset the clock), the journal, faults, the hook and collected errors;
        the campaigns are the ones the fake was made with again."""
        with self._lock:
            self.generation += 1  # first: a request still running must see it before it stores
        heavy = self.journal.bytes + self.backend.size() * _SESSION_BYTES >= TRIM_THRESHOLD
        self.backend.reset()
        with self._lock:
            self.journal.clear()
            self.faults.clear()
            self.errors.clear()
        self._replies.clear()
        self.effects_hook = None
        self.campaigns = self.default_campaigns
        if heavy:  # give the freed memory back, or RSS stays near its peak
            wire.timestamp.cache_clear()  # its entries would pin the allocator's arenas
            give_back_memory()

    # -- dispatch ----------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The app as a WSGI callable (for httpx's WSGITransport and any WSGI server)."""
        request = Request(environ)
        read_body(request, self.limits.max_body_bytes)
        return self.handle(request)(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one werkzeug request."""
        if self.control is not None and is_control(request.path):
            status, payload, content_type = self.control.answer(Call.from_request(request))
            return Response(payload, status=status, content_type=content_type)
        status, payload = self.answer(Call.from_request(request))
        return Response(payload, status=status, mimetype="application/json")

    def answer(self, call: Call) -> tuple[int, bytes]:
        """Answer one request: its status and JSON body (a dropped connection raises ``Dropped``)."""
        if self.control is not None and is_control(call.path):  # not journaled: it is not the API
            status, payload, _ = self.control.answer(call)
            return status, payload
        started = time.perf_counter()
        operation, status, body, injected = None, 500, None, False
        call.generation = generation = self.generation
        try:
            handler, api, args = route(call)
            operation = handler
            if call.oversize is not None or len(call.body) > self.limits.max_body_bytes:
                raise too_large(call.oversize if call.oversize != -1 else None, self.limits.max_body_bytes)
            call.delay = self._apply_fault(operation)
            principal = authenticate(self.config, call, api)
            status, body = getattr(self, handler)(call, principal, **args)
        except HttpError as error:
            status, body, injected = error.status, error.body, error.injected
        except InvalidRequest as error:  # a body or parameter the API rejects, wherever it was found
            status, body = 400, bad(str(error), pointer=error.pointer, parameter=error.parameter).body
        except SessionNotFound as error:
            status, body = 404, wire.error_with_status(str(error), 404, title="not found")
        except Dropped:
            raise
        except Exception as error:  # a bug of the fake or of the test's hook: 500, and the test fails
            status, body = 500, self._internal_error(error)
        if call.delay:  # an injected delay that no session lock waited out (a read, a refusal)
            time.sleep(call.delay)
        if isinstance(body, bytes):  # rendered before the change was stored
            payload = body
        else:
            try:
                payload = orjson.dumps(body)
            except TypeError as error:  # a value JSON cannot carry slipped through: the fake's bug
                status, payload = 500, orjson.dumps(self._internal_error(error))
        stale = generation != self.generation
        if stale:  # it began in an earlier test: its answer is no answer of this one's fake
            refusal = late()
            status, payload, injected = refusal.status, orjson.dumps(refusal.body), False
        entry = JournalEntry(
            method=call.method, path=call.path, query_string=call.query_string, headers=call.headers,
            body=call.body, body_size=call.oversize, status=status, payload=payload, operation=operation,
            started=call.started, body_limit=self.limits.journal_body_bytes, injected=injected, late=stale,
        )  # fmt: skip
        self.journal.append(entry)
        for observe in self.observers:
            observe(entry, time.perf_counter() - started)
        return status, payload

    def _internal_error(self, error: BaseException) -> dict[str, Any]:
        with self._lock:
            self.errors.append(error)
        return {"message": f"talon-fakes internal error: {error!r}"}

    def _apply_fault(self, operation: str) -> float:
        """Raise the injected answer, if any; return the injected delay (seconds) for the caller."""
        if not self.faults:
            return 0.0
        with self._lock:
            fault = next((f for f in self.faults if f.operation in (None, operation)), None)
            if fault is None:
                return 0.0
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
        if fault.delay and (fault.drop or fault.status is not None):
            time.sleep(fault.delay)
            delay = 0.0
        else:
            delay = fault.delay
        if fault.drop:
            raise Dropped(operation)
        if fault.status is not None:
            body = fault.body if fault.body is not None else wire.error_with_status(
                "injected fault", fault.status, title="injected fault")  # fmt: skip
            raise HttpError(fault.status, body, injected=True)
        return delay

    def declare_campaigns(self, campaigns: Campaigns) -> None:
        """Make ``campaigns`` the fake's own: in force now and again after every :meth:`reset`
        (``TalonFake(campaigns=...)``, ``serve --campaigns``, ``PUT /__admin/campaigns``)."""
        with self.backend.lock:
            self.default_campaigns = self.campaigns = campaigns

    def set_campaigns(self, campaigns: Campaigns) -> None:
        """Put ``campaigns`` (from :func:`~talon_fakes.fake.domain.campaigns.load_campaigns`) in force,
        between two operations (never in the middle of an evaluation), until the next :meth:`reset`."""
        with self.backend.lock:
            self.campaigns = campaigns
