"""The reference engine: python-jsonschema, and its errors as violations.

python-jsonschema is the reference implementation of JSON Schema: where it and the compiled
engine (:mod:`talon_fakes.contracts.compiled`) read a value differently (a few date-time and uuid
spellings, ``$`` before a final newline in a pattern), its verdict is the contract's. It checks
``format`` (date-time, uuid) and resolves ``$ref`` by ``$id`` from the packaged files, never over
the network. :func:`explain` gives the report the compiled engine is tested against, and the one
used for the rare document the compiled engine cannot explain.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import referencing
from jsonschema.exceptions import ValidationError

from talon_fakes.contracts.loading import CLOSED_BY_STRICT_MODE, schema, schemas
from talon_fakes.contracts.violations import (
    Kind,
    Severity,
    Violation,
    json_path,
    missing_field,
    schema_message,
    unknown_field,
)
from talon_fakes.errors import TalonFakesError

_STOCK_FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
if "date-time" not in _STOCK_FORMATS.checkers:  # pragma: no cover - guarded by the dependencies
    raise TalonFakesError(
        "python-jsonschema cannot check date-time formats here; install rfc3339-validator "
        "(talon-fakes depends on it, so the environment is incomplete)"
    )
FORMAT_CHECKER = jsonschema.FormatChecker(list(_STOCK_FORMATS.checkers))
_stock_date_time, _ = _STOCK_FORMATS.checkers["date-time"]


@FORMAT_CHECKER.checks("date-time")
def _date_time(value: object) -> bool:
    """python-jsonschema's date-time check, less one quirk: its ``$`` accepts a trailing newline."""
    return not isinstance(value, str) or (not value.endswith("\n") and bool(_stock_date_time(value)))


def conforms(value: Any, fmt: str) -> bool:
    """Whether the reference's format check passes ``value`` as ``fmt`` (unknown formats pass).

    ``FORMAT_CHECKER.conforms`` says the same, but builds a FormatError for every failure (tens
    of microseconds); this calls the check itself.
    """
    check = FORMAT_CHECKER.checkers.get(fmt)
    if check is None:
        return True
    func, raises = check
    try:
        return bool(func(value))
    except raises:
        return False


def is_type(value: Any, expected: str | list[str]) -> bool:
    """Whether the reference calls ``value`` of the JSON type(s) ``expected`` (NaN is a number)."""
    names = [expected] if isinstance(expected, str) else expected
    return any(_TYPES.is_type(value, name) for name in names)


_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER


def no_retrieval(uri: str) -> Any:
    """The retriever of both engines: a ``$ref`` outside the packaged contracts is an error."""
    raise TalonFakesError(f"contract reference {uri!r} is not a packaged contract; nothing is fetched")


@cache
def _registry(strict: bool) -> referencing.Registry[Any]:
    resources = [(doc["$id"], referencing.Resource.from_contents(doc)) for doc in schemas(strict).values()]
    return referencing.Registry().with_resources(resources)


@cache
def reference_validator(contract: str, *, strict: bool = False) -> jsonschema.Draft202012Validator:
    """The python-jsonschema validator of a contract, with format checks and offline ``$ref``."""
    return jsonschema.Draft202012Validator(
        schema(contract, strict=strict), registry=_registry(strict), format_checker=FORMAT_CHECKER
    )


def _schema_violations(error: ValidationError) -> Iterator[Violation]:
    path = json_path(error.absolute_path)
    if error.validator == "required":
        # One error per missing name; report it at the path where the field should be.
        present = error.instance if isinstance(error.instance, dict) else {}
        names: Any = error.validator_value
        for name in names:
            if name not in present and error.message.startswith(f"{name!r} is a required"):
                yield missing_field(path, name)
                return
    keyword = str(error.validator)
    message = schema_message(keyword, error.validator_value, error.instance, str(error.message))
    yield Violation(path, error.instance, message, Kind.SCHEMA, keyword)


def _unknown_fields(error: ValidationError, severity: Severity) -> Iterator[Violation]:
    path = json_path(error.absolute_path)
    subschema: Any = error.schema
    instance: Any = error.instance
    known = subschema.get("properties", {})
    for name, value in instance.items():
        if name not in known:
            yield unknown_field(path, name, value, severity)


def _is_unknown_field(error: ValidationError) -> bool:
    """An unknown field of an object strict mode closed (not one the spec itself closes)."""
    subschema: Any = error.schema
    return error.validator == "additionalProperties" and subschema.get(CLOSED_BY_STRICT_MODE) is True


def explain(instance: Any, contract: str, strict: bool) -> list[Violation]:
    """Every schema violation and unknown field, from the reference implementation, unsorted.

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
