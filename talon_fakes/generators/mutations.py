"""Break a valid document in exactly one way, read off its contract.

:func:`mutations` walks a document together with its schema and, at every place the schema
states a rule, yields a copy that breaks that one rule, tagged with the rule and the JSON path
where a validator must report it. It drives the contract tests and the generators' negative
payloads; it never guesses: every mutation comes from a keyword of the contract.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from talon_fakes.contracts.loading import check_name, schema, schemas
from talon_fakes.contracts.violations import json_path

#: The rules a mutation can break (JSON Schema keywords).
RULES = (
    "type",
    "required",
    "enum",
    "format",
    "maxItems",
    "maxLength",
    "minLength",
    "minimum",
    "additionalProperties",
)

# A value of another JSON type than the one declared.
_WRONG_TYPE: dict[str, Any] = {
    "string": 12345,
    "integer": "12",
    "number": "12.5",
    "boolean": "true",
    "array": {"not": "an array"},
    "object": ["not", "an", "object"],
}
_BAD_FORMAT = {"date-time": "2026-13-45T25:61:00Z", "uuid": "not-a-uuid"}
UNKNOWN_FIELD = "zzUnknownField"


@dataclass(frozen=True)
class Mutation:
    """A copy of a document that breaks one rule of its contract.

    ``path`` is where a validator must report it; ``strict_only`` marks unknown fields, which
    only strict mode rejects (lenient mode reports them as drift warnings).
    """

    rule: str
    path: str
    description: str
    document: Any
    strict_only: bool = False


def resolve(node: dict[str, Any], root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Follow ``$ref`` (by ``$id``, or ``#/$defs/...`` within ``root``)."""
    while "$ref" in node:
        ref = node["$ref"]
        if ref.startswith("#/"):
            target: Any = root
            for token in ref[2:].split("/"):
                target = target[token]
            node = target
        else:
            root = next(doc for doc in schemas(False).values() if doc["$id"] == ref)
            node = root
    return node, root


def _applies(condition: dict[str, Any], value: Any) -> bool:
    """Whether an ``if`` of the form ``{properties: {k: {const: v}}, required: [k]}`` holds."""
    if not isinstance(value, dict):
        return False
    for name, sub in condition.get("properties", {}).items():
        if name not in value or ("const" in sub and value[name] != sub["const"]):
            return False
    return all(name in value for name in condition.get("required", ()))


def _set(document: Any, parts: list[str | int], value: Any) -> Any:
    out = copy.deepcopy(document)
    if not parts:
        return value
    node = out
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


def _delete(document: Any, parts: list[str | int]) -> Any:
    out = copy.deepcopy(document)
    node = out
    for part in parts[:-1]:
        node = node[part]
    del node[parts[-1]]
    return out


def _value_mutations(
    document: Any, node: dict[str, Any], value: Any, parts: list[str | int]
) -> Iterator[Mutation]:
    """Mutations of one value against the keywords of its own schema."""
    path = json_path(parts)
    declared = node.get("type")
    if isinstance(declared, str) and declared in _WRONG_TYPE:
        wrong = _WRONG_TYPE[declared]
        yield Mutation("type", path, f"{path} as {type(wrong).__name__}", _set(document, parts, wrong))
    if "enum" in node:
        yield Mutation("enum", path, f"{path} outside its enum", _set(document, parts, "not-a-valid-value"))
    if node.get("format") in _BAD_FORMAT and isinstance(value, str):
        bad = _BAD_FORMAT[node["format"]]
        yield Mutation("format", path, f"{path} not a {node['format']}", _set(document, parts, bad))
    if "maxLength" in node and isinstance(value, str):
        long = "x" * (node["maxLength"] + 1)
        yield Mutation(
            "maxLength", path, f"{path} over {node['maxLength']} characters", _set(document, parts, long)
        )
    if node.get("minLength", 0) > 0 and isinstance(value, str):
        yield Mutation("minLength", path, f"{path} empty", _set(document, parts, ""))
    if "minimum" in node and isinstance(value, (int, float)) and not isinstance(value, bool):
        below = node["minimum"] - 1
        yield Mutation("minimum", path, f"{path} below {node['minimum']}", _set(document, parts, below))
    if "maxItems" in node and isinstance(value, list) and value:
        over = [copy.deepcopy(value[0]) for _ in range(node["maxItems"] + 1)]
        yield Mutation("maxItems", path, f"{path} over {node['maxItems']} items", _set(document, parts, over))


def _walk(
    document: Any, node: dict[str, Any], root: dict[str, Any], value: Any, parts: list[str | int]
) -> Iterator[Mutation]:
    node, root = resolve(node, root)
    yield from _value_mutations(document, node, value, parts)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for name in node.get("required", ()):
            if name in value:
                where = json_path([*parts, name])
                yield Mutation("required", where, f"{where} removed", _delete(document, [*parts, name]))
        for name, sub in properties.items():
            if name in value:
                yield from _walk(document, sub, root, value[name], [*parts, name])
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            for name in value.keys() - properties.keys():
                yield from _walk(document, extra, root, value[name], [*parts, name])
        if properties and extra is None:
            where = json_path([*parts, UNKNOWN_FIELD])
            grown = _set(document, [*parts, UNKNOWN_FIELD], "surprise")
            yield Mutation(
                "additionalProperties", where, f"unknown field at {where}", grown, strict_only=True
            )
        for branch in node.get("allOf", ()):
            if "if" in branch and _applies(branch["if"], value) and "then" in branch:
                # Fields of the `then` schema are walked; the `then` itself adds no new keywords here.
                yield from _walk_properties(document, branch["then"], root, value, parts)
    elif isinstance(value, list) and "items" in node and value:
        # The first item stands for all: every item has the same schema.
        yield from _walk(document, node["items"], root, value[0], [*parts, 0])


def _walk_properties(
    document: Any, node: dict[str, Any], root: dict[str, Any], value: dict[str, Any], parts: list[str | int]
) -> Iterator[Mutation]:
    for name, sub in node.get("properties", {}).items():
        if name in value:
            yield from _walk(document, sub, root, value[name], [*parts, name])


def mutations(document: Any, contract: str) -> Iterator[Mutation]:
    """Every single-rule mutation of ``document`` that ``contract`` defines, in document order.

    ``document`` should be valid; each mutation is then invalid for exactly the rule it names,
    at its ``path`` (unknown fields: in strict mode only).
    """
    root = schema(check_name(contract))
    seen: set[tuple[str, str]] = set()
    for mutation in _walk(document, root, root, document, []):
        if (mutation.rule, mutation.path) not in seen:
            seen.add((mutation.rule, mutation.path))
            yield mutation
