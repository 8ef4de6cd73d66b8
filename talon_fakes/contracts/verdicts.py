"""Which contract a response of the session API must follow, and its verdict.

The operations and their 200 contracts are read from the API table (:mod:`talon_fakes.api`,
which the fake's router and its OpenAPI document read too), so this module holds no table of its
own: error bodies follow ``error-response`` (400) or ``error-response-with-status`` (any
other status), as that document says for every declared error. The plugin's response checks
and the control API's journal both ask this module.
"""

from __future__ import annotations

from typing import Any


def operation_of(method: str, path: str) -> str | None:
    """The fake's handler name for a request (``None`` when no operation has that method and path)."""
    from talon_fakes.api import route

    operation = route(method, path)
    return None if operation is None else operation.name


def contract_for(operation: str | None, status: int) -> str:
    """The contract of a response body: the operation's 200 contract, or the error contract."""
    from talon_fakes import api

    if status == 200 and operation is not None:
        try:
            return api.operation(operation).answers[200]
        except KeyError:  # not an operation of the fake: as for an unrouted request
            pass
    return api.BAD_REQUEST if status == 400 else api.ERROR_WITH_STATUS


def conforms(operation: str | None, status: int, body: Any) -> bool:
    """Whether a response has no error-level violation of its contract (a 5xx: not checked, so
    true). The compiled validator answers first; :func:`verdict` explains a failure."""
    if status >= 500:
        return True
    from talon_fakes.contracts.invariants import check_invariants
    from talon_fakes.contracts.validation import fast_validator

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
    from talon_fakes.contracts.validation import validate

    contract = contract_for(operation, status)
    violations = validate(body, contract)
    errors = [f"{v.path}: {v.message}" for v in violations if v.is_error]
    warnings = [f"{v.path}: {v.message}" for v in violations if not v.is_error]
    return {"contract": contract, "valid": not errors, "errors": errors, "warnings": warnings}
