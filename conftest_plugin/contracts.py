"""``talon_contracts``: the contract checks, strict or lenient as the run was asked (``--talon-strict``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from talon_fakes.contracts.violations import Violation


class Contracts:
    """Validate documents against the talon-fakes contracts.

    ``strict`` defaults to the run's ``--talon-strict``; each call may say otherwise.
    """

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict

    def _strict(self, strict: bool | None) -> bool:
        return self.strict if strict is None else strict

    def validate(
        self, document: Any, contract: str, *, strict: bool | None = None, invariants: bool = True
    ) -> list[Violation]:
        """Every violation of ``contract`` in ``document`` (see :func:`talon_fakes.validate`)."""
        from talon_fakes import validate

        return validate(document, contract, strict=self._strict(strict), invariants=invariants)

    def is_valid(
        self, document: Any, contract: str, *, strict: bool | None = None, invariants: bool = True
    ) -> bool:
        """Whether ``document`` has no error-level violation of ``contract``."""
        from talon_fakes import is_valid

        return is_valid(document, contract, strict=self._strict(strict), invariants=invariants)

    def assert_contract(
        self, document: Any, contract: str, *, strict: bool | None = None, invariants: bool = True
    ) -> None:
        """Raise :class:`~talon_fakes.ContractViolation` (an ``AssertionError``) listing every error."""
        __tracebackhide__ = True
        from talon_fakes import assert_contract

        assert_contract(document, contract, strict=self._strict(strict), invariants=invariants)

    def names(self) -> list[str]:
        """The contract names (``customer-session-v2``, ...)."""
        from talon_fakes import contract_names

        return list(contract_names())

    def describe(self, contract: str) -> str:
        """One line on what ``contract`` describes."""
        from talon_fakes import describe_contract

        return str(describe_contract(contract))

    def __repr__(self) -> str:
        return f"<talon_contracts {'strict' if self.strict else 'lenient'}>"
