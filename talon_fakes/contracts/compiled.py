"""The compiled engine: jsonschema-rs validators of the contracts, and their errors as violations.

jsonschema-rs checks a document tens of times faster than python-jsonschema, clean or not. Its
verdict is the reference's (:mod:`talon_fakes.contracts.reference`) wherever the two read JSON Schema the
same way, which is everywhere but a few strings:

* date-times only jsonschema-rs accepts (a leap second, year 0000): its schemas also refuse them
  (a ``not``/``pattern`` guard), so that it never passes what the reference rejects;
* values only python-jsonschema accepts (date-times with a trailing newline, ``{uuid}``, a
  pattern's ``$`` before a final newline, NaN as a number): every ``format``, ``pattern`` and
  ``type`` error, and every guard error, is checked again with the reference's own format
  checker, :func:`re.search` or type checker, and only kept when the reference rejects the value
  too.

:func:`explain` turns the errors into the violations the reference would report, word for word
(:func:`talon_fakes.contracts.violations.schema_message`), and returns ``None`` when it meets an error it
cannot word that way; the caller then asks the reference. ``tests/contract/test_compiled.py``
holds the two reports equal on generated valid, drifting and invalid documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

import jsonschema_rs

from talon_fakes.contracts.loading import CLOSED_BY_STRICT_MODE, schema, schemas
from talon_fakes.contracts.reference import conforms, is_type, no_retrieval
from talon_fakes.contracts.violations import (
    Kind,
    Severity,
    Violation,
    json_path,
    missing_field,
    schema_message,
    unknown_field,
)

# Strings jsonschema-rs accepts as date-times and python-jsonschema (rfc3339-validator) rejects: a
# leap second (RFC 3339 and the JSON Schema test suite allow 23:59:60) and year 0000.
# tests/contract/test_verdicts.py pins the engines' differences and searches for others.
_RS_ONLY_DATE_TIMES = r"(:60(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$)|^0000-"

# Keywords whose values are data, not schemas: never rewritten.
_DATA_KEYWORDS = ("enum", "const", "default", "examples", "required")


# What an unknown field must match in the compiled copy of an object strict mode closed: nothing.
# The same verdict as ``additionalProperties: false``, but jsonschema-rs then reports each unknown
# field at the field (its value copied into the error), not at the object: an error at a
# document's top copies the whole document back into Python, 100 us for a session.
_NOTHING: dict[str, Any] = {"not": {}}


def _compiled_copy(schema: Any) -> Any:
    """``schema`` as jsonschema-rs is given it: date-time strings must also not be of the kinds
    above, and the objects strict mode closed reject each unknown field at the field."""
    if isinstance(schema, list):
        return [_compiled_copy(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _compiled_copy(value) for key, value in schema.items() if key not in _DATA_KEYWORDS}
    out |= {key: schema[key] for key in _DATA_KEYWORDS if key in schema}
    if schema.get("format") == "date-time":
        out["not"] = {"pattern": _RS_ONLY_DATE_TIMES}
    if schema.get(CLOSED_BY_STRICT_MODE) is True and schema.get("additionalProperties") is False:
        out["additionalProperties"] = _NOTHING
    return out


@cache
def _fast_registry(strict: bool) -> jsonschema_rs.Registry:
    resources = [(doc["$id"], _compiled_copy(doc)) for doc in schemas(strict).values()]
    return jsonschema_rs.Registry(resources, retriever=no_retrieval)


@cache
def fast_validator(contract: str, *, strict: bool = False) -> jsonschema_rs.Validator:
    """The compiled (jsonschema-rs) validator of a contract, never looser than the reference."""
    return jsonschema_rs.validator_for(
        _compiled_copy(schema(contract, strict=strict)),
        validate_formats=True,
        registry=_fast_registry(strict),
        retriever=no_retrieval,
        mask="<value>",  # explain() words every message itself; this spares formatting the values
    )


@cache
def _explainer(contract: str) -> jsonschema_rs.Validator:
    """The strict compiled validator :func:`explain` lists errors with: the document's own
    ``required`` fields are left to :func:`explain` (an error at the document's top copies the
    whole document back into Python: 100 us for a large session); everything else is checked."""
    top = {key: value for key, value in schema(contract, strict=True).items() if key != "required"}
    return jsonschema_rs.validator_for(
        _compiled_copy(top),
        validate_formats=True,
        registry=_fast_registry(True),
        retriever=no_retrieval,
        mask="<value>",
    )


# The name _keyword() gives the rejection of an unknown field (a pseudo-keyword).
_UNKNOWN_FIELD = "unknown field"


@dataclass(frozen=True, slots=True)
class _Keyword:
    """A keyword of a strict contract as written: its name, its value, the schema holding it."""

    name: str
    value: Any
    holder: dict[str, Any]


@cache
def _by_id() -> dict[str, Any]:
    return {doc["$id"]: doc for doc in schemas(True).values()}


@cache
def _keyword(location: str) -> _Keyword | None:
    """The keyword at an error's absolute keyword location (``$id#/json/pointer``), if it is one.

    The pointer is resolved in the contract as written, not in the compiled copy, so the guard's
    ``not`` is found as a keyword whose holder lacks it, and an unknown field's as
    :data:`_UNKNOWN_FIELD` (held by the object's schema).
    """
    uri, _, pointer = location.partition("#")
    node: Any = _by_id().get(uri)
    parts = [unquote(part).replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    if node is None or not parts:
        return None
    if parts[-2:] == ["additionalProperties", "not"]:
        holder = _walk(node, parts[:-2])
        if isinstance(holder, dict) and holder.get(CLOSED_BY_STRICT_MODE) is True:
            return _Keyword(_UNKNOWN_FIELD, None, holder)
        return None
    node = _walk(node, parts[:-1])
    if not isinstance(node, dict):
        return None
    name = parts[-1]
    return _Keyword(name, node.get(name), node)


def _walk(node: Any, parts: list[str]) -> Any:
    """The node at ``parts`` inside ``node``, or ``None``."""
    for part in parts:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _value_at(instance: Any, parts: list[str | int]) -> tuple[Any, list[str | int]]:
    """The value at an error's instance path, and the path with keys as the document spells them.

    The error's own copy of the value has lost the document's key order (jsonschema-rs keeps
    objects sorted), and messages show the value as the document has it. jsonschema-rs gives a
    key of digits as an integer (``"0"`` -> ``0``): in an object it is the string again.
    """
    fixed = []
    for part in parts:
        if isinstance(part, int) and isinstance(instance, dict):
            part = str(part)
        instance = instance[part]
        fixed.append(part)
    return instance, fixed


# Keywords that apply a subschema one level down the instance; the first two name the child next.
_NAMED_STEPS = frozenset({"properties", "patternProperties"})
_STEPS = frozenset({"items", "additionalProperties", "prefixItems", "contains", "propertyNames"})
# Keywords followed by an index or a name that is no step down the instance.
_SKIP_NEXT = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "dependentSchemas", "$defs"})


@cache
def _depth(evaluation_path: tuple[str | int, ...]) -> int:
    """How many levels down the instance an evaluation path goes.

    jsonschema-rs leaves an empty key (``""``) out of an error's instance path; where the depth
    of the instance path and of the evaluation path differ, the path cannot be trusted.
    """
    depth, skip = 0, False
    for token in evaluation_path[:-1]:  # the last is the keyword that failed, at the instance
        if skip:
            skip = False
        elif token in _NAMED_STEPS:
            depth, skip = depth + 1, True
        elif token in _STEPS:
            depth, skip = depth + 1, token == "prefixItems"
        elif token in _SKIP_NEXT:
            skip = True
    return depth


# The keywords the contracts use whose errors this module words like the reference.
_WORDED = frozenset(
    {
        "type",
        "enum",
        "const",
        "format",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "pattern",
        "required",
        "additionalProperties",
    }
)
# JSON values whose type both engines name alike; only others (NaN, inf, exotic) are rechecked.
_PLAIN = (str, int, list, dict, type(None))


@cache
def _rule(location: str) -> _Keyword | None:
    """The keyword of an error location as :func:`explain` words it, or ``None`` if it cannot.

    The date-time guard's ``not`` becomes the ``format`` keyword it stands in for.
    """
    keyword = _keyword(location)
    if keyword is None or keyword.name == _UNKNOWN_FIELD:
        return keyword
    holder = keyword.holder
    if keyword.name == "not" and "not" not in holder and holder.get("format") == "date-time":
        return _Keyword("format", "date-time", holder)
    if keyword.name not in _WORDED or keyword.name not in holder:
        return None
    if keyword.name == "additionalProperties" and "patternProperties" in holder:
        return None
    return keyword


# contract -> its explainer and the document's own required fields
_STRICT: dict[str, tuple[jsonschema_rs.Validator, list[str]]] = {}


def explain(instance: Any, contract: str, strict: bool) -> list[Violation] | None:
    """The reference's violations of ``instance`` (schema errors and unknown fields), unsorted.

    ``strict`` only sets the severity of unknown fields; one pass of the strict contract finds
    them and every schema error (see :func:`talon_fakes.contracts.reference.explain`). ``None`` when an
    error cannot be worded as the reference words it, or the document cannot be read by
    jsonschema-rs (nested deeper than it goes): then ask the reference.
    """
    explainer = _STRICT.get(contract)
    if explainer is None:
        explainer = _STRICT[contract] = (_explainer(contract), schema(contract).get("required", []))
    validator, required = explainer
    try:
        errors = list(validator.iter_errors(instance))
    except ValueError:
        return None
    found: list[Violation] = []
    if isinstance(instance, dict):  # the reference's ``required`` ignores anything but objects
        found += (missing_field("$", name) for name in required if name not in instance)
    formats: set[tuple[str, int]] = set()  # (path, id(holder)): one format error for both checks
    for error in errors:
        rule = _rule(error.absolute_keyword_location or "")
        if rule is None:
            return None
        name, expected = rule.name, rule.value
        if _depth(tuple(error.evaluation_path)) != len(error.instance_path):
            return None  # an empty key was left out of the instance path
        try:
            value, parts = _value_at(instance, error.instance_path)
        except (LookupError, TypeError):  # a container jsonschema-rs read differently (a tuple's items)
            return None
        if name == _UNKNOWN_FIELD:
            *where, field = parts
            if not isinstance(field, str):
                return None
            found.append(
                unknown_field(json_path(where), field, value, Severity.ERROR if strict else Severity.WARNING)
            )
            continue
        path = json_path(parts)
        if name == "type":
            if not isinstance(value, _PLAIN) and is_type(value, expected):
                continue  # NaN or an infinity, which jsonschema-rs does not take for a number
        elif name == "format":
            if (path, id(rule.holder)) in formats or conforms(value, expected):
                continue
            formats.add((path, id(rule.holder)))
        elif name == "pattern":
            if not isinstance(value, str) or re.search(expected, value):
                continue
            text = f"{value!r} does not match {expected!r}"
            found.append(
                Violation(path, value, schema_message(name, expected, value, text), Kind.SCHEMA, name)
            )
            continue
        elif name == "required":
            if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
                return None
            found.append(missing_field(path, error.kind.property))
            continue
        elif name == "additionalProperties":
            extra = _spec_closed(path, value, rule.holder)
            if extra is None:
                return None
            found.append(extra)
            continue
        found.append(Violation(path, value, schema_message(name, expected, value, ""), Kind.SCHEMA, name))
    return found


def _spec_closed(path: str, value: Any, holder: dict[str, Any]) -> Violation | None:
    """Fields an object the spec itself closes does not allow, worded as the reference does."""
    if not isinstance(value, dict) or holder.get(CLOSED_BY_STRICT_MODE) is True:
        return None  # strict mode's objects reject each field at the field (_UNKNOWN_FIELD)
    known = holder.get("properties", {})
    extras = sorted((key for key in value if key not in known), key=str)
    verb = "was" if len(extras) == 1 else "were"
    text = f"Additional properties are not allowed ({', '.join(map(repr, extras))} {verb} unexpected)"
    return Violation(path, value, text, Kind.SCHEMA, "additionalProperties")
