"""The HTTP layer of the fake: a routes table, one handler per operation, Talon.One's error shapes.

``FakeApp.answer(call)`` takes a :class:`~talon_fakes.fake.calls.Call` and returns the status and the
JSON body; ``handle`` (werkzeug, for the socket server) and ``wsgi`` (for any WSGI server) wrap
it, and the in-process mode calls ``answer`` directly. Handlers parse with
:mod:`talon_fakes.fake.calls` and :mod:`talon_fakes.fake.wire`, call the backend method of the same name,
and render. Domain errors become 400/404, authentication failures 401, an update of a session
while another request changes it 409; returns and reopen of one session wait for each other.

A request that fails changes nothing: the effects hook runs and the answer is rendered before
the backend stores the outcome.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from werkzeug.wrappers import Request, Response

from talon_fakes.api import OPERATIONS
from talon_fakes.contracts.validation import validate
from talon_fakes.errors import InvalidRequest, InvalidTransition, SessionNotFound, TalonFakesError
from talon_fakes.fake import auth, wire
from talon_fakes.fake.backend import Backend
from talon_fakes.fake.calls import (
    Call,
    HttpError,
    bad,
    boolean,
    date_time,
    int_arg,
    json_body,
    path_int,
)
from talon_fakes.fake.campaign_model import NO_CAMPAIGNS, Campaigns
from talon_fakes.fake.changes import Outcome
from talon_fakes.fake.effects import effects_for as campaign_effects
from talon_fakes.fake.intake import late, path_parameters, read_body, too_large
from talon_fakes.fake.journal import TRIM_THRESHOLD, Journal, JournalEntry, Limits, give_back_memory
from talon_fakes.fake.locks import Changing, Replies, SessionLocks
from talon_fakes.fake.model import Session
from talon_fakes.fake.queries import SessionQuery
from talon_fakes.states import State

_SESSION_BYTES = 10_000  # about what a stored session of a few cart items takes (bench_soak)

DEFAULT_API_KEY = "talon-fakes-api-key"
DEFAULT_MANAGEMENT_KEY = "talon-fakes-management-key"

#: A test's stand-in for the rule engine: (session, operation) -> effects (checked against the
#: ``effect`` contract). Operation is ``update``, ``return``, ``reopen`` or ``get``. For the first
#: three it runs before the change is stored (if it raises, nothing is), while the store is
#: locked: it may read the fake's test controls, but must not call the fake over HTTP.
EffectsHook = Callable[[Session, str], list[dict[str, Any]]]

#: The control API's prefix (WireMock's): no Talon.One path starts with it.
CONTROL_PREFIX = "/__admin"

#: Told of every request the app answered (not the control API's), with the seconds it took.
Observer = Callable[[JournalEntry, float], None]


class Control(Protocol):
    """The control API (:mod:`talon_fakes.fake.admin`): answers ``/__admin/...`` before the routes."""

    def answer(self, call: Call) -> tuple[int, bytes, str]:
        """The status, body and content type of one control call."""
        ...


# (method, path pattern, handler, API), read from the API table. The path's named groups (the
# spec's parameter names), renamed by _ARGUMENTS, are the handler's arguments.
ROUTES: list[tuple[str, re.Pattern[str], str, str]] = [
    (operation.method, operation.pattern, operation.name, operation.api) for operation in OPERATIONS
]
_ARGUMENTS = {
    "customerSessionId": "integration_id",
    "applicationId": "application_id",
    "sessionId": "session_id",
}


@dataclass
class Fault:
    """An injected failure: for the next ``times`` calls (of ``operation``, or any)."""

    times: int
    status: int | None = None
    body: Any = None
    delay: float = 0.0
    drop: bool = False
    operation: str | None = None


@dataclass
class FakeConfig:
    """Keys the fake accepts: Integration API keys map to their application ID."""

    api_keys: dict[str, int] = field(default_factory=lambda: {DEFAULT_API_KEY: 1})
    management_keys: set[str] = field(default_factory=lambda: {DEFAULT_MANAGEMENT_KEY})
    bearer_tokens: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        named = [("api_key", k) for k in self.api_keys] + [("bearer_token", t) for t in self.bearer_tokens]
        for name, secret in named + [("management_key", k) for k in self.management_keys]:
            problem = auth.secret_problem(secret)
            if problem is not None:
                raise TalonFakesError(f"{name} {problem}; give a non-empty key, e.g. {name}='my-{name}'")


class Dropped(Exception):
    """An injected dropped connection."""


class _Answer:
    """The ``confirm`` callback of a change: runs the effects hook and renders the answer, so that
    a broken hook or an answer that cannot be written stores nothing."""

    __slots__ = ("app", "content", "dry", "generation", "operation", "payload")

    def __init__(
        self, app: FakeApp, operation: str, content: list[str] | None, call: Call, *, dry: bool = False
    ) -> None:
        self.app, self.operation, self.content, self.dry = app, operation, content, dry
        self.generation = call.generation
        self.payload = b""

    def __call__(self, outcome: Outcome) -> None:
        if self.generation != self.app.generation:  # a reset came while it ran: store nothing
            raise late()
        effects = self.app.effects_for(outcome.session, self.operation)
        if self.content is None:  # reopen answers with the rolled back effects alone
            body: dict[str, Any] = {"effects": effects}
        else:
            body = wire.integration_state(
                outcome, effects=effects, response_content=self.content, dry=self.dry
            )
        self.payload = orjson.dumps(body)


class FakeApp:
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
        if self.control is not None and _is_control(request.path):
            status, payload, content_type = self.control.answer(Call.from_request(request))
            return Response(payload, status=status, content_type=content_type)
        status, payload = self.answer(Call.from_request(request))
        return Response(payload, status=status, mimetype="application/json")

    def answer(self, call: Call) -> tuple[int, bytes]:
        """Answer one request: its status and JSON body (a dropped connection raises ``Dropped``)."""
        if self.control is not None and _is_control(call.path):  # not journaled: it is not the API
            status, payload, _ = self.control.answer(call)
            return status, payload
        started = time.perf_counter()
        operation, status, body, injected = None, 500, None, False
        call.generation = generation = self.generation
        try:
            handler, api, args = self._route(call)
            operation = handler
            if call.oversize is not None or len(call.body) > self.limits.max_body_bytes:
                raise too_large(call.oversize if call.oversize != -1 else None, self.limits.max_body_bytes)
            call.delay = self._apply_fault(operation)
            principal = self._authenticate(call, api)
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

    def _route(self, call: Call) -> tuple[str, str, dict[str, str]]:
        allowed = []
        for method, pattern, handler, api in ROUTES:
            match = pattern.fullmatch(call.path)
            if match:
                if method == call.method:
                    decoded = path_parameters(match.groupdict())  # each once, after matching
                    return handler, api, {_ARGUMENTS[k]: v for k, v in decoded.items()}
                allowed.append(method)
        if allowed:
            message = f"{call.method} is not allowed here; use {', '.join(allowed)}"
            raise HttpError(405, wire.error_with_status(message, 405, title="method not allowed"))
        raise HttpError(404, wire.error_with_status(f"no endpoint {call.path}", 404, title="not found"))

    def _authenticate(self, call: Call, api: str) -> int | str:
        scheme, _, key = (call.header("Authorization") or "").partition(" ")
        if api == "integration" and scheme == auth.INTEGRATION_SCHEME and key in self.config.api_keys:
            return self.config.api_keys[key]
        if api == "management" and (
            (scheme == auth.MANAGEMENT_SCHEME and key in self.config.management_keys)
            or (scheme == auth.BEARER_SCHEME and key in self.config.bearer_tokens)
        ):
            return key
        expected = (
            f"{auth.INTEGRATION_SCHEME} <key>"
            if api == "integration"
            else f"{auth.MANAGEMENT_SCHEME} <key> or {auth.BEARER_SCHEME} <token>"
        )
        message = f"Unauthorized - Invalid API key; the {api} API needs Authorization: {expected}"
        raise HttpError(
            401, wire.error_with_status(message, 401, title="unauthorized", parameter="Authorization")
        )

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
        """Put ``campaigns`` (from :func:`~talon_fakes.fake.campaigns.load_campaigns`) in force, between
        two operations (never in the middle of an evaluation), until the next :meth:`reset`."""
        with self.backend.lock:
            self.campaigns = campaigns

    def effects_for(self, session: Session, operation: str) -> list[dict[str, Any]]:
        """The declared campaigns' effects for ``operation`` on ``session``
        (:mod:`talon_fakes.fake.effects`), then the effects hook's, each of those checked."""
        own = campaign_effects(session, operation, self.campaigns, self.backend.sessions)
        if self.effects_hook is None:
            return own
        effects = list(self.effects_hook(session, operation))
        for index, effect in enumerate(effects):
            problems = [v for v in validate(effect, "effect") if v.is_error]
            if problems:
                raise TalonFakesError(
                    f"the effects hook returned an invalid effect [{index}]: " + "; ".join(map(str, problems))
                )
        return own + effects

    # -- Integration API ---------------------------------------------------------------------

    def update_customer_session(
        self, call: Call, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """PUT /v2/customer_sessions/{id}."""
        if len(integration_id) > 1000:
            raise bad("a session integration ID has at most 1000 characters", parameter="customerSessionId")
        dry = boolean(call, "dry")
        now = date_time(call, "now")
        update, content = wire.session_update(json_body(call))
        answer = _Answer(self, "update", content, call, dry=dry)
        with Changing(self._sessions, call, (application_id, integration_id), wait=False):
            _transition(
                lambda: self.backend.update_customer_session(
                    application_id, integration_id, update, dry=dry, now=now, confirm=answer
                ),
                pointer="/customerSession/state",
            )
        return 200, answer.payload

    def get_customer_session(self, call: Call, application_id: int, integration_id: str) -> tuple[int, Any]:
        """GET /v2/customer_sessions/{id}."""
        session = self.backend.get_customer_session(application_id, integration_id)
        return 200, {
            "customerSession": wire.customer_session(session),
            "effects": self.effects_for(session, "get"),
        }

    def return_cart_items(self, call: Call, application_id: int, integration_id: str) -> tuple[int, Any]:
        """POST /v2/customer_sessions/{id}/returns; an ``Idempotency-Key`` replays the first answer."""
        dry = boolean(call, "dry")
        rerun = boolean(call, "runRuleEngine")
        key = call.header("Idempotency-Key")
        if key is not None and not 0 < len(key) <= 255:
            raise bad("Idempotency-Key must be 1 to 255 characters", parameter="Idempotency-Key")
        request = (json_body(call), dry, rerun)
        with Changing(self._sessions, call, (application_id, integration_id), wait=True):
            session = self.backend.get_customer_session(application_id, integration_id)
            # By the session's internal ID too: a session seeded anew under the same integration ID
            # is another session, which no earlier answer belongs to.
            reply_key = None if key is None else (application_id, integration_id, session.id, key)
            if reply_key is not None:
                replay = self._replies.replay(reply_key, request, self.backend.clock.now())
                if replay is not None:
                    return 200, replay
            items, content = wire.returned_items(request[0], session)
            answer = _Answer(self, "return", content, call, dry=dry)
            _transition(
                lambda: self.backend.return_cart_items(
                    application_id, integration_id, items, dry=dry, confirm=answer
                ),
                parameter="customerSessionId",  # the session's state forbids it, not the body
            )
            if reply_key is not None and not dry:
                now, began = self.backend.clock.now(), call.generation
                self._replies.keep(reply_key, request, answer.payload, now, lambda: began == self.generation)
        return 200, answer.payload

    def reopen_customer_session(
        self, call: Call, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """PUT /v2/customer_sessions/{id}/reopen."""
        answer = _Answer(self, "reopen", None, call)
        with Changing(self._sessions, call, (application_id, integration_id), wait=True):
            _transition(
                lambda: self.backend.reopen_customer_session(application_id, integration_id, confirm=answer),
                parameter="customerSessionId",
            )
        return 200, answer.payload

    # -- Management API ----------------------------------------------------------------------

    def list_application_sessions(self, call: Call, principal: str, application_id: str) -> tuple[int, Any]:
        """GET /v1/applications/{applicationId}/sessions."""
        app = self._application(application_id)
        sort = call.args.get("sort", "id")
        descending = sort.startswith("-")
        field_name = wire.SORT_FIELDS.get(sort.removeprefix("-"))
        if field_name is None:
            raise bad(f"cannot sort by {sort!r}; sortable: {', '.join(wire.SORT_FIELDS)}", parameter="sort")
        state = call.args.get("state")
        if state is not None and state not in State.__members__.values():
            raise bad(
                f"state must be one of {', '.join(s.value for s in State)}; got {state!r}", parameter="state"
            )
        query = SessionQuery(
            page_size=int_arg(call, "pageSize", 1000, low=1, high=1000),
            skip=int_arg(call, "skip", 0, low=0),
            sort=field_name,
            descending=descending,
            partial_match=boolean(call, "partialMatch"),
            profile=call.args.get("profile"),
            state=None if state is None else State(state),
            created_before=date_time(call, "createdBefore"),
            created_after=date_time(call, "createdAfter"),
            coupon=call.args.get("coupon"),
            referral=call.args.get("referral"),
            integration_id=call.args.get("integrationId"),
            store_integration_id=call.args.get("storeIntegrationId"),
        )
        page = self.backend.list_application_sessions(app, query)
        return 200, {"hasMore": page.has_more, "data": [wire.application_session(s) for s in page.sessions]}

    def get_application_session(
        self, call: Call, principal: str, application_id: str, session_id: str
    ) -> tuple[int, Any]:
        """GET /v1/applications/{applicationId}/sessions/{sessionId}."""
        app, internal = self._application(application_id), path_int(session_id, "sessionId")
        session = self.backend.get_application_session(app, internal)
        return 200, wire.application_session(session)

    def _application(self, application_id: str) -> int:
        """The ID of an Application the fake has: one an Integration API key belongs to, or one
        that holds sessions (seeded ones included). Any other is a 404, as for a deleted one."""
        app = path_int(application_id, "applicationId")
        if app in self.config.api_keys.values() or self.backend.has_sessions(app):
            return app
        known = ", ".join(map(str, sorted(set(self.config.api_keys.values())))) or "none"
        message = (
            f"no Application {app}; the fake has Application {known} (one a configured API key belongs to)"
        )
        raise HttpError(
            404, wire.error_with_status(message, 404, title="not found", parameter="applicationId")
        )


def _is_control(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def _transition(call: Callable[[], Any], *, pointer: str | None = None, parameter: str | None = None) -> Any:
    """Run a backend call that moves a session; an illegal move is a 400 naming the culprit."""
    try:
        return call()
    except InvalidTransition as error:
        body = wire.error_response(
            str(error), pointer=pointer, parameter=parameter, title="invalid state transition"
        )
        raise HttpError(400, body) from None
