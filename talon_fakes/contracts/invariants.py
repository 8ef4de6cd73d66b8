"""Checks that JSON Schema cannot express, reported as :data:`Kind.INVARIANT` violations.

They run on documents that already match their schema, so every field has its declared type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from talon_fakes.contracts.violations import Kind, Violation, child, short
from talon_fakes.states import Operation, RuleSet, State, rule_set

MAX_CART_ITEMS = 1000
MAX_CART_QUANTITY = 10_000
# Totals are money in the Application currency: equal to within half a cent.
MONEY_TOLERANCE = 0.005

Check = Callable[[dict[str, Any], str], list[Violation]]


def _violation(path: str, value: Any, message: str, rule: str) -> Violation:
    return Violation(path, value, message, Kind.INVARIANT, rule)


class _Cart:
    """Everything the checks need from a cart, gathered in one pass (this is the hot path)."""

    __slots__ = ("all_priced", "bad_items", "count", "item_costs", "quantity", "value")

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.count = len(items)
        self.quantity = 0
        self.value = 0.0  # price x units still in the cart
        self.item_costs = 0.0  # item-level additional costs x units
        self.all_priced = True  # items priced from the catalog carry no price
        self.bad_items: list[int] = []  # returned/remaining quantities that do not fit
        for index, item in enumerate(items):
            quantity = item["quantity"]
            self.quantity += quantity
            remaining = item.get("remainingQuantity")
            returned = item.get("returnedQuantity")
            units = quantity if remaining is None else remaining
            if (remaining is not None or returned is not None) and not _quantities_fit(
                quantity, returned, remaining
            ):
                self.bad_items.append(index)
            price = item.get("price")
            if price is None:
                self.all_priced = False
            else:
                self.value += float(price) * units  # float(): Decimal money, parse_float=Decimal
            costs = item.get("additionalCosts")
            if costs:
                # Talon.One flattens every unit into its own item, so an item's costs count per unit.
                self.item_costs += sum(float(cost["price"]) for cost in costs.values()) * units


def _quantities_fit(quantity: int, returned: int | None, remaining: int | None) -> bool:
    """Each count within 0..quantity, and the two adding up to quantity when both are given."""
    for count in (returned, remaining):
        if count is not None and not 0 <= count <= quantity:
            return False
    return returned is None or remaining is None or returned + remaining == quantity


def _off(actual: Any, expected: float) -> bool:
    """Whether two amounts differ by more than the tolerance (NaN always differs)."""
    return not abs(float(actual) - expected) <= MONEY_TOLERANCE


def cart_items(doc: dict[str, Any], path: str, cart: _Cart | None = None) -> list[Violation]:
    """Cart limits (1000 items, total quantity 10 000) and per-item returned + remaining = quantity."""
    items = doc.get("cartItems") or []
    cart = cart or _Cart(items)
    found = []
    limits = (
        (cart.count, MAX_CART_ITEMS, "cart items", "cart-items-limit"),
        (cart.quantity, MAX_CART_QUANTITY, "as total quantity", "cart-quantity-limit"),
    )
    for actual, limit, what, rule in limits:
        if actual > limit:
            message = f"{actual} {what}, over the limit of {limit} per session"
            found.append(_violation(child(path, "cartItems"), actual, message, rule))
    for index in cart.bad_items:
        item = items[index]
        counts = {k: item[k] for k in ("quantity", "returnedQuantity", "remainingQuantity") if k in item}
        found.append(
            _violation(
                child(child(path, "cartItems"), index),
                counts,
                f"returnedQuantity and remainingQuantity must each be 0..quantity and add up to "
                f"quantity; got {', '.join(f'{k} {v}' for k, v in counts.items())}",
                "returned-quantities",
            )
        )
    return found


def _total_mismatch(path: str, field: str, actual: float, expected: float, how: str) -> Violation:
    return _violation(
        child(path, field), actual, f"{field} is {actual} but {how} gives {round(expected, 6)}", "totals"
    )


def totals(
    doc: dict[str, Any], path: str, cart: _Cart | None = None, *, item_costs: bool = True
) -> list[Violation]:
    """``total`` = cartItemTotal + additionalCostTotal (+ cartItemAdditionalCostTotal), each summed."""
    cart = cart or _Cart(doc.get("cartItems") or [])
    found = []
    total, cart_total = doc.get("total"), doc.get("cartItemTotal")
    cost_total, item_cost_total = doc.get("additionalCostTotal"), doc.get("cartItemAdditionalCostTotal")
    if total is not None and cart_total is not None and cost_total is not None:
        expected = float(cart_total) + float(cost_total)
        how = "cartItemTotal + additionalCostTotal"
        if item_costs and item_cost_total is not None:
            expected += float(item_cost_total)
            how += " + cartItemAdditionalCostTotal"
        if _off(total, expected):
            found.append(_total_mismatch(path, "total", total, expected, how))
    if cart_total is not None and cart.all_priced and _off(cart_total, cart.value):
        found.append(
            _total_mismatch(path, "cartItemTotal", cart_total, cart.value, "price x remaining quantity")
        )
    if cost_total is not None:
        costs = doc.get("additionalCosts")
        expected = sum(float(cost["price"]) for cost in costs.values()) if costs else 0.0
        if _off(cost_total, expected):
            how = "the session additionalCosts"
            found.append(_total_mismatch(path, "additionalCostTotal", cost_total, expected, how))
    if item_costs and item_cost_total is not None and _off(item_cost_total, cart.item_costs):
        how = "item additionalCosts x remaining quantity"
        found.append(
            _total_mismatch(path, "cartItemAdditionalCostTotal", item_cost_total, cart.item_costs, how)
        )
    return found


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.upper())
    except ValueError:  # a form datetime cannot hold; the schema check has already vouched for it
        return None


def _before(first: str, second: str) -> bool | None:
    """Whether instant ``second`` is before ``first``; ``None`` when it cannot be told."""
    if len(first) == len(second) and first[-1] == second[-1] == "Z" and first[10] == second[10] == "T":
        return second < first  # the same UTC layout: text order is time order
    earlier, later = _instant(first), _instant(second)
    return None if earlier is None or later is None else later < earlier


def created_before_updated(doc: dict[str, Any], path: str) -> list[Violation]:
    """``created <= updated``."""
    created, updated = doc.get("created"), doc.get("updated")
    if created is None or updated is None or not _before(created, updated):
        return []
    message = f"updated {updated} is before created {created}"
    return [_violation(child(path, "updated"), updated, message, "created-before-updated")]


def anonymous_first_session(doc: dict[str, Any], path: str) -> list[Violation]:
    """An anonymous session (``profileId: ""``) is always a first session."""
    if doc.get("profileId") != "" or doc.get("firstSession") is not False:
        return []
    message = 'an anonymous session (profileId "") must have firstSession true'
    return [_violation(child(path, "firstSession"), False, message, "anonymous-first-session")]


def session_v2(doc: dict[str, Any], path: str) -> list[Violation]:
    """Every invariant of a V2 session."""
    cart = _Cart(doc.get("cartItems") or [])
    return (
        cart_items(doc, path, cart)
        + totals(doc, path, cart)
        + created_before_updated(doc, path)
        + anonymous_first_session(doc, path)
    )


def session_legacy(doc: dict[str, Any], path: str) -> list[Violation]:
    """The legacy .NET session: totals without item-level costs, no ``updated``."""
    cart = _Cart(doc.get("cartItems") or [])
    return (
        cart_items(doc, path, cart)
        + totals(doc, path, cart, item_costs=False)
        + anonymous_first_session(doc, path)
    )


def session_v1(doc: dict[str, Any], path: str) -> list[Violation]:
    """The V1 session: its ``total`` is client-defined, so only items, dates and anonymity."""
    return cart_items(doc, path) + created_before_updated(doc, path) + anonymous_first_session(doc, path)


def at(field: str, check: Check) -> Check:
    """Apply ``check`` to the object under ``field``, when present."""

    def nested(doc: dict[str, Any], path: str) -> list[Violation]:
        value = doc.get(field)
        return check(value, child(path, field)) if isinstance(value, dict) else []

    return nested


def each(field: str, check: Check) -> Check:
    """Apply ``check`` to every object in the list under ``field``."""

    def nested(doc: dict[str, Any], path: str) -> list[Violation]:
        where = child(path, field)
        return [
            v for index, item in enumerate(doc.get(field) or []) for v in check(item, child(where, index))
        ]

    return nested


def _one_item(doc: dict[str, Any], path: str) -> list[Violation]:
    return [
        Violation(path, v.value, v.message, v.kind, v.rule) for v in cart_items({"cartItems": [doc]}, path)
    ]


#: contract name -> the invariant check of its documents.
INVARIANTS: dict[str, Check] = {
    "customer-session-v2": session_v2,
    "customer-session-response-v2": at("customerSession", session_v2),
    "integration-state-v2": at("customerSession", session_v2),
    "new-customer-session-v2": cart_items,
    "integration-request-v2": at("customerSession", cart_items),
    "application-session": cart_items,
    "application-sessions-page": each("data", cart_items),
    "customer-session-v1": session_v1,
    "new-customer-session-v1": cart_items,
    "customer-session-v2-legacy": session_legacy,
    "cart-item": _one_item,
}


def check_invariants(doc: Any, contract: str) -> list[Violation]:
    """Every invariant violation of a schema-valid document of ``contract``."""
    check = INVARIANTS.get(contract)
    if check is None or not isinstance(doc, dict):
        return []
    try:
        return check(doc, "$")
    except OverflowError:  # JSON allows integers no float can hold; money cannot be that large
        return [_violation("$", None, "a price or quantity is too large to add up the totals", "totals")]


Step = str | State | tuple[str | Operation, str | State]


def check_state_history(history: Sequence[Step], *, rules: str | RuleSet = "current") -> list[Violation]:
    """Check that a session's states follow the transition rules of ``rules``.

    ``history`` is either a list of states (``["open", "closed", "cancelled"]``; each move may be
    caused by any operation) or of ``(operation, state)`` steps
    (``[("update", "open"), ("update", "closed"), ("reopen", "open")]``). The first entry is the
    creation of the session. Each illegal step is reported once, at ``$[index]``; checking goes on
    from the state the step claimed.
    """
    if isinstance(history, (str, bytes)) or not isinstance(history, Sequence):
        raise TypeError(
            f"history must be a list of states or of (operation, state) steps, not {type(history).__name__}"
        )
    table = rule_set(rules)
    violations: list[Violation] = []
    source: State | None = None
    for index, step in enumerate(history):
        path = f"$[{index}]"
        try:
            if isinstance(step, (tuple, list)):
                operations = [Operation(step[0])]
                target = State(step[1])
            else:
                operations = list(Operation)
                target = State(step)
        except (ValueError, IndexError) as error:
            violations.append(
                _violation(path, short(step), f"not a state or (operation, state) step: {error}", "step")
            )
            break
        if not any(table.allows(source, target, op) for op in operations):
            operation = operations[0] if len(operations) == 1 else None
            value = step if isinstance(step, str) else list(step)
            violations.append(_violation(path, value, table.explain(source, target, operation), "transition"))
        source = target
    return violations
