"""The domain of the fake: sessions, carts, profiles and their totals. Pure Python.

Nothing here knows JSON field spellings or HTTP (that is :mod:`talon_fakes.wire` and the HTTP
layer); nothing here decides whether a state change is legal (that is :mod:`talon_fakes.states`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from talon_fakes.states import Operation, State

#: What a PUT leaves out: the stored value is kept.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


@dataclass(frozen=True)
class CartItem:
    """One line of a cart.

    ``details`` holds every field the domain does not compute with (name, category, product,
    dimensions, attributes, catalog data), kept as the client sent it.
    """

    sku: str
    quantity: int
    price: float | None = None
    returned_quantity: int = 0
    additional_costs: Mapping[str, float] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def remaining_quantity(self) -> int:
        """Units still in the cart after returns."""
        return self.quantity - self.returned_quantity


@dataclass(frozen=True)
class ReturnedItem:
    """One line of a return: ``quantity`` units of the cart item at ``position``."""

    position: int
    quantity: int
    sku: str | None = None


@dataclass(frozen=True)
class Return:
    """A persisted return of cart items."""

    id: int
    created: datetime
    items: tuple[ReturnedItem, ...]
    event_id: int


@dataclass
class Profile:
    """A customer profile, created on first use of its integration ID."""

    id: int
    integration_id: str
    created: datetime
    last_activity: datetime
    closed_sessions: int = 0
    total_sales: float = 0.0
    session_count: int = 0


@dataclass
class Session:
    """A customer session as the fake stores it."""

    id: int
    integration_id: str
    application_id: int
    created: datetime
    updated: datetime
    profile_id: str = ""  # the profile's integration ID; "" is an anonymous session
    profile_internal_id: int | None = None
    state: State = State.OPEN
    cart_items: tuple[CartItem, ...] = ()
    coupon_codes: tuple[str, ...] = ()
    referral_code: str = ""
    loyalty_cards: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    additional_costs: Mapping[str, float] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)
    store_integration_id: str | None = None
    evaluable_campaign_ids: tuple[int, ...] = ()
    experiment_variant_allocations: tuple[Mapping[str, int], ...] = ()
    first_session: bool = True
    update_count: int = 1
    history: tuple[tuple[Operation, State], ...] = ()
    returns: tuple[Return, ...] = ()

    @property
    def cart_item_total(self) -> float:
        """Price x remaining units; items priced from the catalog (no price) count as 0."""
        return _money(sum((item.price or 0.0) * item.remaining_quantity for item in self.cart_items))

    @property
    def additional_cost_total(self) -> float:
        """The session-level additional costs."""
        return _money(sum(self.additional_costs.values()))

    @property
    def cart_item_additional_cost_total(self) -> float:
        """Item-level additional costs, per remaining unit (Talon.One flattens each unit)."""
        return _money(
            sum(sum(item.additional_costs.values()) * item.remaining_quantity for item in self.cart_items)
        )

    @property
    def total(self) -> float:
        """Cart items plus all additional costs, before discounts."""
        return _money(
            self.cart_item_total + self.additional_cost_total + self.cart_item_additional_cost_total
        )

    @property
    def is_anonymous(self) -> bool:
        """Whether the session has no customer profile."""
        return self.profile_id == ""

    def copy(self, **changes: Any) -> Session:
        """A copy with ``changes``; sessions are replaced, never edited in place, once stored."""
        return replace(self, **changes)


def _money(amount: float) -> float:
    """Sums of prices in the currency's cents, without binary noise (0.1 + 0.2 -> 0.3)."""
    return round(amount, 6)


class Clock:
    """The time the fake lives in: real UTC time, or a time a test sets and moves."""

    def __init__(self, at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen = _utc(at) if at is not None else None

    def now(self) -> datetime:
        """The current time (UTC)."""
        with self._lock:
            return self._frozen if self._frozen is not None else datetime.now(UTC)

    def set(self, at: datetime) -> None:
        """Stop the clock at ``at`` (naive times are taken as UTC)."""
        with self._lock:
            self._frozen = _utc(at)

    def advance(self, by: timedelta) -> None:
        """Move a stopped clock forward (stops a running one first)."""
        with self._lock:
            self._frozen = (self._frozen or datetime.now(UTC)) + by

    def run(self) -> None:
        """Follow real time again."""
        with self._lock:
            self._frozen = None


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
