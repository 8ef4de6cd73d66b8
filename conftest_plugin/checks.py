"""Which contract a response of the session API must follow, and the check of a test's responses.

Which contract each answer follows is :mod:`talon_fakes.contracts.verdicts`'s to say (read from the API
table, :mod:`talon_fakes.api`; the control API's journal asks it too); this module checks a
test's responses with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Also the control API's journal verdicts' rule: one home, in the package.
from talon_fakes.contracts.verdicts import contract_for, operation_of

__all__ = ["Findings", "Observed", "check_responses", "contract_for", "failure_message", "operation_of"]


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
