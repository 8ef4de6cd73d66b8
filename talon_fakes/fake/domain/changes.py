"""A change to a session, as the backend sees it: what an operation carries and what it made.

:class:`SessionUpdate` is what a PUT carries (and a seed's fields, :data:`SEED_FIELDS`);
:class:`Outcome` is what an operation did (or, dry, would do), with the built-in event it is
(:func:`event_type`); :data:`Confirm` is the callback that sees an outcome before it is stored.
Pure Python, below the store (:mod:`talon_fakes.fake.domain.backend`, which makes them) and above the
model (:mod:`talon_fakes.fake.domain.model`); the wire (:mod:`talon_fakes.fake.domain.wire`) reads and writes
them as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from talon_fakes.fake.domain.model import MISSING, Profile, Return, Session
from talon_fakes.states import Operation, State


@dataclass(frozen=True)
class SessionUpdate:
    """What a PUT carries. A field the request leaves out is :data:`MISSING` (the value is kept)."""

    profile_id: Any = MISSING
    state: Any = MISSING
    cart_items: Any = MISSING
    coupon_codes: Any = MISSING
    referral_code: Any = MISSING
    loyalty_cards: Any = MISSING
    identifiers: Any = MISSING
    additional_costs: Any = MISSING
    attributes: Any = MISSING
    store_integration_id: Any = MISSING
    evaluable_campaign_ids: Any = MISSING
    experiment_variant_allocations: Any = MISSING

    def given(self) -> dict[str, Any]:
        """The fields the request sent."""
        return {name: value for name in _UPDATE_FIELDS if (value := getattr(self, name)) is not MISSING}


_UPDATE_FIELDS = tuple(f.name for f in fields(SessionUpdate))
#: The fields a seeded session takes besides its state
#: (:meth:`~talon_fakes.fake.domain.backend.Backend.seed_session`).
SEED_FIELDS = tuple(name for name in _UPDATE_FIELDS if name != "state")


@dataclass(frozen=True)
class Outcome:
    """What an operation did (or, dry, would do): the session after it, the session's profile after
    it (``None`` for an anonymous session), for a return the return it made, and the built-in
    event the operation is (its ID, and its type; empty for a seed, which is no event)."""

    session: Session
    profile: Profile | None = None
    created: Return | None = None
    event_id: int = 0
    event_type: str = ""


def event_type(before: Session | None, after: Session) -> str:
    """The built-in event an operation makes, as docs.talon.one "Events" (dev/concepts/events) and
    "Displaying events" list them: created, updated, closed, cancelled (an open session),
    revoked (a closed one), partially_returned (a return) and reopened."""
    operation, target = after.history[-1]
    if before is None or before.id != after.id:
        return "talon_session_created"
    if operation is Operation.RETURN:
        return "talon_session_partially_returned"
    if operation is Operation.REOPEN:
        return "talon_session_reopened"
    if target is State.CANCELLED:
        return "talon_session_cancelled" if before.state is State.OPEN else "talon_session_revoked"
    if target is State.CLOSED and before.state is not State.CLOSED:
        return "talon_session_closed"
    return "talon_session_updated"


#: Runs with an operation's outcome before anything is stored; whatever it raises stores nothing.
Confirm = Callable[[Outcome], None]
