"""The control API of a fake: ``/__admin/`` (WireMock's prefix), JSON in and out.

For clients in any language, what :class:`~talon_fakes.fake.server.TalonFake`'s Python controls do::

    POST   /__admin/reset                       a fresh fake (configuration stays)
    GET    /__admin/sessions                    every session, with its history and last effects
    PUT    /__admin/sessions/{integrationId}    seed a session in any state the rules reach
    GET    /__admin/sessions/{integrationId}[/history]
    GET    /__admin/journal[?limit=N]           the requests, newest first, with contract verdicts
    DELETE /__admin/journal
    GET|POST|DELETE /__admin/faults             inject_fault's status, body, delay, drop, times, operation
    GET|PUT /__admin/clock                      {"now": "<RFC 3339>"} (null: follow real time)
    POST   /__admin/clock/advance               {"seconds": N}
    GET    /__admin/transitions                 moves made since the reset, and those never made
    GET    /__admin/diagram[?format=svg|mermaid|dot]   the rule set, moves made marked
    GET    /__admin/                            the live dashboard (HTML)

Each call does what the Python control of the same name does (seeding *is*
``TalonFake.seed_session``, with its checks and refusals). Bad input is a 400 in Talon.One's
error shape naming what is wrong, and changes nothing. With a ``token`` (``serve`` sets one when it
listens beyond loopback), every call needs ``Authorization: Bearer <token>``; the dashboard page
also takes ``?token=``, for a browser.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import re
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson

from talon_fakes import diagram
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake import auth, wire
from talon_fakes.fake.calls import Call, HttpError, json_body
from talon_fakes.fake.journal_view import JournalView, last_effects
from talon_fakes.fake.model import rfc3339
from talon_fakes.states import State

if TYPE_CHECKING:
    from talon_fakes.fake.server import TalonFake

JSON = "application/json"
Answer = tuple[int, bytes, str]

_ID = "{integrationId}"
# (method, path, handler name): the control API as one table; {integrationId} is the argument.
_TABLE: tuple[tuple[str, str, str], ...] = (
    ("GET", "/", "dashboard"),
    ("POST", "/reset", "reset"),
    ("GET", "/sessions", "list_sessions"),
    ("GET", f"/sessions/{_ID}", "get_session"),
    ("PUT", f"/sessions/{_ID}", "seed_session"),
    ("GET", f"/sessions/{_ID}/history", "session_history"),
    ("GET", "/journal", "get_journal"),
    ("DELETE", "/journal", "clear_journal"),
    ("GET", "/faults", "list_faults"),
    ("POST", "/faults", "add_fault"),
    ("DELETE", "/faults", "clear_faults"),
    ("GET", "/clock", "get_clock"),
    ("PUT", "/clock", "set_clock"),
    ("POST", "/clock/advance", "advance_clock"),
    ("GET", "/transitions", "get_transitions"),
    ("GET", "/diagram", "get_diagram"),
    ("GET", "/campaigns", "get_campaigns"),
    ("PUT", "/campaigns", "put_campaigns"),
)
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (
        method,
        re.compile(
            "/__admin" + path.replace(_ID, "(?P<integration_id>[^/]+)") + ("?" if path == "/" else "")
        ),
        handler,
    )
    for method, path, handler in _TABLE
]

# The fault fields and the JSON types each takes (bool is an int in Python: checked apart).
_FAULT_FIELDS: dict[str, tuple[type, ...]] = {
    "status": (int,),
    "body": (object,),
    "delay": (int, float),
    "drop": (bool,),
    "times": (int,),
    "operation": (str,),
}


class _Refused(Exception):
    """Bad control input: a 400 (or ``status``) naming the field."""

    def __init__(self, message: str, *, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def _refuse(message: str, field: str = "") -> _Refused:
    return _Refused(message, field=field)


class AdminAPI:
    """Answers the control calls of one fake (``FakeApp.control``)."""

    def __init__(self, fake: TalonFake, *, token: str | None = None) -> None:
        self.fake = fake
        #: When set, every call needs ``Authorization: Bearer <token>`` (or ``?token=`` on the page).
        self.token = token
        #: The journal as JSON, with contract verdicts worked out when read, once per entry.
        self.journal = JournalView()

    def answer(self, call: Call) -> Answer:
        """The status, body and content type of one control call."""
        try:
            handler, args = self._route(call)
            self._authorize(call, page=handler == "dashboard")
            result: Answer | Any = getattr(self, handler)(call, **args)
        except _Refused as error:
            title = {401: "unauthorized", 404: "not found", 405: "method not allowed"}.get(
                error.status, "bad control input"
            )
            body = wire.error_with_status(str(error), error.status, title=title, parameter=error.field)
            return error.status, orjson.dumps(body), JSON
        except HttpError as error:  # malformed JSON, read by calls.json_body
            return error.status, orjson.dumps(error.body), JSON
        except (TalonFakesError, ValueError) as error:  # a refusal of the fake's own controls
            body = wire.error_with_status(str(error), 400, title="bad control input")
            return 400, orjson.dumps(body), JSON
        if isinstance(result, tuple):
            return result
        return 200, orjson.dumps(result), JSON

    def _route(self, call: Call) -> tuple[str, dict[str, str]]:
        allowed = []
        for method, pattern, handler in _ROUTES:
            match = pattern.fullmatch(call.path)
            if match:
                if method == call.method:
                    return handler, match.groupdict()
                allowed.append(method)
        if allowed:
            raise _Refused(f"{call.method} is not allowed here; use {', '.join(allowed)}", status=405)
        routes = ", ".join(f"{method} /__admin{path}" for method, path, _ in _TABLE)
        raise _Refused(f"no control endpoint {call.path}; the control API has: {routes}", status=404)

    def _authorize(self, call: Call, *, page: bool) -> None:
        if self.token is None:
            return
        scheme, _, given = (call.header("Authorization") or "").partition(" ")
        if page and not given:
            scheme, given = auth.BEARER_SCHEME, call.args.get("token", "")
        if scheme in (auth.BEARER_SCHEME, auth.MANAGEMENT_SCHEME) and hmac.compare_digest(
            given.encode(), self.token.encode()
        ):
            return
        raise _Refused(
            "the control API needs Authorization: Bearer <token> (the token `serve` printed at start)",
            field="Authorization",
            status=401,
        )

    # -- the fake's state ----------------------------------------------------------------------

    def dashboard(self, call: Call) -> Answer:
        """GET /__admin/: the live dashboard."""
        from talon_fakes.fake.dashboard import PAGE

        return 200, PAGE, "text/html; charset=utf-8"

    def reset(self, call: Call) -> dict[str, Any]:
        """POST /__admin/reset."""
        self.fake.reset()
        self.journal.clear()
        return {"reset": True}

    def list_sessions(self, call: Call) -> dict[str, Any]:
        """GET /__admin/sessions: each session as the API writes it, its history and last effects."""
        effects = last_effects(reversed(self.fake.journal))
        return {
            "sessions": [
                {
                    **wire.customer_session(session),
                    "history": _history(session.history),
                    "effects": effects.get(session.integration_id, []),
                }
                for session in self.fake.sessions()
            ]
        }

    def seed_session(self, call: Call, integration_id: str) -> dict[str, Any]:
        """PUT /__admin/sessions/{id}: the body is an update's ``customerSession``, any ``state``."""
        document = _object(call)
        if set(document) <= {"customerSession", "responseContent"} and isinstance(
            document.get("customerSession"), dict
        ):  # a PUT's whole body: its customerSession is the seed
            document = dict(document["customerSession"])
        unknown = sorted(set(document) - wire.UPDATE_FIELD_NAMES)
        if unknown:
            raise _refuse(
                f"unknown session field {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(wire.UPDATE_FIELD_NAMES))}",
                unknown[0],
            )
        state = document.pop("state", State.OPEN.value)
        if state not in State.__members__.values():
            raise _refuse(f"state must be one of {', '.join(s.value for s in State)}; got {state!r}", "state")
        try:  # read as a PUT's customerSession is, so the same JSON means the same session
            update, _ = wire.session_update({"customerSession": document})
        except TalonFakesError as error:
            # Named as in the seed's body, not the PUT body it was read as.
            message = str(error).removeprefix("customerSession.")
            pointer = (getattr(error, "pointer", "") or "").removeprefix("/customerSession")
            raise _refuse(f"the session is not valid: {message}", pointer) from None
        session = self.fake.seed_session(integration_id, State(state), **update.given())
        return {**wire.customer_session(session), "history": _history(session.history)}

    def get_session(self, call: Call, integration_id: str) -> dict[str, Any]:
        """GET /__admin/sessions/{id}: one session, as in the list."""
        try:
            session = self.fake.session(integration_id)
        except TalonFakesError:
            raise _Refused(f"no session {integration_id!r} in the fake", status=404) from None
        effects = last_effects(reversed(self.fake.journal)).get(integration_id, [])
        return {**wire.customer_session(session), "history": _history(session.history), "effects": effects}

    def session_history(self, call: Call, integration_id: str) -> dict[str, Any]:
        """GET /__admin/sessions/{id}/history: its (operation, state) steps."""
        try:
            steps = self.fake.history(integration_id)
        except TalonFakesError:
            raise _Refused(f"no session {integration_id!r} in the fake", status=404) from None
        return {"integrationId": integration_id, "history": _history(steps)}

    def get_transitions(self, call: Call) -> dict[str, Any]:
        """GET /__admin/transitions: the moves made since the reset, and the table's others."""
        made = self.fake.transitions()
        table = self.fake.backend.rules
        rows = [_move(move, made.get(move, 0)) for move in sorted(table.transitions, key=str)]
        return {
            "rules": table.name,
            "made": [row for row in rows if row["count"]],
            "notExercised": [row for row in rows if not row["count"]],
        }

    def get_diagram(self, call: Call) -> Answer:
        """GET /__admin/diagram: the rule set's diagram with the moves made marked."""
        fmt = call.args.get("format", "svg")
        if fmt not in diagram.FORMATS:
            raise _refuse(f"no diagram format {fmt!r}; one of {', '.join(diagram.FORMATS)}", "format")
        text = diagram.render(self.fake.backend.rules, fmt, self.fake.transitions())
        kind = "image/svg+xml" if fmt == "svg" else "text/plain; charset=utf-8"
        return 200, text.encode(), kind

    # -- the journal ---------------------------------------------------------------------------

    def get_journal(self, call: Call) -> dict[str, Any]:
        """GET /__admin/journal[?limit=N]: newest first, each with its contract verdict."""
        raw = call.args.get("limit")
        limit = None
        if raw is not None:
            if not raw.isdigit() or int(raw) < 1:
                raise _refuse(f"limit must be a whole number of at least 1; got {raw!r}", "limit")
            limit = int(raw)
        return self.journal.rows(self.fake.journal, limit)

    def clear_journal(self, call: Call) -> dict[str, Any]:
        """DELETE /__admin/journal."""
        self.fake.app.journal.clear()  # a deque's clear is atomic: no request is half added
        self.journal.clear()
        return {"cleared": True}

    # -- faults and the clock ------------------------------------------------------------------

    def list_faults(self, call: Call) -> dict[str, Any]:
        """GET /__admin/faults: those still to fire."""
        return {"faults": [asdict(fault) for fault in list(self.fake.app.faults)]}

    def add_fault(self, call: Call) -> tuple[int, bytes, str]:
        """POST /__admin/faults: the fields of ``TalonFake.inject_fault``."""
        document = _object(call)
        for name, value in document.items():
            kinds = _FAULT_FIELDS.get(name)
            if kinds is None:
                raise _refuse(f"unknown fault field {name!r}; known: {', '.join(_FAULT_FIELDS)}", name)
            if value is None or kinds == (object,):
                continue
            if isinstance(value, bool) is not (kinds == (bool,)) or not isinstance(value, kinds):
                raise _refuse(f"{name} must be {_kind(kinds)}; got {value!r}", name)
        if "status" in document and document["status"] is not None and not 100 <= document["status"] <= 599:
            raise _refuse(f"status must be an HTTP status, 100 to 599; got {document['status']}", "status")
        delay = document.get("delay") or 0
        if not (math.isfinite(delay) and 0 <= delay <= 3600):
            raise _refuse(f"delay must be 0 to 3600 seconds; got {delay!r}", "delay")
        if "times" in document and (document["times"] is None or document["times"] < 1):
            raise _refuse(f"times must be 1 or more; got {document['times']!r}", "times")
        self.fake.inject_fault(**{k: v for k, v in document.items() if v is not None})
        return 201, orjson.dumps(self.list_faults(call)), JSON

    def clear_faults(self, call: Call) -> dict[str, Any]:
        """DELETE /__admin/faults."""
        self.fake.app.faults.clear()  # atomic; a fault that fires meanwhile has fired
        return {"faults": []}

    def get_campaigns(self, call: Call) -> dict[str, Any]:
        """GET /__admin/campaigns: the campaigns in force, with their codes."""
        return {
            "campaigns": [
                {
                    "id": campaign.id,
                    "name": campaign.name,
                    "state": campaign.state,
                    "running": campaign.is_running(self.fake.clock.now()),
                    "coupons": [coupon.value for coupon in campaign.coupons],
                    "referrals": [referral.code for referral in campaign.referrals],
                    "rules": len(campaign.rules),
                }
                for campaign in self.fake.campaigns.campaigns
            ]
        }

    def put_campaigns(self, call: Call) -> dict[str, Any]:
        """PUT /__admin/campaigns: the same document as ``serve --campaigns FILE``.

        They stay across ``POST /__admin/reset``, as campaigns given at start do (WireMock keeps the
        stubs a client loaded across its reset too); a document the fake cannot take is a 400 naming
        the JSON path inside it, and changes nothing.
        """
        from talon_fakes.errors import InvalidCampaigns
        from talon_fakes.fake.campaigns import load_campaigns

        document = _object(call)
        try:
            campaigns = load_campaigns(document)
        except InvalidCampaigns as error:
            raise _refuse(f"the campaigns are not valid: {error}", error.path) from None
        self.fake.app.declare_campaigns(campaigns)
        return self.get_campaigns(call)

    def get_clock(self, call: Call) -> dict[str, Any]:
        """GET /__admin/clock."""
        return {"now": wire.timestamp(self.fake.clock.now())}

    def set_clock(self, call: Call) -> dict[str, Any]:
        """PUT /__admin/clock: ``{"now": "<RFC 3339>"}`` stops it there; ``null`` follows real time."""
        document = _object(call, required=("now",))
        now = document["now"]
        if now is None:
            self.fake.clock.run()
        elif isinstance(now, str):
            try:
                at = rfc3339(now)
            except ValueError as error:
                raise _refuse(str(error), "now") from None
            self.fake.clock.set(at)
        else:
            raise _refuse(
                f"now must be an RFC 3339 string such as '2030-01-01T00:00:00Z'; got {now!r}", "now"
            )
        return self.get_clock(call)

    def advance_clock(self, call: Call) -> dict[str, Any]:
        """POST /__admin/clock/advance: ``{"seconds": N}`` forward (the clock stops there)."""
        seconds = _object(call, required=("seconds",))["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
            raise _refuse(f"seconds must be a number; got {seconds!r}", "seconds")
        if not 0 <= seconds <= 100 * 365 * 86400:
            raise _refuse(
                f"seconds must be 0 to 100 years; got {seconds}; to go back, PUT /__admin/clock", "seconds"
            )
        self.fake.clock.advance(timedelta(seconds=seconds))
        return self.get_clock(call)


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` reaches this machine only (a name other than localhost may not)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def required_token(host: str, admin_token: str | None, management_key: str) -> str | None:
    """The token the control API needs when serving on ``host``: the ``admin_token`` when given;
    beyond loopback, the management key if no other (whoever may reset the fake may also read
    it through the Management API); on loopback, none."""
    if admin_token is not None:
        return admin_token
    return None if is_loopback(host) else management_key


def _object(call: Call, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The call's JSON object body, with the ``required`` fields."""
    if not call.body.strip():
        raise _refuse("the call needs a JSON object body")
    document = json_body(call)
    if not isinstance(document, dict):
        raise _refuse(f"the body must be a JSON object, not {type(document).__name__}")
    missing = [name for name in required if name not in document]
    if missing:
        raise _refuse(f"the body needs {', '.join(missing)}", missing[0])
    return document


def _kind(kinds: tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    return " or ".join(names[kind] for kind in kinds)


def _history(steps: Any) -> list[list[str]]:
    return [[operation.value, state.value] for operation, state in steps]


def _move(move: Any, count: int) -> dict[str, Any]:
    return {
        "move": diagram.move_id(move),
        "source": None if move.source is None else move.source.value,
        "target": move.target.value,
        "operation": move.operation.value,
        "count": count,
    }
