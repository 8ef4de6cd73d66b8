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
    GET|PUT /__admin/campaigns                  the declared campaigns (a campaigns document)
    GET    /__admin/                            the live dashboard (HTML)

Each call does what the Python control of the same name does (seeding *is*
``TalonFake.seed_session``, with its checks and refusals). Bad input is a 400 in Talon.One's
error shape naming what is wrong, and changes nothing. With a ``token`` (``serve`` sets one when it
listens beyond loopback), every call needs ``Authorization: Bearer <token>``; the dashboard page
also takes ``?token=``, for a browser.

This module holds the route table, the access check and the handlers; what a call carries is read
and checked by :mod:`talon_fakes.fake.control.admin_input`.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson

from talon_fakes import auth, diagram
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.control import admin_input
from talon_fakes.fake.control.admin_input import Refused
from talon_fakes.fake.control.journal_view import JournalView, last_effects
from talon_fakes.fake.domain import wire
from talon_fakes.fake.web.calls import Call, HttpError

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
        except Refused as error:
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
            raise Refused(f"{call.method} is not allowed here; use {', '.join(allowed)}", status=405)
        routes = ", ".join(f"{method} /__admin{path}" for method, path, _ in _TABLE)
        raise Refused(f"no control endpoint {call.path}; the control API has: {routes}", status=404)

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
        raise Refused(
            "the control API needs Authorization: Bearer <token> (the token `serve` printed at start)",
            field="Authorization",
            status=401,
        )

    # -- the fake's state ----------------------------------------------------------------------

    def dashboard(self, call: Call) -> Answer:
        """GET /__admin/: the live dashboard."""
        from talon_fakes.fake.control.dashboard import PAGE

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
        state, fields = admin_input.seed(call)
        session = self.fake.seed_session(integration_id, state, **fields)
        return {**wire.customer_session(session), "history": _history(session.history)}

    def get_session(self, call: Call, integration_id: str) -> dict[str, Any]:
        """GET /__admin/sessions/{id}: one session, as in the list."""
        try:
            session = self.fake.session(integration_id)
        except TalonFakesError:
            raise Refused(f"no session {integration_id!r} in the fake", status=404) from None
        effects = last_effects(reversed(self.fake.journal)).get(integration_id, [])
        return {**wire.customer_session(session), "history": _history(session.history), "effects": effects}

    def session_history(self, call: Call, integration_id: str) -> dict[str, Any]:
        """GET /__admin/sessions/{id}/history: its (operation, state) steps."""
        try:
            steps = self.fake.history(integration_id)
        except TalonFakesError:
            raise Refused(f"no session {integration_id!r} in the fake", status=404) from None
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
        fmt = admin_input.diagram_format(call)
        text = diagram.render(self.fake.backend.rules, fmt, self.fake.transitions())
        kind = "image/svg+xml" if fmt == "svg" else "text/plain; charset=utf-8"
        return 200, text.encode(), kind

    # -- the journal ---------------------------------------------------------------------------

    def get_journal(self, call: Call) -> dict[str, Any]:
        """GET /__admin/journal[?limit=N]: newest first, each with its contract verdict."""
        return self.journal.rows(self.fake.journal, admin_input.journal_limit(call))

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
        self.fake.inject_fault(**admin_input.fault(call))
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
        campaigns = admin_input.campaigns(call)
        self.fake.app.declare_campaigns(campaigns)
        return self.get_campaigns(call)

    def get_clock(self, call: Call) -> dict[str, Any]:
        """GET /__admin/clock."""
        return {"now": wire.timestamp(self.fake.clock.now())}

    def set_clock(self, call: Call) -> dict[str, Any]:
        """PUT /__admin/clock: ``{"now": "<RFC 3339>"}`` stops it there; ``null`` follows real time."""
        at = admin_input.clock_time(call)
        if at is None:
            self.fake.clock.run()
        else:
            self.fake.clock.set(at)
        return self.get_clock(call)

    def advance_clock(self, call: Call) -> dict[str, Any]:
        """POST /__admin/clock/advance: ``{"seconds": N}`` forward (the clock stops there)."""
        self.fake.clock.advance(timedelta(seconds=admin_input.advance_seconds(call)))
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
