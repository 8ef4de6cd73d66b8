"""The exceptions talon-fakes raises; all derive from :class:`TalonFakesError`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from talon_fakes.contracts.violations import Violation
    from talon_fakes.states import Operation, State


class TalonFakesError(Exception):
    """Root of every error talon-fakes raises on purpose."""


class UnknownContract(TalonFakesError, LookupError):
    """A contract name that is not one of :func:`talon_fakes.contract_names`."""


class ContractsNotFound(TalonFakesError, FileNotFoundError):
    """The contract files could not be found beside the package or in the checkout."""


class UnknownRuleSet(TalonFakesError, LookupError):
    """A rule set name that is not one of ``current``, ``v1`` or ``legacy``."""


class InvalidTransition(TalonFakesError, ValueError):
    """A session state change that the chosen rule set does not allow.

    ``source`` is ``None`` for the creation of a session; the message names from, to, the
    operation and what is allowed instead.
    """

    def __init__(
        self,
        message: str,
        *,
        source: State | None = None,
        target: State | None = None,
        operation: Operation | None = None,
    ) -> None:
        super().__init__(message)
        self.source, self.target, self.operation = source, target, operation


class SessionNotFound(TalonFakesError, LookupError):
    """No session (or profile) with that ID."""


class InvalidRequest(TalonFakesError, ValueError):
    """A request the API rejects; ``pointer`` (into the body) or ``parameter`` names the culprit."""

    def __init__(self, message: str, *, pointer: str | None = None, parameter: str | None = None) -> None:
        super().__init__(message)
        self.pointer, self.parameter = pointer, parameter


class InvalidCampaigns(TalonFakesError, ValueError):
    """A campaigns document the fake cannot take; ``path`` is the JSON path inside it
    (``$.campaigns[0].coupons[1].usageLimit``), and the message says what is wrong there."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class ContractViolation(TalonFakesError, AssertionError):
    """A document broke its contract; ``violations`` lists every problem found.

    It is an ``AssertionError`` so that pytest reports it as a test failure.
    """

    def __init__(self, contract: str, violations: Sequence[Violation]) -> None:
        self.contract = contract
        self.violations = list(violations)
        count = len(self.violations)
        lines = [
            f"document does not match contract {contract!r} ({count} problem{'' if count == 1 else 's'}):"
        ]
        lines += [f"  - {violation}" for violation in self.violations]
        super().__init__("\n".join(lines))


# -- the generators (factories and strategies) --------------------------------------------
class _Keyed(TalonFakesError, KeyError):
    """A ``KeyError`` whose message prints as written (``KeyError`` quotes it by default)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownFactory(_Keyed):
    """A name that is not one of :data:`talon_fakes.generators.factories.FACTORY_NAMES`."""


class UnknownTrait(TalonFakesError, ValueError):
    """A trait that does not exist, does not apply to the entity, or conflicts with another choice."""


class UnreachableState(TalonFakesError, ValueError):
    """A state the entity cannot be in under the chosen rule set (or that its contract does not allow)."""


class InvalidOverride(_Keyed):
    """An override whose path does not exist in the contract or in the generated document."""


class UnknownLocale(TalonFakesError, ValueError):
    """A locale Faker does not know."""
