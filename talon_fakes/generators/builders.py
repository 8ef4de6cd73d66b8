"""Domain objects built from a :class:`~talon_fakes.generators.sources.Source`: the one definition of
each shape.

Factories and strategies both call these builders (with a seeded ``random.Random`` or with
Hypothesis behind the source), and :mod:`talon_fakes.generators.entities` renders what they build through
:mod:`talon_fakes.fake.domain.wire`. A session is built from a legal history: a walk through the transition
table (:mod:`talon_fakes.states`, never restated here) from creation to the state asked for, so
its returned quantities, update count and timestamps follow from the moves that made it.

The domain keeps some JSON as the client sent it (cart item details, attributes, effects); those
few spellings are written here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from talon_fakes.contracts.invariants import MAX_CART_ITEMS, MAX_CART_QUANTITY
from talon_fakes.errors import UnreachableState
from talon_fakes.fake.domain import wire
from talon_fakes.fake.domain.model import CartItem, Profile, Return, ReturnedItem, Session
from talon_fakes.generators import promotions
from talon_fakes.generators.sources import Pools, Source, code, cumulative, money, uuid4
from talon_fakes.states import Operation, RuleSet, State, Transition

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)  # generated times are EPOCH plus seeded offsets
_SPAN = 660 * 86_400  # seconds after EPOCH a session may be created
_STEP = 3 * 86_400  # at most this many seconds between two moves of a session
MAX_STEPS = 8  # moves in a generated session history

_STATE_WEIGHTS = {State.OPEN: 35, State.CLOSED: 40, State.PARTIALLY_RETURNED: 15, State.CANCELLED: 10}
_QUANTITIES, _QUANTITY_WEIGHTS = (1, 2, 3, 4, 6, 12), cumulative((60, 20, 8, 5, 4, 3))
_SIZED = {"Apparel": ("XS", "S", "M", "L", "XL"), "Footwear": ("39", "40", "41", "42", "43", "44")}
SESSION_COSTS = (("shipping", 395, 1495), ("express", 995, 2495), ("packaging", 50, 300))
_ITEM_COSTS = {"gift-wrap": (199, 499), "deposit": (8, 25), "installation": (1500, 4900)}
_ITEM_COSTS_FOR = {"Groceries": ("deposit", "gift-wrap"), "Electronics": ("installation", "gift-wrap")}
_COUPON_PREFIXES = ("", "WELCOME10", "SUMMER-", "VIP-")
_PAYMENTS = ("card", "paypal", "invoice", "apple_pay")


@dataclass(frozen=True)
class Spec:
    """What the caller asked for, checked: the states allowed, the rule set, traits, cart bounds."""

    rules: RuleSet
    states: tuple[State, ...]  # in State order, so that the first (open, when allowed) shrinks best
    traits: frozenset[str] = frozenset()
    min_items: int = 1
    max_items: int = 20


# -- histories ---------------------------------------------------------------------------------


@cache
def distances(rules: RuleSet, target: State, returns: bool) -> dict[State | None, int]:
    """Fewest moves from each state (``None``: not created yet) to ``target``.

    Without ``returns`` (an empty cart) no move enters ``partially_returned``: a session there
    has returned units, whichever operation took it there (v1 lets an update do it).
    """
    moves = [t for t in rules.transitions if returns or t.target is not State.PARTIALLY_RETURNED]
    found: dict[State | None, int] = {target: 0}
    frontier: list[State | None] = [target]
    while frontier:
        after: list[State | None] = []
        for state in frontier:
            for move in moves:
                if move.target is state and move.source not in found:
                    found[move.source] = found[state] + 1
                    after.append(move.source)
        frontier = [state for state in after if state is not None]
    return found


def ordered(moves: Sequence[Transition]) -> list[Transition]:
    """Moves in State then Operation order: the first is the simplest (toward ``open``, by update)."""
    states, operations = list(State), list(Operation)
    return sorted(moves, key=lambda t: (states.index(t.target), operations.index(t.operation)))


@cache
def _candidates(
    rules: RuleSet, here: State | None, target: State, returns: bool
) -> tuple[tuple[Transition, int], ...]:
    """The moves out of ``here`` that can still reach ``target``, nearest first, with their distance."""
    dist = distances(rules, target, returns)
    states, operations = list(State), list(Operation)
    moves = [
        (move, dist[move.target])
        for move in rules.moves_from(here)
        if move.target in dist and (returns or move.target is not State.PARTIALLY_RETURNED)
    ]
    moves.sort(key=lambda pair: (pair[1], states.index(pair[0].target), operations.index(pair[0].operation)))
    return tuple(moves)


def walk(
    source: Source, rules: RuleSet, target: State, *, returns: bool, budget: int = MAX_STEPS
) -> list[Transition]:
    """A legal history from creation to ``target`` in at most ``budget`` moves (shortest first)."""
    if distances(rules, target, returns).get(None, budget + 1) > budget:
        why = "" if returns else " without cart items to return"
        raise UnreachableState(f"no history reaches {target.value!r}{why} under the {rules.name!r} rules")
    here: State | None = None
    steps: list[Transition] = []
    while True:
        if here is target and (len(steps) >= budget or not source.chance(0.35)):
            return steps
        left = budget - len(steps) - 1
        moves = [move for move, far in _candidates(rules, here, target, returns) if far <= left]
        if not moves:  # only at the target, with no way to leave and come back in time
            return steps
        move = source.pick(moves)
        steps.append(move)
        here = move.target


# -- cart --------------------------------------------------------------------------------------


@cache
def _count_weights(low: int, high: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    options = tuple(range(low, high + 1))
    return options, cumulative([max(1, round(1000 * math.exp(-k / 3))) for k in range(len(options))])


def item_count(source: Source, low: int, high: int) -> int:
    """How many lines a cart has: mostly few (like real carts), uniform over wide ranges."""
    if high - low > 40:
        return source.integer(low, high)
    options, weights = _count_weights(low, high)
    return source.weighted(options, weights)


def cart_item(source: Source, pools: Pools, spec: Spec, at: datetime) -> CartItem:
    """One realistic cart line (a catalog product, its quantity, price and details)."""
    product = source.pick(pools.products)
    quantity = source.weighted(_QUANTITIES, _QUANTITY_WEIGHTS)
    price: float | None = None if "catalog_prices" in spec.traits else product.cents / 100
    attributes = {product.variant[0]: product.variant[1]}
    if product.category in _SIZED:
        attributes["size"] = source.pick(_SIZED[product.category])
    details: dict[str, Any] = {
        "name": product.name,
        "category": product.category,
        "product": {"name": product.line},
        "attributes": attributes,
        "catalogItemID": product.catalog_id,
    }
    if source.chance(0.3):
        details.update(
            weight=source.integer(50, 5000), height=source.integer(2, 60), width=source.integer(5, 60)
        )
    costs: dict[str, float] = {}
    if "with_additional_costs" in spec.traits or source.chance(0.2):
        name = source.pick(_ITEM_COSTS_FOR.get(product.category, ("gift-wrap",)))
        costs[name] = money(source, *_ITEM_COSTS[name])
    if price is not None and ("with_price_adjustments" in spec.traits or source.chance(0.2)):
        price = _adjust_price(source, details, product.cents, at)
    return CartItem(product.sku, quantity, price, 0, costs, details)


def _adjust_price(source: Source, details: dict[str, Any], cents: int, at: datetime) -> float:
    """A price adjustment picked the member price: the readOnly fields Talon.One adds to the line."""
    member = round(cents * source.pick((0.8, 0.85, 0.9))) / 100
    reference = uuid4(source)
    start = at - timedelta(days=source.integer(1, 30))
    end = at + timedelta(days=source.integer(1, 60))
    details.update(
        selectedPriceType="member",
        adjustmentReferenceId=reference,
        adjustmentEffectiveFrom=wire.timestamp(start),
        adjustmentEffectiveUntil=wire.timestamp(end),
        prices={
            "base": {"price": cents / 100},
            "member": {"price": member, "adjustmentReferenceId": reference, "adjustmentContextId": "spring"},
        },
    )
    return member


def cart(source: Source, pools: Pools, spec: Spec, at: datetime, *, min_items: int = 0) -> list[CartItem]:
    """The cart lines; ``at_cart_limits`` gives exactly the limits (1000 lines, 10 000 units)."""
    if "at_cart_limits" in spec.traits:
        per_line = MAX_CART_QUANTITY // MAX_CART_ITEMS
        start = source.integer(0, len(pools.products) - 1)  # a thousand draws would be slow to shrink
        lines = [pools.products[(start + n) % len(pools.products)] for n in range(MAX_CART_ITEMS)]
        return [
            CartItem(p.sku, per_line, p.cents / 100, 0, {}, {"name": p.name, "category": p.category})
            for p in lines
        ]
    count = item_count(source, max(spec.min_items, min_items), spec.max_items)
    return [cart_item(source, pools, spec, at) for _ in range(count)]


def _return_events(
    source: Source, items: list[CartItem], times: Sequence[datetime], first_id: int
) -> tuple[list[CartItem], tuple[Return, ...]]:
    """Return at least one unit at each of ``times``; the cart must hold enough units."""
    units = sum(item.quantity for item in items)
    if units < len(times):  # more returns than units: the first line gets the units they need
        items[0] = replace(items[0], quantity=items[0].quantity + len(times) - units)
        units = len(times)
    returns = []
    for index, at in enumerate(times):
        spare = units - (len(times) - index - 1)  # leave one unit for each later return
        position = source.pick([n for n, item in enumerate(items) if item.remaining_quantity])
        item = items[position]
        quantity = source.integer(1, min(item.remaining_quantity, spare))
        items[position] = CartItem(  # the constructor: dataclasses.replace is slow on this hot path
            item.sku,
            item.quantity,
            item.price,
            item.returned_quantity + quantity,
            item.additional_costs,
            item.details,
        )
        units -= quantity
        line = ReturnedItem(position, quantity, item.sku)
        returns.append(Return(first_id + index, at, (line,), first_id + index))
    return items, tuple(returns)


# -- sessions ----------------------------------------------------------------------------------


@cache
def _state_weights(states: tuple[State, ...]) -> tuple[int, ...]:
    return cumulative([_STATE_WEIGHTS[s] for s in states])


def pick_state(source: Source, spec: Spec) -> State:
    """One of the allowed states (``open`` first, when allowed)."""
    if len(spec.states) == 1:
        return spec.states[0]
    return source.weighted(spec.states, _state_weights(spec.states))


def session(source: Source, pools: Pools, spec: Spec, *, state: State | None = None) -> Session:
    """A session in ``state`` (or an allowed one), made by a legal history under ``spec.rules``."""
    target = state or pick_state(source, spec)
    created = EPOCH + timedelta(0, source.integer(0, _SPAN), 0, source.integer(0, 999))  # s, ms
    items = cart(source, pools, spec, created, min_items=1 if target is State.PARTIALLY_RETURNED else 0)
    steps = walk(source, spec.rules, target, returns=bool(items))
    times = [created]
    for _ in steps[1:]:
        times.append(times[-1] + timedelta(0, source.integer(1, _STEP)))
    return_times = [
        at for at, step in zip(times, steps, strict=True) if step.target is State.PARTIALLY_RETURNED
    ]
    returns: tuple[Return, ...] = ()
    if return_times:
        items, returns = _return_events(source, items, return_times, source.integer(1, 99_999))
    return draft(
        source,
        pools,
        spec,
        created,
        state=target,
        updated=times[-1],
        cart_items=tuple(items),
        update_count=len(steps),
        history=tuple((step.operation, step.target) for step in steps),
        returns=returns,
    )


def draft(source: Source, pools: Pools, spec: Spec, created: datetime, **made: Any) -> Session:
    """A session's own fields (who, coupons, costs, attributes...), and what ``made`` sets."""
    known = "returning_customer" in spec.traits or "with_profile" in spec.traits
    anonymous = "anonymous" in spec.traits or (not known and source.chance(0.15))
    customer = "" if anonymous else source.pick(pools.customers)
    city, country = source.pick(pools.cities)
    attributes: dict[str, Any] = {"ShippingCity": city, "ShippingCountry": country}
    if source.chance(0.5):
        attributes["PaymentMethod"] = source.pick(_PAYMENTS)
    coupons: tuple[str, ...] = ()
    needed = promotions.coupons_needed(spec.traits)  # one coupon per outcome trait
    if needed or "with_coupons" in spec.traits or source.chance(0.4):
        low = max(needed, 1 if "with_coupons" in spec.traits else 0)
        coupons = tuple(
            source.pick(_COUPON_PREFIXES) + code(source, 6)
            for _ in range(source.integer(low, max(3, needed)))
        )
    wants_referral = spec.traits & {"with_referral", "referral_accepted", "referral_rejected"}
    referral = f"REF-{code(source, 8)}" if wants_referral or source.chance(0.15) else ""
    cards = (f"LC{source.integer(10**9, 10**10 - 1)}",) if not anonymous and source.chance(0.25) else ()
    identifiers: tuple[str, ...] = ()
    if "with_identifiers" in spec.traits or source.chance(0.4):
        identifiers = tuple(
            source.pick(pools.addresses) if source.chance(0.5) else uuid4(source)
            for _ in range(source.integer(1, 5))
        )
    costs: dict[str, float] = {}
    if "with_additional_costs" in spec.traits or source.chance(0.6):
        for name, low_cents, high_cents in SESSION_COSTS[: source.integer(1, 2)]:
            costs[name] = money(source, low_cents, high_cents)
    order = source.integer(10**6, 10**7 - 1)
    return Session(
        id=source.integer(1, 99_999_999),
        integration_id=uuid4(source) if source.chance(0.5) else f"order-{order}",
        application_id=source.integer(1, 60),
        created=created,
        updated=made.pop("updated", created),
        profile_id=customer,
        profile_internal_id=None if anonymous else source.integer(1, 10**7),
        coupon_codes=coupons,
        referral_code=referral,
        loyalty_cards=cards,
        identifiers=identifiers,
        additional_costs=costs,
        attributes=attributes,
        store_integration_id=source.pick(pools.stores) if source.chance(0.4) else None,
        evaluable_campaign_ids=_campaign_ids(source, pools) if source.chance(0.1) else (),
        experiment_variant_allocations=(
            ({"experimentID": source.integer(1, 99), "variantID": source.integer(1, 9)},)
            if source.chance(0.1)
            else ()
        ),
        first_session=anonymous or ("returning_customer" not in spec.traits and source.chance(0.3)),
        **made,
    )


def _campaign_ids(source: Source, pools: Pools) -> tuple[int, ...]:
    first = source.integer(0, len(pools.campaigns) - 2)
    return (
        pools.campaigns[first][0],
        pools.campaigns[source.integer(first + 1, len(pools.campaigns) - 1)][0],
    )


def profile(source: Source, pools: Pools, session: Session) -> Profile:
    """The customer profile of a (not anonymous) session."""
    joined = session.created - timedelta(days=source.integer(1, 900))
    return Profile(
        id=session.profile_internal_id or source.integer(1, 10**7),
        integration_id=session.profile_id,
        created=joined,
        last_activity=session.updated,
        closed_sessions=source.integer(0, 40),
        total_sales=money(source, 0, 500_000),
        session_count=1 if session.first_session else source.integer(2, 60),
    )
