"""Validate documents against the contracts.

Two engines, one report. The compiled validator (jsonschema-rs, :mod:`talon_fakes.contracts.compiled`)
checks every document: a clean one in one call, and any other is explained from its errors,
worded as the reference implementation (python-jsonschema, :mod:`talon_fakes.contracts.reference`) words
them and decided as it decides them. The reference explains what the compiled engine cannot (a
document nested deeper than jsonschema-rs reads). The invariants are checked on documents
without schema errors. Both engines check ``format`` (date-time, uuid) and resolve ``$ref`` by
``$id`` from the packaged files, never over the network.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs

from talon_fakes.contracts import compiled, reference
from talon_fakes.contracts.compiled import fast_validator
from talon_fakes.contracts.invariants import check_invariants
from talon_fakes.contracts.loading import check_name
from talon_fakes.contracts.reference import reference_validator
from talon_fakes.contracts.violations import Kind, Violation
from talon_fakes.errors import ContractViolation

__all__ = [
    "assert_contract",
    "fast_validator",
    "is_valid",
    "reference_validator",
    "reference_violations",
    "validate",
]

# contract -> its compiled strict validator (a dict lookup is cheaper than functools.cache's key)
_FAST: dict[str, jsonschema_rs.Validator] = {}


def _fast(contract: str) -> jsonschema_rs.Validator:
    closed = _FAST.get(contract)
    if closed is None:
        if not isinstance(contract, str):
            raise TypeError(f"contract must be a contract name (a str), not {type(contract).__name__}")
        name = check_name(contract)
        closed = _FAST[name] = fast_validator(name, strict=True)
    return closed


def _path_key(violation: Violation) -> tuple[Any, ...]:
    """Sort ``$.cartItems[2]`` before ``$.cartItems[10]``."""
    parts = re.split(r"\[(\d+)\]", violation.path)
    return tuple((1, int(p), "") if i % 2 else (0, 0, p) for i, p in enumerate(parts)), violation.rule


def _report(instance: Any, contract: str, found: list[Violation], invariants: bool) -> list[Violation]:
    if invariants and not any(v.kind is Kind.SCHEMA for v in found):
        found += check_invariants(instance, contract)
    return sorted(found, key=_path_key) if len(found) > 1 else found


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
    found: list[Violation] = []
    # The strict contract passes most documents in one call; anything else is explained.
    if not _fast(contract).is_valid(instance):
        explained = compiled.explain(instance, contract, strict)
        found = reference.explain(instance, contract, strict) if explained is None else explained
    return _report(instance, contract, found, invariants)


def reference_violations(
    instance: Any, contract: str, *, strict: bool = False, invariants: bool = True
) -> list[Violation]:
    """What :func:`validate` returns, found by python-jsonschema alone (slower; for comparisons).

    The reference implementation's report of the same document: tests and benchmarks hold
    :func:`validate` equal to it.
    """
    found = reference.explain(instance, check_name(contract), strict)
    return _report(instance, contract, found, invariants)


def is_valid(instance: Any, contract: str, *, strict: bool = False, invariants: bool = True) -> bool:
    """Whether ``instance`` has no error-level violation of ``contract``."""
    return not any(v.is_error for v in validate(instance, contract, strict=strict, invariants=invariants))


def assert_contract(instance: Any, contract: str, *, strict: bool = False, invariants: bool = True) -> None:
    """Raise :class:`~talon_fakes.ContractViolation` listing every error, if there is one."""
    errors = [v for v in validate(instance, contract, strict=strict, invariants=invariants) if v.is_error]
    if errors:
        raise ContractViolation(contract, errors)
