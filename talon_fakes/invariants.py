"""Checks that JSON Schema cannot express, reported as :data:`Kind.INVARIANT` violations.

They run on documents that already match their schema, so every field has its declared type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from talon_fakes.states import Operation, RuleSet, State, rule_set
from talon_fakes.violations import Kind, Violation, child, short

MAX_CART_ITEMS = 1000
MAX_CART_QUANTITY = 10_000
# Totals are money in the Application currency: equal to within half a cent.
MONEY_TOLERANCE = 0.005

Check = Callable[[dict[str, Any], str], Iterator[Violation]]


def _violation(path: str, value: Any, message: str, rule: str) -> Violation:
    return Violation(path, value, message, Kind.INVARIANT, rule)


def _units(item: dict[str, Any]) -> int:
    """The units still in the cart: ``remainingQuantity`` once returns exist, else ``quantity``."""
    return int(item.get("remainingQuantity", item["quantity"]))


def cart_items(doc: dict[str, Any], path: str) -> Iterator[Violation]:
    """Cart limits (1000 items, total quantity 10 000) and per-item returned + remaining = quantity."""
    items = doc.get("cartItems") or []
    items_path = child(path, "cartItems")
    if len(items) > MAX_CART_ITEMS:
        yield _violation(
            items_path,
            len(items),
            f"{len(items)} cart items, over the limit of {MAX_CART_ITEMS}",
            "cart-items-limit",
        )
    quantity = sum(item["quantity"] for item in items)
    if quantity > MAX_CART_QUANTITY:
        yield _violation(
            items_path,
            quantity,
            f"total quantity {quantity} is over the limit of {MAX_CART_QUANTITY}",
            "cart-quantity-limit",
        )
    for index, item in enumerate(items):
        if "returnedQuantity" in item and "remainingQuantity" in item:
            returned, remaining = item["returnedQuantity"], item["remainingQuantity"]
            if returned + remaining != item["quantity"] or returned < 0 or remaining < 0:
                yield _violation(
                    child(items_path, index),
                    {
                        "quantity": item["quantity"],
                        "returnedQuantity": returned,
                        "remainingQuantity": remaining,
                    },
                    f"returnedQuantity {returned} + remainingQuantity {remaining} must equal quantity "
                    f"{item['quantity']}, neither negative",
                    "returned-quantities",
                )


def _cost_sum(costs: dict[str, Any] | None) -> float:
    return float(sum(cost["price"] for cost in (costs or {}).values()))


def _total_mismatch(path: str, field: str, actual: float, expected: float, how: str) -> Violation:
    return _violation(
        child(path, field), actual, f"{field} is {actual} but {how} gives {round(expected, 6)}", "totals"
    )


def totals(doc: dict[str, Any], path: str, *, item_costs: bool = True) -> Iterator[Violation]:
    """``total`` = cartItemTotal + additionalCostTotal (+ cartItemAdditionalCostTotal), each summed."""
    items = doc.get("cartItems") or []
    parts = ["cartItemTotal", "additionalCostTotal"] + (["cartItemAdditionalCostTotal"] if item_costs else [])
    if all(isinstance(doc.get(p), (int, float)) for p in parts) and isinstance(
        doc.get("total"), (int, float)
    ):
        expected = sum(doc[p] for p in parts)
        if abs(doc["total"] - expected) > MONEY_TOLERANCE:
            yield _total_mismatch(path, "total", doc["total"], expected, " + ".join(parts))
    # Items priced from the catalog carry no price: their share cannot be checked.
    if "cartItemTotal" in doc and all("price" in item for item in items):
        expected = sum(item["price"] * _units(item) for item in items)
        if abs(doc["cartItemTotal"] - expected) > MONEY_TOLERANCE:
            yield _total_mismatch(
                path, "cartItemTotal", doc["cartItemTotal"], expected, "price x remaining quantity"
            )
    if "additionalCostTotal" in doc:
        expected = _cost_sum(doc.get("additionalCosts"))
        if abs(doc["additionalCostTotal"] - expected) > MONEY_TOLERANCE:
            yield _total_mismatch(
                path,
                "additionalCostTotal",
                doc["additionalCostTotal"],
                expected,
                "the session additionalCosts",
            )
    if item_costs and "cartItemAdditionalCostTotal" in doc:
        # Talon.One flattens every unit into its own item, so an item's costs count per unit.
        expected = sum(_cost_sum(item.get("additionalCosts")) * _units(item) for item in items)
        actual = doc["cartItemAdditionalCostTotal"]
        if abs(actual - expected) > MONEY_TOLERANCE:
            yield _total_mismatch(
                path,
                "cartItemAdditionalCostTotal",
                actual,
                expected,
                "item additionalCosts x remaining quantity",
            )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))


def created_before_updated(doc: dict[str, Any], path: str) -> Iterator[Violation]:
    """``created <= updated``."""
    if "created" in doc and "updated" in doc:
        created, updated = _instant(doc["created"]), _instant(doc["updated"])
        if created > updated:
            yield _violation(
                child(path, "updated"),
                doc["updated"],
                f"updated {doc['updated']} is before created {doc['created']}",
                "created-before-updated",
            )


def anonymous_first_session(doc: dict[str, Any], path: str) -> Iterator[Violation]:
    """An anonymous session (``profileId: ""``) is always a first session."""
    if doc.get("profileId") == "" and doc.get("firstSession") is False:
        yield _violation(
            child(path, "firstSession"),
            False,
            'an anonymous session (profileId "") must have firstSession true',
            "anonymous-first-session",
        )


def session_v2(doc: dict[str, Any], path: str) -> Iterator[Violation]:
    """Every invariant of a V2 session."""
    yield from cart_items(doc, path)
    yield from totals(doc, path)
    yield from created_before_updated(doc, path)
    yield from anonymous_first_session(doc, path)


def session_legacy(doc: dict[str, Any], path: str) -> Iterator[Violation]:
    """The legacy .NET session: totals without item-level costs, no ``updated``."""
    yield from cart_items(doc, path)
    yield from totals(doc, path, item_costs=False)
    yield from anonymous_first_session(doc, path)


def session_v1(doc: dict[str, Any], path: str) -> Iterator[Violation]:
    """The V1 session: its ``total`` is client-defined, so only items, dates and anonymity."""
    yield from cart_items(doc, path)
    yield from created_before_updated(doc, path)
    yield from anonymous_first_session(doc, path)


def at(field: str, check: Check) -> Check:
    """Apply ``check`` to the object under ``field``, when present."""

    def nested(doc: dict[str, Any], path: str) -> Iterator[Violation]:
        if isinstance(doc.get(field), dict):
            yield from check(doc[field], child(path, field))

    return nested


def each(field: str, check: Check) -> Check:
    """Apply ``check`` to every object in the list under ``field``."""

    def nested(doc: dict[str, Any], path: str) -> Iterator[Violation]:
        for index, item in enumerate(doc.get(field) or []):
            yield from check(item, child(child(path, field), index))

    return nested


def _one_item(doc: dict[str, Any], path: str) -> Iterator[Violation]:
    for violation in cart_items({"cartItems": [doc]}, path):
        yield Violation(path, violation.value, violation.message, violation.kind, violation.rule)


#: contract name -> the invariant checks of its documents.
INVARIANTS: dict[str, Sequence[Check]] = {
    "customer-session-v2": [session_v2],
    "customer-session-response-v2": [at("customerSession", session_v2)],
    "integration-state-v2": [at("customerSession", session_v2)],
    "new-customer-session-v2": [cart_items],
    "integration-request-v2": [at("customerSession", cart_items)],
    "application-session": [cart_items],
    "application-sessions-page": [each("data", cart_items)],
    "customer-session-v1": [session_v1],
    "new-customer-session-v1": [cart_items],
    "customer-session-v2-legacy": [session_legacy],
    "cart-item": [_one_item],
}


def check_invariants(doc: Any, contract: str) -> list[Violation]:
    """Every invariant violation of a schema-valid document of ``contract``."""
    checks = INVARIANTS.get(contract, ())
    if not checks or not isinstance(doc, dict):
        return []
    return [violation for check in checks for violation in check(doc, "$")]


Step = str | State | tuple[str | Operation, str | State]


def check_state_history(history: Sequence[Step], *, rules: str | RuleSet = "current") -> list[Violation]:
    """Check that a session's states follow the transition rules of ``rules``.

    ``history`` is either a list of states (``["open", "closed", "cancelled"]``; each move may be
    caused by any operation) or of ``(operation, state)`` steps
    (``[("update", "open"), ("update", "closed"), ("reopen", "open")]``). The first entry is the
    creation of the session. Each illegal step is reported once, at ``$[index]``; checking goes on
    from the state the step claimed.
    """
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
