"""The compiled engine: jsonschema-rs validators of the contracts, and their errors as violations.

jsonschema-rs checks a document tens of times faster than python-jsonschema, clean or not. Its
verdict is the reference's (:mod:`talon_fakes.reference`) wherever the two read JSON Schema the
same way, which is everywhere but a few strings:

* date-times only jsonschema-rs accepts (a leap second, year 0000): its schemas also refuse them
  (a ``not``/``pattern`` guard), so that it never passes what the reference rejects;
* values only python-jsonschema accepts (date-times with a trailing newline, ``{uuid}``, a
  pattern's ``$`` before a final newline, NaN as a number): every ``format``, ``pattern`` and
  ``type`` error, and every guard error, is checked again with the reference's own format
  checker, :func:`re.search` or type checker, and only kept when the reference rejects the value
  too.

:func:`explain` turns the errors into the violations the reference would report, word for word
(:func:`talon_fakes.violations.schema_message`), and returns ``None`` when it meets an error it
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

from talon_fakes.contracts import CLOSED_BY_STRICT_MODE, schema, schemas
from talon_fakes.reference import FORMAT_CHECKER, is_type, no_retrieval
from talon_fakes.violations import (
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


def _guard_date_times(schema: Any) -> Any:
    """A copy of ``schema`` whose date-time strings must also not be of the kinds above."""
    if isinstance(schema, list):
        return [_guard_date_times(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _guard_date_times(value) for key, value in schema.items() if key not in _DATA_KEYWORDS}
    out |= {key: schema[key] for key in _DATA_KEYWORDS if key in schema}
    if schema.get("format") == "date-time":
        out["not"] = {"pattern": _RS_ONLY_DATE_TIMES}
    return out


@cache
def _fast_registry(strict: bool) -> jsonschema_rs.Registry:
    resources = [(doc["$id"], _guard_date_times(doc)) for doc in schemas(strict).values()]
    return jsonschema_rs.Registry(resources, retriever=no_retrieval)


@cache
def fast_validator(contract: str, *, strict: bool = False) -> jsonschema_rs.Validator:
    """The compiled (jsonschema-rs) validator of a contract, never looser than the reference."""
    return jsonschema_rs.validator_for(
        _guard_date_times(schema(contract, strict=strict)),
        validate_formats=True,
        registry=_fast_registry(strict),
        retriever=no_retrieval,
    )


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

    The pointer is resolved in the contract as written, not in the guarded copy, so the guard's
    ``not`` is found as a keyword whose holder lacks it.
    """
    uri, _, pointer = location.partition("#")
    node: Any = _by_id().get(uri)
    parts = [unquote(part).replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    if node is None or not parts:
        return None
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    if not isinstance(node, dict):
        return None
    name = parts[-1]
    return _Keyword(name, node.get(name), node)


def _value_at(instance: Any, parts: list[str | int]) -> tuple[list[str | int], Any]:
    """The path with each step typed as the document has it, and the value there.

    The error's own copy of the value has lost the document's key order (jsonschema-rs keeps
    objects sorted), and messages show the value as the document has it. jsonschema-rs reports an
    object key that looks like a number (``{"0": ...}``) as an integer: it is a key all the same.
    """
    typed: list[str | int] = []
    for part in parts:
        if isinstance(instance, dict):
            part = str(part)
        typed.append(part)
        instance = instance[part]
    return typed, instance


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


def explain(instance: Any, contract: str, strict: bool) -> list[Violation] | None:
    """The reference's violations of ``instance`` (schema errors and unknown fields), unsorted.

    ``strict`` only sets the severity of unknown fields; one pass of the strict contract finds
    them and every schema error (see :func:`talon_fakes.reference.explain`). ``None`` when an
    error cannot be worded as the reference words it, or the document cannot be read by
    jsonschema-rs (nested deeper than it goes): then ask the reference.
    """
    try:
        errors = list(fast_validator(contract, strict=True).iter_errors(instance))
    except ValueError:
        return None
    drift = Severity.ERROR if strict else Severity.WARNING
    found: list[Violation] = []
    formats: set[tuple[str, int]] = set()  # (path, id(holder)): one format error for both checks
    for error in errors:
        keyword = _keyword(error.absolute_keyword_location or "")
        if keyword is None:
            return None
        name, expected = keyword.name, keyword.value
        if name == "not" and "not" not in keyword.holder and keyword.holder.get("format") == "date-time":
            name, expected = "format", "date-time"  # the guard: a date-time only jsonschema-rs accepts
        if name not in _WORDED or name not in keyword.holder:
            return None
        parts, value = _value_at(instance, list(error.instance_path))
        path = json_path(parts)
        if name == "format":
            if (path, id(keyword.holder)) in formats or FORMAT_CHECKER.conforms(value, expected):
                continue
            formats.add((path, id(keyword.holder)))
        if name == "pattern" and (not isinstance(value, str) or re.search(expected, value)):
            continue
        if name == "type" and is_type(value, expected):
            continue  # NaN or an infinity, which jsonschema-rs does not take for a number
        if name == "required":
            if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
                return None
            found.append(missing_field(path, error.kind.property))
        elif name == "additionalProperties":
            if "patternProperties" in keyword.holder or not isinstance(value, dict):
                return None
            known = keyword.holder.get("properties", {})
            if keyword.holder.get(CLOSED_BY_STRICT_MODE) is True:
                found += (
                    unknown_field(path, key, item, drift) for key, item in value.items() if key not in known
                )
                continue
            extras = sorted((key for key in value if key not in known), key=str)
            verb = "was" if len(extras) == 1 else "were"
            text = f"Additional properties are not allowed ({', '.join(map(repr, extras))} {verb} unexpected)"
            found.append(Violation(path, value, text, Kind.SCHEMA, name))
        else:
            text = f"{value!r} does not match {expected!r}" if name == "pattern" else ""
            found.append(
                Violation(path, value, schema_message(name, expected, value, text), Kind.SCHEMA, name)
            )
    return found
