"""Which contract a response of the session API must follow, and the check of a test's responses.

The operations and their 200 contracts are read from the API table (:mod:`talon_fakes.api`,
which the fake's router and its OpenAPI document read too), so this module holds no table of its
own: error bodies follow ``error-response`` (400) or ``error-response-with-status`` (any other
status), as that table says for every declared error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Observed:
    """One response a test received: from the fake's journal, or seen on the way from a live host."""

    method: str
    path: str
    status: int
    body: Any
    operation: str | None  # the fake's handler name (``update_customer_session``), None when unrouted

    def describe(self) -> str:
        """``PUT /v2/customer_sessions/s1 -> 400 (update_customer_session)``."""
        operation = self.operation or "no such operation"
        return f"{self.method} {self.path} -> {self.status} ({operation})"


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


@dataclass
class Findings:
    """What the check of some responses found: failures and drift warnings, as readable lines."""

    errors: list[str]
    warnings: list[str]


def check_responses(responses: list[Observed], *, strict: bool) -> Findings:
    """Validate every response body against its contract.

    A 200 of an unrouted request cannot happen (the fake answers 404/405); a 500 is the fake's
    own failure, re-raised from the server thread instead, so neither is checked here.
    """
    from talon_fakes import validate

    findings = Findings([], [])
    for response in responses:
        if response.status >= 500:
            continue
        contract = contract_for(response.operation, response.status)
        violations = validate(response.body, contract, strict=strict)
        for violation in violations:
            line = (
                f"{response.describe()}: contract {contract!r}: {violation.path} = "
                f"{_short(violation.value)}: {violation.message} [rule {violation.rule}]"
            )
            (findings.errors if violation.is_error else findings.warnings).append(line)
    return findings


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failure_message(errors: list[str], *, strict: bool) -> str:
    """The message of the failure a test gets for the broken responses it received."""
    mode = "strict" if strict else "lenient"
    count = len(errors)
    head = f"talon-fakes: {count} response contract violation{'s' if count != 1 else ''} ({mode} contracts):"
    fix = (
        "The fake or the deployment answered outside the contract: if the deployment is right, the "
        "contract (contracts/) or the fake needs the change; unknown fields fail only with --talon-strict."
    )
    return "\n".join([head, *(f"  - {line}" for line in errors), fix])
