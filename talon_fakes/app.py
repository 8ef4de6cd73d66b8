"""The HTTP layer of the fake: a routes table, one handler per operation, Talon.One's error shapes.

``FakeApp.handle(request)`` takes a werkzeug request and returns a werkzeug response; the
server (:mod:`talon_fakes.server`) mounts it on pytest-httpserver, and the in-process mode calls
it directly. Handlers parse with :mod:`talon_fakes.wire`, call the backend method of the same
name, and render; domain errors become 400/404, authentication failures 401, overlapping updates
of one session 409.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from werkzeug.wrappers import Request, Response

from talon_fakes import wire
from talon_fakes.backend import Backend, SessionQuery
from talon_fakes.errors import InvalidRequest, InvalidTransition, SessionNotFound, TalonFakesError
from talon_fakes.model import Session
from talon_fakes.states import State
from talon_fakes.validation import validate

DEFAULT_API_KEY = "talon-fakes-api-key"
DEFAULT_MANAGEMENT_KEY = "talon-fakes-management-key"

#: A test's stand-in for the rule engine: (session, operation) -> effects (checked against the
#: ``effect`` contract). Operation is ``update``, ``return``, ``reopen`` or ``get``.
EffectsHook = Callable[[Session, str], list[dict[str, Any]]]

_SESSION = r"/v2/customer_sessions/(?P<integration_id>[^/]+)"
_APP_SESSIONS = r"/v1/applications/(?P<application_id>[^/]+)/sessions"

# (method, path pattern, handler, API). The path's named groups are the handler's arguments.
ROUTES: list[tuple[str, re.Pattern[str], str, str]] = [
    ("PUT", re.compile(_SESSION), "update_customer_session", "integration"),
    ("GET", re.compile(_SESSION), "get_customer_session", "integration"),
    ("POST", re.compile(_SESSION + "/returns"), "return_cart_items", "integration"),
    ("PUT", re.compile(_SESSION + "/reopen"), "reopen_customer_session", "integration"),
    ("GET", re.compile(_APP_SESSIONS), "list_application_sessions", "management"),
    ("GET", re.compile(_APP_SESSIONS + r"/(?P<session_id>[^/]+)"), "get_application_session", "management"),
]


# Operations that change a session: one at a time per session, else 409.
_UPDATING = frozenset({"update_customer_session", "return_cart_items", "reopen_customer_session"})


class JournalEntry:
    """One request the fake answered (its parts are decoded when first read)."""

    __slots__ = ("_request", "at", "operation", "response", "status")

    def __init__(self, request: Request, status: int, response: Any, operation: str | None) -> None:
        self._request, self.status, self.response, self.operation = request, status, response, operation
        self.at = time.time()

    @property
    def method(self) -> str:
        """The HTTP method."""
        return str(self._request.method)

    @property
    def path(self) -> str:
        """The path, without the query."""
        return str(self._request.path)

    @property
    def query(self) -> dict[str, list[str]]:
        """The query parameters."""
        return self._request.args.to_dict(flat=False)

    @property
    def headers(self) -> dict[str, str]:
        """The request headers."""
        return dict(self._request.headers)

    @property
    def body(self) -> Any:
        """The request body: parsed JSON, text, or ``None``."""
        return _json_or_text(self._request)

    def __repr__(self) -> str:
        return f"<JournalEntry {self.method} {self.path} -> {self.status}>"


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


class HttpError(Exception):
    """A response to send instead of the handler's: status and body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.status, self.body = status, body


class Dropped(Exception):
    """An injected dropped connection."""


class FakeApp:
    """Routes requests to the backend; records them; injects faults; reports hook errors."""

    def __init__(
        self, backend: Backend, config: FakeConfig | None = None, *, journal_limit: int = 10_000
    ) -> None:
        self.backend = backend
        self.config = config or FakeConfig()
        self.effects_hook: EffectsHook | None = None
        # The latest requests (a long-running `talon-fakes serve` must not grow without bound).
        self.journal: deque[JournalEntry] = deque(maxlen=journal_limit)
        self.faults: list[Fault] = []
        self.errors: list[BaseException] = []  # raised in the server thread; re-raised in the test
        self._lock = threading.Lock()
        self._busy: set[tuple[int, str]] = set()
        self._replies: dict[tuple[int, str, str], Any] = {}  # Idempotency-Key -> the first answer

    def reset(self) -> None:
        """Clear the store, the journal, faults, the hook and collected errors."""
        self.backend.reset()
        with self._lock:
            self.journal.clear()
            self.faults.clear()
            self.errors.clear()
            self._busy.clear()
            self._replies.clear()
        self.effects_hook = None

    # -- dispatch ----------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The app as a WSGI callable (for httpx's WSGITransport and any WSGI server)."""
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        operation, status, body = None, 500, None
        try:
            handler, api, args = self._route(request)
            operation = handler
            delay = self._apply_fault(operation)
            if delay and handler in _UPDATING:
                request.environ["talon_fakes.delay"] = delay  # waited out while the update is in flight
            elif delay:
                time.sleep(delay)
            principal = self._authenticate(request, api)
            status, body = getattr(self, handler)(request, principal, **args)
        except HttpError as error:
            status, body = error.status, error.body
        except InvalidRequest as error:  # a body or parameter the API rejects, wherever it was found
            bad = _bad(str(error), pointer=error.pointer, parameter=error.parameter)
            status, body = bad.status, bad.body
        except SessionNotFound as error:
            status, body = 404, wire.error_with_status(str(error), 404, title="not found")
        except Dropped:
            raise
        except Exception as error:  # a bug of the fake: 500, and the test that caused it fails
            with self._lock:
                self.errors.append(error)
            status, body = 500, {"message": f"talon-fakes internal error: {error!r}"}
        try:
            payload = orjson.dumps(body)
        except TypeError as error:  # a value JSON cannot carry slipped through: the fake's bug
            with self._lock:
                self.errors.append(error)
            status, body = 500, {"message": f"talon-fakes internal error: {error!r}"}
            payload = orjson.dumps(body)
        self._record(request, status, body, operation)
        return Response(payload, status=status, mimetype="application/json")

    def _route(self, request: Request) -> tuple[str, str, dict[str, str]]:
        allowed = []
        for method, pattern, handler, api in ROUTES:
            match = pattern.fullmatch(request.path)
            if match:
                if method == request.method:
                    return handler, api, match.groupdict()
                allowed.append(method)
        if allowed:
            message = f"{request.method} is not allowed here; use {', '.join(allowed)}"
            raise HttpError(405, wire.error_with_status(message, 405, title="method not allowed"))
        raise HttpError(404, wire.error_with_status(f"no endpoint {request.path}", 404, title="not found"))

    def _authenticate(self, request: Request, api: str) -> int | str:
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if api == "integration" and scheme == "ApiKey-v1" and key in self.config.api_keys:
            return self.config.api_keys[key]
        if api == "management" and (
            (scheme == "ManagementKey-v1" and key in self.config.management_keys)
            or (scheme == "Bearer" and key in self.config.bearer_tokens)
        ):
            return key
        expected = "ApiKey-v1 <key>" if api == "integration" else "ManagementKey-v1 <key> or Bearer <token>"
        message = f"Unauthorized - Invalid API key; the {api} API needs Authorization: {expected}"
        raise HttpError(
            401, wire.error_with_status(message, 401, title="unauthorized", parameter="Authorization")
        )

    def _apply_fault(self, operation: str) -> float:
        """Raise the injected answer, if any; return the injected delay (seconds) for the caller."""
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
            raise HttpError(fault.status, body)
        return delay

    def _record(self, request: Request, status: int, body: Any, operation: str | None) -> None:
        entry = JournalEntry(request, status, body, operation)
        with self._lock:
            self.journal.append(entry)

    @contextmanager
    def _exclusive(self, request: Request, application_id: int, integration_id: str) -> Iterator[None]:
        """409 for a second update of a session while one is in flight, as the real API answers."""
        key = (application_id, integration_id)
        with self._lock:
            if key in self._busy:
                message = "Too many requests are updating this session at the same time"
                raise HttpError(409, wire.error_with_status(message, 409, title="conflict"))
            self._busy.add(key)
        try:
            delay = request.environ.get("talon_fakes.delay")
            if delay:
                time.sleep(delay)
            yield
        finally:
            with self._lock:
                self._busy.discard(key)

    def _effects(self, session: Session, operation: str) -> list[dict[str, Any]]:
        if self.effects_hook is None:
            return []
        effects = list(self.effects_hook(session, operation))
        for index, effect in enumerate(effects):
            problems = [v for v in validate(effect, "effect") if v.is_error]
            if problems:
                raise TalonFakesError(
                    f"the effects hook returned an invalid effect [{index}]: " + "; ".join(map(str, problems))
                )
        return effects

    # -- Integration API ---------------------------------------------------------------------

    def update_customer_session(
        self, request: Request, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """PUT /v2/customer_sessions/{id}."""
        if len(integration_id) > 1000:
            raise _bad("a session integration ID has at most 1000 characters", parameter="customerSessionId")
        dry = _boolean(request, "dry")
        now = _date_time(request, "now")
        update, content = wire.session_update(_json_body(request))
        with self._exclusive(request, application_id, integration_id):
            session = self._transition(
                lambda: self.backend.update_customer_session(
                    application_id, integration_id, update, dry=dry, now=now
                ),
                pointer="/customerSession/state",
            )
        state = wire.integration_state(
            session,
            effects=self._effects(session, "update"),
            response_content=content,
            profile=self._profile(session),
        )
        return 200, state

    def get_customer_session(
        self, request: Request, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """GET /v2/customer_sessions/{id}."""
        session = self.backend.get_customer_session(application_id, integration_id)
        return 200, {
            "customerSession": wire.customer_session(session),
            "effects": self._effects(session, "get"),
        }

    def return_cart_items(
        self, request: Request, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """POST /v2/customer_sessions/{id}/returns."""
        dry = _boolean(request, "dry")
        _boolean(request, "runRuleEngine")
        key = request.headers.get("Idempotency-Key")
        if key is not None and not 0 < len(key) <= 255:
            raise _bad("Idempotency-Key must be 1 to 255 characters", parameter="Idempotency-Key")
        body = _json_body(request)
        replay_key = (application_id, integration_id, key or "")
        if key is not None and replay_key in self._replies:
            return 200, self._replies[replay_key]  # the first answer, as it was
        with self._exclusive(request, application_id, integration_id):
            session = self.backend.get_customer_session(application_id, integration_id)
            items, content = wire.returned_items(body, session)
            outcome = self._transition(
                lambda: self.backend.return_cart_items(
                    application_id, integration_id, items, dry=dry, idempotency_key=key
                ),
                parameter="customerSessionId",  # the session's state forbids it, not the body
            )
        state = wire.integration_state(
            outcome.session,
            effects=self._effects(outcome.session, "return"),
            response_content=content,
            profile=self._profile(outcome.session),
            created_return=outcome.created,
        )
        if key is not None and not dry:
            with self._lock:
                self._replies[replay_key] = state
        return 200, state

    def reopen_customer_session(
        self, request: Request, application_id: int, integration_id: str
    ) -> tuple[int, Any]:
        """PUT /v2/customer_sessions/{id}/reopen."""
        with self._exclusive(request, application_id, integration_id):
            session = self._transition(
                lambda: self.backend.reopen_customer_session(application_id, integration_id),
                parameter="customerSessionId",
            )
        return 200, {"effects": self._effects(session, "reopen")}

    # -- Management API ----------------------------------------------------------------------

    def list_application_sessions(
        self, request: Request, principal: str, application_id: str
    ) -> tuple[int, Any]:
        """GET /v1/applications/{applicationId}/sessions."""
        app = _path_int(application_id, "applicationId")
        sort = request.args.get("sort", "id")
        descending = sort.startswith("-")
        field_name = wire.SORT_FIELDS.get(sort.removeprefix("-"))
        if field_name is None:
            raise _bad(f"cannot sort by {sort!r}; sortable: {', '.join(wire.SORT_FIELDS)}", parameter="sort")
        state = request.args.get("state")
        if state is not None and state not in State.__members__.values():
            raise _bad(
                f"state must be one of {', '.join(s.value for s in State)}; got {state!r}", parameter="state"
            )
        query = SessionQuery(
            page_size=_int_arg(request, "pageSize", 1000, low=1, high=1000),
            skip=_int_arg(request, "skip", 0, low=0),
            sort=field_name,
            descending=descending,
            partial_match=_boolean(request, "partialMatch"),
            profile=request.args.get("profile"),
            state=None if state is None else State(state),
            created_before=_date_time(request, "createdBefore"),
            created_after=_date_time(request, "createdAfter"),
            coupon=request.args.get("coupon"),
            referral=request.args.get("referral"),
            integration_id=request.args.get("integrationId"),
            store_integration_id=request.args.get("storeIntegrationId"),
        )
        page = self.backend.list_application_sessions(app, query)
        return 200, {"hasMore": page.has_more, "data": [wire.application_session(s) for s in page.sessions]}

    def get_application_session(
        self, request: Request, principal: str, application_id: str, session_id: str
    ) -> tuple[int, Any]:
        """GET /v1/applications/{applicationId}/sessions/{sessionId}."""
        app, internal = _path_int(application_id, "applicationId"), _path_int(session_id, "sessionId")
        session = self.backend.get_application_session(app, internal)
        return 200, wire.application_session(session)

    # -- helpers -----------------------------------------------------------------------------

    def _profile(self, session: Session) -> Any:
        if session.is_anonymous:
            return None
        try:
            return self.backend.profile(session.profile_id)
        except SessionNotFound:  # a dry run of a new profile: nothing stored
            return None

    @staticmethod
    def _transition(
        call: Callable[[], Any], *, pointer: str | None = None, parameter: str | None = None
    ) -> Any:
        """Run a backend call that moves a session; an illegal move is a 400 naming the culprit."""
        try:
            return call()
        except InvalidTransition as error:
            body = wire.error_response(
                str(error), pointer=pointer, parameter=parameter, title="invalid state transition"
            )
            raise HttpError(400, body) from None


def _bad(message: str, *, pointer: str | None = None, parameter: str | None = None) -> HttpError:
    return HttpError(
        400, wire.error_response(message, pointer=pointer, parameter=parameter, title="bad request")
    )


def _json_body(request: Request) -> Any:
    data = request.get_data(cache=True)
    if not data.strip():
        raise _bad("the request needs a JSON body", pointer="")
    try:
        body = json.loads(data, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = (
            f" at line {error.lineno}, column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise _bad(f"malformed JSON{where}: {error}", pointer="") from None
    _check_numbers(body, "")
    return body


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


_INT64 = 2**63


def _check_numbers(value: Any, pointer: str) -> None:
    """Numbers the real API (a Go server) cannot hold: past 64-bit integers, infinite floats."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_numbers(item, f"{pointer}/{index}")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise _bad(f"{value} does not fit a 64-bit integer", pointer=pointer)
    elif isinstance(value, float) and not math.isfinite(value):
        raise _bad("a number too large to represent", pointer=pointer)


def _json_or_text(request: Request) -> Any:
    data = request.get_data(cache=True)
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data.decode("utf-8", "replace")


def _boolean(request: Request, name: str) -> bool:
    value = request.args.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise _bad(f"{name} must be true or false; got {value!r}", parameter=name)
    return value.lower() == "true"


def _date_time(request: Request, name: str) -> datetime | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+").upper())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise _bad(f"{name} must be an RFC 3339 date-time with a time zone; got {value!r}", parameter=name)
    return parsed


def _int_arg(request: Request, name: str, default: int, *, low: int, high: int | None = None) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _bad(f"{name} must be an integer; got {value!r}", parameter=name) from None
    if number < low or (high is not None and number > high):
        bounds = f"{low}..{high}" if high is not None else f"at least {low}"
        raise _bad(f"{name} must be {bounds}; got {number}", parameter=name)
    return number


def _path_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _bad(f"{name} must be an integer; got {value!r}", parameter=name) from None
