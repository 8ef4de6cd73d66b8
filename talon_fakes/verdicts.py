"""Which contract a response of the session API must follow, and its verdict.

The operations and their 200 contracts are read from the OpenAPI document of the fake
(:mod:`talon_fakes.openapi`, itself built from the contracts), so this module holds no table of
its own: error bodies follow ``error-response`` (400) or ``error-response-with-status`` (any
other status), as that document says for every declared error. The plugin's response checks
and the control API's journal both ask this module.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any


@cache
def _operations() -> tuple[tuple[str, re.Pattern[str], str, str], ...]:
    """(method, path pattern, handler, 200 contract) for every operation of the fake."""
    from talon_fakes.openapi import OPERATIONS, document

    paths = document()["paths"]
    rows = []
    for method, path, _operation_id, handler in OPERATIONS:
        ok = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        pattern = re.compile(re.sub(r"\{[^}/]+\}", "[^/]+", path))
        rows.append((method.upper(), pattern, handler, ok.rsplit("/", 1)[-1]))
    return tuple(rows)


def operation_of(method: str, path: str) -> str | None:
    """The fake's handler name for a request (``None`` when no operation has that method and path)."""
    for verb, pattern, handler, _ in _operations():
        if verb == method.upper() and pattern.fullmatch(path):
            return handler
    return None


def contract_for(operation: str | None, status: int) -> str:
    """The contract of a response body: the operation's 200 contract, or the error contract."""
    if status == 200:
        for _, _, handler, ok in _operations():
            if handler == operation:
                return ok
    return "error-response" if status == 400 else "error-response-with-status"


def conforms(operation: str | None, status: int, body: Any) -> bool:
    """Whether a response has no error-level violation of its contract (a 5xx: not checked, so
    true). The compiled validator answers first; :func:`verdict` explains a failure."""
    if status >= 500:
        return True
    from talon_fakes.invariants import check_invariants
    from talon_fakes.validation import fast_validator

    contract = contract_for(operation, status)
    if not fast_validator(contract).is_valid(body):
        return False
    return not any(violation.is_error for violation in check_invariants(body, contract))


def verdict(operation: str | None, status: int, body: Any) -> dict[str, Any]:
    """The contract verdict of one response, as JSON: ``contract``, ``valid`` and its ``errors``
    and drift ``warnings`` (each ``"$.path: message"``).

    A 5xx answer is the fake's own failure (or an injected one), which no contract describes: its
    verdict is ``valid: null`` with the reason.
    """
    if status >= 500:
        return {"contract": None, "valid": None, "errors": [], "warnings": [], "note": "a 5xx: not checked"}
    from talon_fakes.validation import validate

    contract = contract_for(operation, status)
    violations = validate(body, contract)
    errors = [f"{v.path}: {v.message}" for v in violations if v.is_error]
    warnings = [f"{v.path}: {v.message}" for v in violations if not v.is_error]
    return {"contract": contract, "valid": not errors, "errors": errors, "warnings": warnings}
