"""The domain of the fake: sessions, carts, profiles and their totals. Pure Python.

Nothing here knows JSON field spellings or HTTP (that is :mod:`talon_fakes.fake.domain.wire` and the HTTP
layer); nothing here decides whether a state change is legal (that is :mod:`talon_fakes.states`).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, overload

from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

from talon_fakes.errors import InvalidRequest
from talon_fakes.states import Operation, State

#: What a PUT leaves out: the stored value is kept.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

# The default of mapping fields: immutable, so one object serves every session and cart item
# (two empty dicts a session would be a tenth of a stored session's memory).
_EMPTY: Mapping[str, Any] = MappingProxyType({})

Step = tuple[Operation, State]
_Totals = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class CartItem:
    """One line of a cart.

    ``details`` holds every field the domain does not compute with (name, category, product,
    dimensions, attributes, catalog data), kept as the client sent it.
    """

    sku: str
    quantity: int
    price: float | None = None
    returned_quantity: int = 0
    additional_costs: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    details: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def remaining_quantity(self) -> int:
        """Units still in the cart after returns."""
        return self.quantity - self.returned_quantity


@dataclass(frozen=True, slots=True)
class ReturnedItem:
    """One line of a return: ``quantity`` units of the cart item at ``position``."""

    position: int
    quantity: int
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class Return:
    """A persisted return of cart items."""

    id: int
    created: datetime
    items: tuple[ReturnedItem, ...]
    event_id: int


@dataclass(slots=True)
class Profile:
    """A customer profile, created on first use of its integration ID.

    ``closed_sessions`` and ``total_sales`` follow the spec's descriptions: they count the
    profile's sessions that are closed now (``closed`` or ``partially_returned``; a cancelled or
    reopened session no longer counts) and their totals before discounts, returned units left out.
    Once stored, a profile is replaced by a changed copy, never edited in place.
    """

    id: int
    integration_id: str
    created: datetime
    last_activity: datetime
    closed_sessions: int = 0
    total_sales: float = 0.0
    session_count: int = 0


class History(Sequence[Step]):
    """A session's (operation, state) steps, oldest first: an immutable sequence.

    Each version of a session holds its own history, and the versions share their common steps:
    :meth:`plus` makes a new history from this one and a step in constant time, where a tuple
    would copy every earlier step (a session updated 10 000 times would copy 50 million). Reading
    walks the chain once; histories are read far less often than they grow.
    """

    __slots__ = ("_length", "_parent", "_steps")

    def __init__(self, steps: Iterable[Step] = ()) -> None:
        self._parent: History | None = None
        self._steps = tuple(steps)  # the steps after the parent's
        self._length = len(self._steps)

    def plus(self, step: Step) -> History:
        """This history and one more step."""
        grown = History.__new__(History)
        grown._parent, grown._steps, grown._length = self, (step,), self._length + 1
        return grown

    def _flat(self) -> tuple[Step, ...]:
        chunks = []
        node: History | None = self
        while node is not None:
            chunks.append(node._steps)
            node = node._parent
        return tuple(step for chunk in reversed(chunks) for step in chunk)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Step: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Step, ...]: ...
    def __getitem__(self, index: int | slice) -> Step | tuple[Step, ...]:
        return self._flat()[index]

    def __iter__(self) -> Iterator[Step]:
        return iter(self._flat())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, History):
            return self._length == other._length and self._flat() == other._flat()
        if isinstance(other, tuple | list):
            return self._flat() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._flat())

    def __repr__(self) -> str:
        return f"History({list(self._flat())!r})"


@dataclass(slots=True)
class Session:
    """A customer session as the fake stores it.

    Once stored, a session is replaced by a changed :meth:`copy`, never edited in place; so its
    totals are worked out once, when first asked for.
    """

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
    additional_costs: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    store_integration_id: str | None = None
    evaluable_campaign_ids: tuple[int, ...] = ()
    experiment_variant_allocations: tuple[Mapping[str, int], ...] = ()
    first_session: bool = True
    update_count: int = 1
    history: Sequence[Step] = ()
    returns: tuple[Return, ...] = ()
    #: The effects of the session's latest evaluation that still hold (what GET answers, and
    #: what closing it redeemed): set by :mod:`talon_fakes.fake.domain.effects` before the version is stored.
    effects: tuple[Mapping[str, Any], ...] = ()
    # (total, cart items, additional costs, item additional costs), once asked for
    _totals: tuple[float, float, float, float] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _sums(self) -> _Totals:
        if self._totals is None:
            items: float = 0
            item_costs: float = 0
            for item in self.cart_items:
                units = item.quantity - item.returned_quantity
                items += (item.price or 0.0) * units  # items priced from the catalog count as 0
                if item.additional_costs:  # Talon.One flattens every unit: costs count per unit
                    item_costs += sum(item.additional_costs.values()) * units
            items, costs, item_costs = (
                money(items),
                money(sum(self.additional_costs.values())),
                money(item_costs),
            )
            self._totals = (money(items + costs + item_costs), items, costs, item_costs)
        return self._totals

    @property
    def cart_item_total(self) -> float:
        """Price x remaining units; items priced from the catalog (no price) count as 0."""
        return self._sums()[1]

    @property
    def additional_cost_total(self) -> float:
        """The session-level additional costs."""
        return self._sums()[2]

    @property
    def cart_item_additional_cost_total(self) -> float:
        """Item-level additional costs, per remaining unit (Talon.One flattens each unit)."""
        return self._sums()[3]

    @property
    def total(self) -> float:
        """Cart items plus all additional costs, before discounts."""
        return self._sums()[0]

    @property
    def is_anonymous(self) -> bool:
        """Whether the session has no customer profile."""
        return self.profile_id == ""

    def copy(self, **changes: Any) -> Session:
        """A copy with ``changes`` (field names); its totals are worked out afresh."""
        unknown = changes.keys() - _SESSION_FIELDS
        if unknown:
            raise TypeError(f"Session has no field {', '.join(sorted(unknown))}")
        return _copy(self, changes)


_SESSION_FIELDS = frozenset(f.name for f in fields(Session) if f.init)


def _copier() -> Callable[[Session, dict[str, Any]], Session]:
    """A function that copies a session field by field, written out as ``dataclasses`` writes
    ``__init__``: a copy happens on every update, and a loop over the names costs three times more."""
    lines = ["def copy(self, changes):", "    new = new_session(Session)", "    get = changes.get"]
    lines += [f"    new.{name} = get({name!r}, self.{name})" for name in sorted(_SESSION_FIELDS)]
    lines += ["    new._totals = None", "    return new"]
    namespace: dict[str, Any] = {"new_session": object.__new__, "Session": Session}
    exec("\n".join(lines), namespace)  # the names are the dataclass's own fields
    copy: Callable[[Session, dict[str, Any]], Session] = namespace["copy"]
    return copy


_copy = _copier()


def returned(cart: Sequence[CartItem], line: ReturnedItem, index: int) -> CartItem:
    """The cart item at ``line.position`` after line ``index`` of a return; a line that names no
    item, another SKU, or more units than remain raises :class:`InvalidRequest` with its pointer."""
    pointer = f"/return/returnedCartItems/{index}"
    if not 0 <= line.position < len(cart):
        raise InvalidRequest(
            f"no cart item at position {line.position}; the cart has {len(cart)} items",
            pointer=f"{pointer}/position",
        )
    item = cart[line.position]
    if line.sku is not None and line.sku != item.sku:
        raise InvalidRequest(
            f"the cart item at position {line.position} is {item.sku!r}, not {line.sku!r}",
            pointer=f"{pointer}/sku",
        )
    if not 1 <= line.quantity <= item.remaining_quantity:
        raise InvalidRequest(
            f"cannot return {line.quantity} of {item.sku!r}: {item.remaining_quantity} remain",
            pointer=f"{pointer}/quantity",
        )
    return replace(item, returned_quantity=item.returned_quantity + line.quantity)


def money(amount: float) -> float:
    """Sums of prices in the currency's cents, without binary noise (0.1 + 0.2 -> 0.3)."""
    return round(amount, 6)


class Clock:
    """The time the fake lives in: real UTC time, or a time a test sets and moves.

    It never goes back past a time the fake has stamped on what it stores (its sessions would
    have ``updated`` before ``created``, and internal IDs out of time order, as the real API never
    has): :meth:`set`, :meth:`advance` and :meth:`run` refuse that with a ValueError. :meth:`reset`
    puts it back as it was made, following real time or stopped at ``at``, and forgets the stamps
    (a clock shared by two fakes is reset by either fake's ``reset()``).
    """

    def __init__(self, at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._initial = self._frozen = _utc(at) if at is not None else None
        self._latest: datetime | None = None  # the latest time stamped on something stored

    def reset(self) -> None:
        """Back to how the clock was made (real time, or stopped at the ``at`` it was given)."""
        with self._lock:
            self._frozen, self._latest = self._initial, None

    def now(self) -> datetime:
        """The current time (UTC)."""
        with self._lock:
            return self._frozen if self._frozen is not None else datetime.now(UTC)

    def stamped(self, at: datetime) -> None:
        """Note that the fake stored something stamped ``at``: the clock will not go back past it."""
        with self._lock:
            if self._latest is None or at > self._latest:
                self._latest = at

    def set(self, at: datetime | str) -> None:
        """Stop the clock at ``at``: a datetime (naive is taken as UTC) or ``'2030-01-01T00:00:00Z'``."""
        with self._lock:
            self._frozen = self._not_back(_utc(at))

    def advance(self, by: timedelta | float) -> None:
        """Move a stopped clock forward by a timedelta or a number of seconds (stops a running one first)."""
        if isinstance(by, int | float) and not isinstance(by, bool):
            if not math.isfinite(by):
                raise ValueError(f"clock.advance() takes a finite number of seconds, not {by!r}")
            by = timedelta(seconds=by)  # beyond timedelta's range: its own OverflowError
        if not isinstance(by, timedelta):
            raise TypeError(
                f"clock.advance() takes a timedelta or seconds (an int or float), not "
                f"{type(by).__name__}: {by!r}; e.g. clock.advance(3600) or clock.advance(timedelta(hours=1))"
            )
        with self._lock:
            self._frozen = self._not_back((self._frozen or datetime.now(UTC)) + by)

    def run(self) -> None:
        """Follow real time again."""
        with self._lock:
            self._not_back(datetime.now(UTC))
            self._frozen = None

    def _not_back(self, at: datetime) -> datetime:
        if self._latest is not None and at < self._latest:
            raise ValueError(
                f"the clock cannot go back to {at.isoformat()}: the fake has already stamped "
                f"{self._latest.isoformat()} on what it stores; set times in order, or reset() first"
            )
        return at


def rfc3339(text: str) -> datetime:
    """An RFC 3339 date-time (``T`` and ``Z`` in either case), in UTC; anything else is a ValueError.

    One more spelling is taken: an offset without its colon (``+0000``), which talon-one-sdk 26
    sends for ``now``. ``datetime.fromisoformat`` alone would take every other ISO 8601 spelling
    too (``20300101T00Z``, week dates, no seconds), which no Talon.One client sends.
    """
    upper = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.upper())
    if text.endswith("\n") or not validate_rfc3339(upper):  # the validator's $ takes a newline
        raise ValueError(f"not an RFC 3339 date-time: {text!r}; e.g. '2030-01-01T00:00:00Z'")
    try:
        return datetime.fromisoformat(upper).astimezone(UTC)
    except ValueError:  # well formed, but no time Python holds
        raise ValueError(f"not a time the fake can hold: {text!r}") from None
    except OverflowError:  # before year 1 or after year 9999 once in UTC
        raise ValueError(f"out of range: {text!r} is not between years 1 and 9999 in UTC") from None


_OFFSET_WITHOUT_COLON = re.compile(r"(?<=:\d\d)((?:\.\d+)?[+-]\d\d)(\d\d)\Z")


def _utc(at: datetime | str) -> datetime:
    if isinstance(at, str):  # an RFC 3339 time, as the API spells them
        at = rfc3339(at)
    if not isinstance(at, datetime):
        raise TypeError(f"a clock time is a datetime or an RFC 3339 string, not {type(at).__name__}")
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
