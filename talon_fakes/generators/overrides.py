"""Overrides of generated documents, and the fields derived from others (totals, remaining units).

An override is ``path=value`` with ``__`` between the levels of the path, as in factory_boy:
``profileId="c-1"``, ``cartItems__0__quantity=3``, ``customerSession__state="open"`` (for
integration states), ``attributes__Vip=True``. Every level is checked against the contract (a
field it does not define is an error naming the close ones) and against the document (a list
index or an optional object it does not hold is an error). :data:`OMIT` as the value removes the
field. After the overrides, the derived fields are computed again, unless an override set them.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from talon_fakes.contracts.loading import schema
from talon_fakes.contracts.violations import json_path
from talon_fakes.errors import InvalidOverride
from talon_fakes.generators.mutations import resolve  # one resolver for contracts, shared with the mutations

Path = tuple[str | int, ...]

#: An override value that removes the field.
OMIT: Any = type("Omit", (), {"__repr__": lambda self: "OMIT", "__doc__": "Remove the field."})()


def project(value: Any, contract: str, *, request: bool = False) -> Any:
    """``value`` cut to the fields ``contract`` defines; without the readOnly ones for a ``request``."""
    root = schema(contract)
    return _project(value, root, root, request)


def _project(value: Any, node: dict[str, Any], root: dict[str, Any], request: bool) -> Any:
    node, root = resolve(node, root)
    if isinstance(value, dict):
        properties = node.get("properties")
        extra = node.get("additionalProperties")
        if properties is not None:
            out = {}
            for key, item in value.items():
                if key in properties:
                    sub, sub_root = resolve(properties[key], root)
                    if not (request and sub.get("readOnly")):
                        out[key] = _project(item, sub, sub_root, request)
            return out
        if isinstance(extra, dict):
            return {key: _project(item, extra, root, request) for key, item in value.items()}
        return value
    items = node.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        return [_project(item, items, root, request) for item in value]
    return value


def parse(key: str) -> Path:
    """``cartItems__0__quantity`` -> ``("cartItems", 0, "quantity")``."""
    return tuple(int(part) if part.isdigit() else part for part in key.split("__"))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _unknown(part: str, known: list[str], contract: str, where: Path) -> InvalidOverride:
    close = difflib.get_close_matches(_camel(part), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    listed = ", ".join(sorted(known))
    return InvalidOverride(
        f"{contract} has no field {part!r} at {json_path(list(where))}{hint} Fields there: {listed}"
    )


def _check_path(path: Path, contract: str) -> None:
    """Raise :class:`InvalidOverride` unless every level of ``path`` is defined by the contract."""
    root = schema(contract)
    node = root
    for depth, part in enumerate(path):
        node, root = resolve(node, root)
        where = path[:depth]
        properties, extra = node.get("properties"), node.get("additionalProperties")
        if isinstance(part, int):
            if not isinstance(node.get("items"), dict):
                raise InvalidOverride(
                    f"{contract}: {json_path(list(where))} is not a list; {part} is no field"
                )
            node = node["items"]
        elif properties is not None and part in properties:
            node = properties[part]
        elif isinstance(extra, dict):
            node = extra
        elif properties is None and node.get("type") in ("object", None):
            return  # a free-form object (attributes, props): any key, at any depth
        else:
            raise _unknown(part, list(properties or ()), contract, where)


def apply(doc: Any, contract: str, overrides: Mapping[str, Any]) -> set[Path]:
    """Apply ``overrides`` to ``doc`` in place; return every path they set (leaves included)."""
    given: set[Path] = set()
    for key, value in overrides.items():
        path = parse(key)
        if not key or any(part == "" for part in path):
            raise InvalidOverride(f"override {key!r}: empty level in the path; separate levels with '__'")
        _check_path(path, contract)
        parent = doc
        for depth, part in enumerate(path[:-1]):
            parent = _step(parent, part, path[: depth + 1], contract)
        last = path[-1]
        if value is OMIT:
            if isinstance(parent, dict):
                parent.pop(last, None)
            else:
                raise InvalidOverride(
                    f"{contract}: OMIT removes fields; {json_path(list(path))} is a list item"
                )
            continue
        if isinstance(last, int):
            _step(parent, last, path, contract)  # the index must exist
        elif not isinstance(parent, dict):
            raise InvalidOverride(f"{contract}: {json_path(list(path[:-1]))} is not an object")
        parent[last] = copy.deepcopy(value)  # a batch must not share one mutable value
        given.update(_leaves(value, path))
    return given


def _step(container: Any, part: str | int, upto: Path, contract: str) -> Any:
    if isinstance(part, int):
        if not isinstance(container, list) or not 0 <= part < len(container):
            size = len(container) if isinstance(container, list) else 0
            raise InvalidOverride(
                f"{contract}: {json_path(list(upto))} does not exist (the list has {size} items); "
                "override the whole list to change its length"
            )
        return container[part]
    if not isinstance(container, dict) or part not in container:
        raise InvalidOverride(
            f"{contract}: {json_path(list(upto))} is not in this document (it is optional); "
            f"set it whole with {'__'.join(map(str, upto))}=..."
        )
    return container[part]


def _leaves(value: Any, path: Path) -> Iterator[Path]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


# -- derived fields ----------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _sum_costs(costs: Any) -> float:
    if not isinstance(costs, dict):
        return 0.0
    return sum(_number(cost.get("price")) or 0.0 for cost in costs.values() if isinstance(cost, dict))


def retotal(
    session: dict[str, Any], *, item_costs: bool = True, given: AbstractSet[Path] = frozenset(), at: Path = ()
) -> None:
    """Set the totals of ``session`` from its lines and costs (except those in ``given``).

    The same sums as :class:`talon_fakes.fake.domain.model.Session`: price x units left
    (``remainingQuantity``, else ``quantity``; no price counts 0), item costs per unit, session
    costs; rounded to 6 places.
    """
    value = costs_per_unit = 0.0
    for item in session.get("cartItems") or ():
        if not isinstance(item, dict):
            continue
        units = _number(item.get("remainingQuantity", item.get("quantity"))) or 0.0
        value += (_number(item.get("price")) or 0.0) * units
        costs_per_unit += _sum_costs(item.get("additionalCosts")) * units
    session_costs = _sum_costs(session.get("additionalCosts"))
    totals = {
        "cartItemTotal": value,
        "additionalCostTotal": session_costs,
        "cartItemAdditionalCostTotal": costs_per_unit,
        "total": value + session_costs + (costs_per_unit if item_costs else 0.0),
    }
    for name, amount in totals.items():
        if name in session and (*at, name) not in given:
            session[name] = round(amount, 6)


def derive(
    session: dict[str, Any],
    *,
    given: AbstractSet[Path],
    at: Path = (),
    item_costs: bool = True,
    totals: bool = True,
    response: bool = True,
) -> None:
    """Recompute remaining units, positions, totals and the anonymous first session, except ``given``.

    In a ``response`` shape, lines without the computed fields get them (as the fake renders them).
    """
    for index, item in enumerate(session.get("cartItems") or ()):
        if not isinstance(item, dict):
            continue
        here = (*at, "cartItems", index)
        if response:
            item.setdefault("returnedQuantity", 0)
            item.setdefault("remainingQuantity", 0)
            item.setdefault("position", index)
        quantity, returned = _number(item.get("quantity")), _number(item.get("returnedQuantity", 0))
        if (
            "remainingQuantity" in item
            and (*here, "remainingQuantity") not in given
            and quantity is not None
            and returned is not None
        ):
            item["remainingQuantity"] = int(quantity) - int(returned)
        if "position" in item and (*here, "position") not in given:
            item["position"] = index
    if totals:
        retotal(session, item_costs=item_costs, given=given, at=at)
    if session.get("profileId") == "" and "firstSession" in session and (*at, "firstSession") not in given:
        session["firstSession"] = True
