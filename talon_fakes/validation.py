"""Validate documents against the contracts.

Two engines, one verdict. A compiled validator (jsonschema-rs) answers "is this document
clean?" for the strict form of the contract; most documents are, and then only the invariants
remain to be checked. Any other document is explained by python-jsonschema, the reference
implementation, which also decides the verdict: the fast engine only ever short-cuts the case
where nothing is wrong. Both check ``format`` (date-time, uuid) and both resolve ``$ref`` by
``$id`` from the packaged files, never over the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs
import referencing
from jsonschema.exceptions import ValidationError

from talon_fakes.contracts import CLOSED_BY_STRICT_MODE, check_name, schema, schemas
from talon_fakes.errors import ContractViolation, TalonFakesError
from talon_fakes.invariants import check_invariants
from talon_fakes.violations import Kind, Severity, Violation, child, json_path, short

_STOCK_FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
if "date-time" not in _STOCK_FORMATS.checkers:  # pragma: no cover - guarded by the dependencies
    raise TalonFakesError(
        "python-jsonschema cannot check date-time formats here; install rfc3339-validator "
        "(talon-fakes depends on it, so the environment is incomplete)"
    )
_FORMAT_CHECKER = jsonschema.FormatChecker(list(_STOCK_FORMATS.checkers))
_stock_date_time, _ = _STOCK_FORMATS.checkers["date-time"]


@_FORMAT_CHECKER.checks("date-time")
def _date_time(value: object) -> bool:
    """python-jsonschema's date-time check, less one quirk: its ``$`` accepts a trailing newline."""
    return not isinstance(value, str) or (not value.endswith("\n") and bool(_stock_date_time(value)))


def _no_retrieval(uri: str) -> Any:
    raise TalonFakesError(f"contract reference {uri!r} is not a packaged contract; nothing is fetched")


@cache
def _registry(strict: bool) -> referencing.Registry[Any]:
    resources = [(doc["$id"], referencing.Resource.from_contents(doc)) for doc in schemas(strict).values()]
    return referencing.Registry().with_resources(resources)


@cache
def reference_validator(contract: str, *, strict: bool = False) -> jsonschema.Draft202012Validator:
    """The python-jsonschema validator of a contract, with format checks and offline ``$ref``."""
    return jsonschema.Draft202012Validator(
        schema(contract, strict=strict), registry=_registry(strict), format_checker=_FORMAT_CHECKER
    )


# Strings jsonschema-rs accepts as date-times and python-jsonschema (rfc3339-validator) rejects: a
# leap second (RFC 3339 and the JSON Schema test suite allow 23:59:60) and year 0000. The fast
# path must never pass what the reference rejects, so its schemas also refuse these; a document
# holding one is then decided by the reference. (Where only python-jsonschema accepts, as for
# "{uuid}" or a trailing newline, the fast path already defers.) tests/contract/test_verdicts.py
# pins the engines' differences and searches for others.
_RS_ONLY_DATE_TIMES = r"(:60(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$)|^0000-"


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


# Keywords whose values are data, not schemas: never rewritten.
_DATA_KEYWORDS = ("enum", "const", "default", "examples", "required")


@cache
def _fast_registry(strict: bool) -> jsonschema_rs.Registry:
    resources = [(doc["$id"], _guard_date_times(doc)) for doc in schemas(strict).values()]
    return jsonschema_rs.Registry(resources, retriever=_no_retrieval)


@cache
def fast_validator(contract: str, *, strict: bool = False) -> jsonschema_rs.Validator:
    """The compiled (jsonschema-rs) validator of a contract, never looser than the reference."""
    return jsonschema_rs.validator_for(
        _guard_date_times(schema(contract, strict=strict)),
        validate_formats=True,
        registry=_fast_registry(strict),
        retriever=_no_retrieval,
    )


def _message(error: ValidationError) -> str:
    keyword = str(error.validator)
    expected: Any = error.validator_value
    value: Any = error.instance
    if keyword == "type":
        return f"expected {expected}, got {_json_type(value)} {short(value, 40)}"
    if keyword == "enum":
        return f"{short(value)} is not one of {', '.join(map(str, expected))}"
    if keyword == "const":
        return f"{short(value)} is not {short(expected)}"
    if keyword == "format":
        return f"{short(value)} is not a valid {expected}"
    if keyword in ("maxItems", "minItems"):
        bound = "most" if keyword == "maxItems" else "least"
        return f"{len(value)} items; at {bound} {expected} allowed"
    if keyword in ("maxLength", "minLength"):
        bound = "most" if keyword == "maxLength" else "least"
        return f"{len(value)} characters; at {bound} {expected} allowed"
    if keyword == "minimum":
        return f"{value} is less than the minimum {expected}"
    if keyword == "maximum":
        return f"{value} is more than the maximum {expected}"
    text = str(error.message)
    return text if len(text) <= 200 else text[:197] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "integer" if isinstance(value, int) else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "unknown"


def _schema_violations(error: ValidationError) -> Iterator[Violation]:
    path = json_path(error.absolute_path)
    if error.validator == "required":
        # One error per missing name; report it at the path where the field should be.
        present = error.instance if isinstance(error.instance, dict) else {}
        names: Any = error.validator_value
        for name in names:
            if name not in present and error.message.startswith(f"{name!r} is a required"):
                message = f"required field {name!r} is missing"
                yield Violation(child(path, name), None, message, Kind.SCHEMA, "required")
                return
    yield Violation(path, error.instance, _message(error), Kind.SCHEMA, str(error.validator))


def _unknown_fields(error: ValidationError, severity: Severity) -> Iterator[Violation]:
    path = json_path(error.absolute_path)
    subschema: Any = error.schema
    instance: Any = error.instance
    known = subschema.get("properties", {})
    for name, value in instance.items():
        if name not in known:
            message = f"unknown field {name!r}: the contract does not define it"
            yield Violation(
                child(path, name), value, message, Kind.UNKNOWN_FIELD, "additionalProperties", severity
            )


def _is_unknown_field(error: ValidationError) -> bool:
    """An unknown field of an object strict mode closed (not one the spec itself closes)."""
    subschema: Any = error.schema
    return error.validator == "additionalProperties" and subschema.get(CLOSED_BY_STRICT_MODE) is True


def _drift_from_fast_errors(instance: Any, contract: str, severity: Severity) -> list[Violation] | None:
    """The unknown fields of a document the lenient contract accepts, from the compiled engine.

    ``None`` when the strict engine reports anything else (then the reference explains it).
    """
    found = []
    for error in _fast(contract)[0].iter_errors(instance):
        if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            return None
        parts = list(error.instance_path)
        for name in error.kind.unexpected:
            message = f"unknown field {name!r}: the contract does not define it"
            holder: Any = error.instance
            value = holder[name]
            where = json_path([*parts, name])
            found.append(
                Violation(where, value, message, Kind.UNKNOWN_FIELD, "additionalProperties", severity)
            )
    return found


def _explain(instance: Any, contract: str, strict: bool) -> list[Violation]:
    """Every schema violation and unknown field, from the reference implementation.

    One pass of the strict schema finds both: closing objects adds ``additionalProperties``
    errors and changes nothing else, because the contracts use no applicator whose outcome an
    extra field could flip (no ``anyOf``/``oneOf``/``not``; ``if`` stays open; a test checks it).
    """
    found: list[Violation] = []
    drift = Severity.ERROR if strict else Severity.WARNING
    try:
        for error in reference_validator(contract, strict=True).iter_errors(instance):
            if _is_unknown_field(error):
                found += _unknown_fields(error, drift)
            else:
                found += _schema_violations(error)
    except RecursionError:
        message = "the document is nested too deeply to check"
        return [Violation("$", None, message, Kind.SCHEMA, "depth")]
    return found


# contract -> its compiled (strict, lenient) validators
_FAST: dict[str, tuple[jsonschema_rs.Validator, jsonschema_rs.Validator]] = {}


def _fast(contract: str) -> tuple[jsonschema_rs.Validator, jsonschema_rs.Validator]:
    pair = _FAST.get(contract)
    if pair is None:
        if not isinstance(contract, str):
            raise TypeError(f"contract must be a contract name (a str), not {type(contract).__name__}")
        name = check_name(contract)
        pair = _FAST[name] = (fast_validator(name, strict=True), fast_validator(name, strict=False))
    return pair


def _path_key(violation: Violation) -> tuple[Any, ...]:
    """Sort ``$.cartItems[2]`` before ``$.cartItems[10]``."""
    parts = re.split(r"\[(\d+)\]", violation.path)
    return tuple((1, int(p), "") if i % 2 else (0, 0, p) for i, p in enumerate(parts)), violation.rule


def validate(
    instance: Any, contract: str, *, strict: bool = False, invariants: bool = True
) -> list[Violation]:
    """Check ``instance`` against ``contract`` and return every violation found.

    * ``strict=False`` (lenient, as the spec): unknown fields are allowed and each is reported
      as a :data:`~Kind.UNKNOWN_FIELD` warning (drift); ``strict=True``: they are errors.
    * ``invariants=True`` adds the checks JSON Schema cannot express (totals, dates, cart limits,
      anonymous sessions), run on documents whose schema errors are none.

    An empty list means the document is clean; ``[v for v in result if v.is_error]`` are the
    failures. Raises :class:`~talon_fakes.UnknownContract` for a name that is not a contract.
    """
    closed, open_ = _fast(contract)
    found: list[Violation] = []
    if not closed.is_valid(instance):
        # Drift only (the lenient contract holds): the compiled engine lists the unknown fields.
        drift = (
            _drift_from_fast_errors(instance, contract, Severity.WARNING)
            if not strict and open_.is_valid(instance)
            else None
        )
        found = _explain(instance, contract, strict) if drift is None else drift
    if invariants and not any(v.kind is Kind.SCHEMA for v in found):
        found += check_invariants(instance, contract)
    return sorted(found, key=_path_key) if len(found) > 1 else found


def is_valid(instance: Any, contract: str, *, strict: bool = False, invariants: bool = True) -> bool:
    """Whether ``instance`` has no error-level violation of ``contract``."""
    return not any(v.is_error for v in validate(instance, contract, strict=strict, invariants=invariants))


def assert_contract(instance: Any, contract: str, *, strict: bool = False, invariants: bool = True) -> None:
    """Raise :class:`~talon_fakes.ContractViolation` listing every error, if there is one."""
    errors = [v for v in validate(instance, contract, strict=strict, invariants=invariants) if v.is_error]
    if errors:
        raise ContractViolation(contract, errors)
