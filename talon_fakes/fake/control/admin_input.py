"""The control API's input: reading and checking what a ``/__admin/`` call carries.

Each function here takes a :class:`~talon_fakes.fake.web.calls.Call` of the control API
(:mod:`talon_fakes.fake.control.admin`) and returns what its handler hands to the fake's Python control
of the same name (``seed_session``, ``inject_fault``, the clock, ``set_campaigns``), or raises
:class:`Refused` naming the field, the value and the rule. The handler turns that into a 400 in
Talon.One's error shape, before anything has changed. The Python controls' own argument checks are
:mod:`talon_fakes.fake.control.fault_checks`'; these read JSON, whose types (``true`` is no ``1``) and shapes
they check first.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from talon_fakes import diagram
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.domain import wire
from talon_fakes.fake.domain.model import rfc3339
from talon_fakes.fake.web.calls import Call, json_body
from talon_fakes.states import State

if TYPE_CHECKING:
    from talon_fakes.fake.domain.campaign_model import Campaigns

# The fault fields and the JSON types each takes (bool is an int in Python: checked apart).
_FAULT_FIELDS: dict[str, tuple[type, ...]] = {
    "status": (int,),
    "body": (object,),
    "delay": (int, float),
    "drop": (bool,),
    "times": (int,),
    "operation": (str,),
}


class Refused(Exception):
    """Bad control input: a 400 (or ``status``) naming the field."""

    def __init__(self, message: str, *, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def refuse(message: str, field: str = "") -> Refused:
    """A 400 :class:`Refused` of ``field`` (the JSON name or pointer of what was wrong)."""
    return Refused(message, field=field)


def json_object(call: Call, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The call's JSON object body, with the ``required`` fields."""
    if not call.body.strip():
        raise refuse("the call needs a JSON object body")
    document = json_body(call)
    if not isinstance(document, dict):
        raise refuse(f"the body must be a JSON object, not {type(document).__name__}")
    missing = [name for name in required if name not in document]
    if missing:
        raise refuse(f"the body needs {', '.join(missing)}", missing[0])
    return document


def seed(call: Call) -> tuple[State, dict[str, Any]]:
    """The state and the ``seed_session`` fields of ``PUT /__admin/sessions/{id}``: the body is an
    update's ``customerSession`` (or a PUT's whole body), with any ``state``."""
    document = json_object(call)
    if set(document) <= {"customerSession", "responseContent"} and isinstance(
        document.get("customerSession"), dict
    ):  # a PUT's whole body: its customerSession is the seed
        document = dict(document["customerSession"])
    unknown = sorted(set(document) - wire.UPDATE_FIELD_NAMES)
    if unknown:
        raise refuse(
            f"unknown session field {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(wire.UPDATE_FIELD_NAMES))}",
            unknown[0],
        )
    state = document.pop("state", State.OPEN.value)
    if state not in State.__members__.values():
        raise refuse(f"state must be one of {', '.join(s.value for s in State)}; got {state!r}", "state")
    try:  # read as a PUT's customerSession is, so the same JSON means the same session
        update, _ = wire.session_update({"customerSession": document})
    except TalonFakesError as error:
        # Named as in the seed's body, not the PUT body it was read as.
        message = str(error).removeprefix("customerSession.")
        pointer = (getattr(error, "pointer", "") or "").removeprefix("/customerSession")
        raise refuse(f"the session is not valid: {message}", pointer) from None
    return State(state), update.given()


def journal_limit(call: Call) -> int | None:
    """The ``?limit=N`` of ``GET /__admin/journal`` (``None``: every entry kept)."""
    raw = call.args.get("limit")
    limit = None
    if raw is not None:
        if not raw.isdigit() or int(raw) < 1:
            raise refuse(f"limit must be a whole number of at least 1; got {raw!r}", "limit")
        limit = int(raw)
    return limit


def diagram_format(call: Call) -> str:
    """The ``?format=`` of ``GET /__admin/diagram`` (``svg`` when not given)."""
    fmt = call.args.get("format", "svg")
    if fmt not in diagram.FORMATS:
        raise refuse(f"no diagram format {fmt!r}; one of {', '.join(diagram.FORMATS)}", "format")
    return fmt


def fault(call: Call) -> dict[str, Any]:
    """The ``inject_fault`` arguments of ``POST /__admin/faults`` (a ``null`` field is left out)."""
    document = json_object(call)
    for name, value in document.items():
        kinds = _FAULT_FIELDS.get(name)
        if kinds is None:
            raise refuse(f"unknown fault field {name!r}; known: {', '.join(_FAULT_FIELDS)}", name)
        if value is None or kinds == (object,):
            continue
        if isinstance(value, bool) is not (kinds == (bool,)) or not isinstance(value, kinds):
            raise refuse(f"{name} must be {_kind(kinds)}; got {value!r}", name)
    if "status" in document and document["status"] is not None and not 100 <= document["status"] <= 599:
        raise refuse(f"status must be an HTTP status, 100 to 599; got {document['status']}", "status")
    delay = document.get("delay") or 0
    if not (math.isfinite(delay) and 0 <= delay <= 3600):
        raise refuse(f"delay must be 0 to 3600 seconds; got {delay!r}", "delay")
    if "times" in document and (document["times"] is None or document["times"] < 1):
        raise refuse(f"times must be 1 or more; got {document['times']!r}", "times")
    return {k: v for k, v in document.items() if v is not None}


def campaigns(call: Call) -> Campaigns:
    """The campaigns of ``PUT /__admin/campaigns``: the same document as ``serve --campaigns FILE``;
    one the fake cannot take is refused naming the JSON path inside it."""
    from talon_fakes.errors import InvalidCampaigns
    from talon_fakes.fake.domain.campaigns import load_campaigns

    document = json_object(call)
    try:
        return load_campaigns(document)
    except InvalidCampaigns as error:
        raise refuse(f"the campaigns are not valid: {error}", error.path) from None


def clock_time(call: Call) -> datetime | None:
    """The ``now`` of ``PUT /__admin/clock``: where to stop the clock, or ``None`` (``null``) to
    follow real time again."""
    now = json_object(call, required=("now",))["now"]
    if now is None:
        return None
    if isinstance(now, str):
        try:
            return rfc3339(now)
        except ValueError as error:
            raise refuse(str(error), "now") from None
    raise refuse(f"now must be an RFC 3339 string such as '2030-01-01T00:00:00Z'; got {now!r}", "now")


def advance_seconds(call: Call) -> float:
    """The ``seconds`` of ``POST /__admin/clock/advance``: 0 to 100 years forward."""
    seconds = json_object(call, required=("seconds",))["seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        raise refuse(f"seconds must be a number; got {seconds!r}", "seconds")
    if not 0 <= seconds <= 100 * 365 * 86400:
        raise refuse(
            f"seconds must be 0 to 100 years; got {seconds}; to go back, PUT /__admin/clock", "seconds"
        )
    return seconds


def _kind(kinds: tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    return " or ".join(names[kind] for kind in kinds)
