"""What a newer copy of Talon.One's OpenAPI spec would change in each spec-derived contract.

:func:`spec_diff` derives the contracts from the new spec in memory (the same derivation as
``tools/build_contracts.py``, deviations included) and compares each one with the contract this
talon-fakes ships (or with the contracts derived from another spec folder): fields added and
removed, fields newly required or no longer required, enum values, types and limits. Locations
are JSON paths into a document of that contract (``$.cartItems[*].sku``). A ``$ref`` to another
contract is not followed: that contract reports its own changes once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from talon_fakes.contracts.loading import BASE_URI, contracts_dir
from talon_fakes.contracts.spec_derivation import SOURCES, SpecError, build

#: Keywords whose change narrows or widens what a value may be.
LIMITS = (
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "nullable",
)
#: Keywords that describe a document, not what it may hold.
_IGNORED = {"$schema", "$id", "$comment", "title", "description"}
#: Keywords compared by the walk itself rather than as plain values.
_WALKED = {"properties", "required", "enum", "type", "$ref", "$defs", "items", "additionalProperties"}
_BRANCHES = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class Change:
    """One difference in one contract: where (a JSON path), what kind, and the detail."""

    contract: str
    path: str
    kind: str
    detail: str = ""


def spec_diff(new_spec: Path, *, base_spec: Path | None = None) -> list[Change]:
    """The changes the spec in ``new_spec`` would make to each spec-derived contract.

    Compared with the contracts shipped with this talon-fakes, or, given ``base_spec``, with the
    contracts derived from that spec folder. Raises :class:`SpecError` naming what it cannot read.
    """
    new = _derive(new_spec)
    old = _derive(base_spec) if base_spec is not None else shipped_contracts()
    changes: list[Change] = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            changes.append(Change(name, "$", "contract removed"))
        elif name not in old:
            changes.append(Change(name, "$", "contract added"))
        else:
            changes += _compare(name, old[name], new[name], "$", old, new)
    return changes


def shipped_contracts() -> dict[str, dict[str, Any]]:
    """The spec-derived contracts as this talon-fakes ships them (the committed files)."""
    folder = contracts_dir()
    return {name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in SOURCES}


def _derive(spec: Path) -> dict[str, dict[str, Any]]:
    try:
        return build(spec)
    except SpecError:
        raise
    except (KeyError, IndexError, TypeError, ValueError) as error:
        # The derivation expects the published layout; a spec that moved on needs it updated.
        raise SpecError(
            f"the contracts cannot be derived from {spec}: {error!r}; the spec changed in a way "
            "talon_fakes/contracts/spec_derivation.py does not know yet"
        ) from error


def _compare(
    contract: str,
    old: Any,
    new: Any,
    path: str,
    old_set: dict[str, dict[str, Any]],
    new_set: dict[str, dict[str, Any]],
) -> Iterator[Change]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old != new:
            yield Change(contract, path, "schema changed", f"{_short(old)} -> {_short(new)}")
        return
    old_ref, new_ref = old.get("$ref"), new.get("$ref")
    if old_ref is not None or new_ref is not None:
        if old_ref == new_ref:
            return  # the referenced contract reports its own changes
        yield Change(contract, path, "reference changed", f"{_ref_name(old_ref)} -> {_ref_name(new_ref)}")
        # What a document at this place may hold, compared through the reference.
        yield from _compare(contract, _resolve(old, old_set), _resolve(new, new_set), path, old_set, new_set)
        return
    yield from _fields(contract, old, new, path, old_set, new_set)
    yield from _values(contract, old, new, path)
    for keyword, step in (("items", "[*]"), ("additionalProperties", ".*")):
        if isinstance(old.get(keyword), dict) and isinstance(new.get(keyword), dict):
            yield from _compare(contract, old[keyword], new[keyword], path + step, old_set, new_set)
        elif old.get(keyword) != new.get(keyword):
            yield Change(
                contract,
                path,
                f"{keyword} changed",
                f"{_short(old.get(keyword))} -> {_short(new.get(keyword))}",
            )
    yield from _named(contract, old.get("$defs", {}), new.get("$defs", {}), path, old_set, new_set)
    for keyword in _BRANCHES:
        yield from _branches(contract, keyword, old.get(keyword, []), new.get(keyword, []), path)


def _fields(
    contract: str,
    old: dict[str, Any],
    new: dict[str, Any],
    path: str,
    old_set: dict[str, dict[str, Any]],
    new_set: dict[str, dict[str, Any]],
) -> Iterator[Change]:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(new_props.keys() - old_props.keys()):
        yield Change(contract, f"{path}.{name}", "field added", "required" if name in new_required else "")
    for name in sorted(old_props.keys() - new_props.keys()):
        yield Change(contract, f"{path}.{name}", "field removed")
    for name in sorted((new_required - old_required) & old_props.keys()):
        yield Change(contract, f"{path}.{name}", "newly required")
    for name in sorted((old_required - new_required) & new_props.keys()):
        yield Change(contract, f"{path}.{name}", "no longer required")
    for name in sorted(old_props.keys() & new_props.keys()):
        yield from _compare(contract, old_props[name], new_props[name], f"{path}.{name}", old_set, new_set)


def _values(contract: str, old: dict[str, Any], new: dict[str, Any], path: str) -> Iterator[Change]:
    if "enum" in old or "enum" in new:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum is None or new_enum is None:
            yield Change(contract, path, "enum changed", f"{_short(old_enum)} -> {_short(new_enum)}")
        else:
            added = [v for v in new_enum if v not in old_enum]
            removed = [v for v in old_enum if v not in new_enum]
            if added:
                yield Change(contract, path, "enum values added", ", ".join(map(_short, added)))
            if removed:
                yield Change(contract, path, "enum values removed", ", ".join(map(_short, removed)))
    if old.get("type") != new.get("type"):
        yield Change(
            contract, path, "type changed", f"{_short(old.get('type'))} -> {_short(new.get('type'))}"
        )
    for keyword in LIMITS:
        if old.get(keyword) != new.get(keyword):
            yield Change(
                contract,
                path,
                "limit changed",
                f"{keyword}: {_short(old.get(keyword))} -> {_short(new.get(keyword))}",
            )
    others = (old.keys() | new.keys()) - _IGNORED - _WALKED - set(LIMITS) - set(_BRANCHES)
    for keyword in sorted(k for k in others if old.get(k) != new.get(k)):
        if not (isinstance(old.get(keyword), dict) or isinstance(new.get(keyword), dict)):
            yield Change(
                contract,
                path,
                "keyword changed",
                f"{keyword}: {_short(old.get(keyword))} -> {_short(new.get(keyword))}",
            )
        else:
            yield Change(contract, path, "keyword changed", keyword)


def _named(
    contract: str,
    old: dict[str, Any],
    new: dict[str, Any],
    path: str,
    old_set: dict[str, dict[str, Any]],
    new_set: dict[str, dict[str, Any]],
) -> Iterator[Change]:
    """``$defs``: the effect contract keeps the ``props`` of each effect type there."""
    for name in sorted(new.keys() - old.keys()):
        yield Change(contract, f"{path}.$defs.{name}", "definition added")
    for name in sorted(old.keys() - new.keys()):
        yield Change(contract, f"{path}.$defs.{name}", "definition removed")
    for name in sorted(old.keys() & new.keys()):
        yield from _compare(contract, old[name], new[name], f"{path}.$defs.{name}", old_set, new_set)


def _branches(contract: str, keyword: str, old: list[Any], new: list[Any], path: str) -> Iterator[Change]:
    """Branches are compared as a set: one new branch is one change, not a shifted list."""
    for branch in new:
        if branch not in old:
            yield Change(contract, path, f"{keyword} branch added", _short(branch))
    for branch in old:
        if branch not in new:
            yield Change(contract, path, f"{keyword} branch removed", _short(branch))


def _resolve(schema: dict[str, Any], contracts: dict[str, dict[str, Any]]) -> Any:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(BASE_URI):
        return contracts.get(ref.removeprefix(BASE_URI).removesuffix(".json"), schema)
    return schema


def _ref_name(ref: Any) -> str:
    if ref is None:
        return "(inline schema)"
    return str(ref).removeprefix(BASE_URI).removesuffix(".json")


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 100 else text[:97] + "..."


def render(changes: list[Change]) -> str:
    """The report as text: one block per contract, one line per change."""
    if not changes:
        return "no changes: the new spec derives the same contracts\n"
    lines: list[str] = []
    for contract in sorted({c.contract for c in changes}):
        mine = [c for c in changes if c.contract == contract]
        lines.append(f"{contract} ({len(mine)} change{'s' if len(mine) != 1 else ''})")
        width = max(len(c.path) for c in mine)
        lines += [f"  {c.path:<{width}}  {c.kind}{': ' + c.detail if c.detail else ''}" for c in mine]
    return "\n".join(lines) + "\n"


def as_json(changes: list[Change]) -> list[dict[str, str]]:
    """The report as JSON-ready records (contract, path, kind, detail)."""
    return [asdict(change) for change in changes]
