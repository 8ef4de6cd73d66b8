"""talon-fakes: test a Talon.One integration without a live Talon.One.

Contracts (JSON Schema for every customer-session entity, plus the checks JSON Schema cannot
express) to validate real responses and your own mocks::

    import talon_fakes

    violations = talon_fakes.validate(response_json, "integration-state-v2")
    talon_fakes.assert_contract(response_json, "customer-session-v2", strict=True)

Generated documents, valid by construction (Faker factories; Hypothesis strategies in
:mod:`talon_fakes.generators.strategies`)::

    session = talon_fakes.Factories(seed=7).customer_session_v2(state="closed")

and the stateful fake of the session endpoints, on a socket or in-process::

    with talon_fakes.TalonFake() as fake:
        ...  # fake.base_url, fake.integration_headers, fake.seed_session(...), fake.journal

The folders are the parts: :mod:`talon_fakes.contracts` (schemas and every check),
:mod:`talon_fakes.fake` (the stateful fake), :mod:`talon_fakes.generators` (factories and
strategies) and :mod:`talon_fakes.cli` (one module per command); :mod:`talon_fakes.states` (and
its :mod:`~talon_fakes.diagram`), :mod:`talon_fakes.errors`, :mod:`talon_fakes.api` (the endpoints)
and :mod:`talon_fakes.auth` (their credentials) are shared by all of them.
Names are imported lazily, so ``import talon_fakes`` stays cheap for the pytest plugin.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "RULE_SETS",
    "ContractViolation",
    "ContractsNotFound",
    "Factories",
    "InvalidCampaigns",
    "InvalidOverride",
    "InvalidTransition",
    "Kind",
    "Operation",
    "RuleSet",
    "Severity",
    "State",
    "TalonFake",
    "TalonFakesError",
    "TalonProvider",
    "Transition",
    "UnknownContract",
    "UnknownFactory",
    "UnknownLocale",
    "UnknownRuleSet",
    "UnknownTrait",
    "UnreachableState",
    "Violation",
    "__version__",
    "assert_contract",
    "check_state_history",
    "contract_names",
    "describe_contract",
    "is_valid",
    "load_campaigns",
    "rule_set",
    "validate",
]

# public name -> (module, attribute in that module)
_LAZY = {
    "ContractViolation": ("talon_fakes.errors", "ContractViolation"),
    "ContractsNotFound": ("talon_fakes.errors", "ContractsNotFound"),
    "InvalidTransition": ("talon_fakes.errors", "InvalidTransition"),
    "TalonFakesError": ("talon_fakes.errors", "TalonFakesError"),
    "UnknownContract": ("talon_fakes.errors", "UnknownContract"),
    "UnknownRuleSet": ("talon_fakes.errors", "UnknownRuleSet"),
    "InvalidOverride": ("talon_fakes.errors", "InvalidOverride"),
    "InvalidCampaigns": ("talon_fakes.errors", "InvalidCampaigns"),
    "load_campaigns": ("talon_fakes.fake.domain.campaigns", "load_campaigns"),
    "UnknownFactory": ("talon_fakes.errors", "UnknownFactory"),
    "UnknownLocale": ("talon_fakes.errors", "UnknownLocale"),
    "UnknownTrait": ("talon_fakes.errors", "UnknownTrait"),
    "UnreachableState": ("talon_fakes.errors", "UnreachableState"),
    "Factories": ("talon_fakes.generators.factories", "Factories"),
    "TalonProvider": ("talon_fakes.generators.factories", "TalonProvider"),
    "TalonFake": ("talon_fakes.fake.server", "TalonFake"),
    "Kind": ("talon_fakes.contracts.violations", "Kind"),
    "Severity": ("talon_fakes.contracts.violations", "Severity"),
    "Violation": ("talon_fakes.contracts.violations", "Violation"),
    "Operation": ("talon_fakes.states", "Operation"),
    "RULE_SETS": ("talon_fakes.states", "RULE_SETS"),
    "RuleSet": ("talon_fakes.states", "RuleSet"),
    "State": ("talon_fakes.states", "State"),
    "Transition": ("talon_fakes.states", "Transition"),
    "rule_set": ("talon_fakes.states", "rule_set"),
    "contract_names": ("talon_fakes.contracts.loading", "contract_names"),
    "describe_contract": ("talon_fakes.contracts.loading", "describe"),
    "check_state_history": ("talon_fakes.contracts.invariants", "check_state_history"),
    "assert_contract": ("talon_fakes.contracts.validation", "assert_contract"),
    "is_valid": ("talon_fakes.contracts.validation", "is_valid"),
    "validate": ("talon_fakes.contracts.validation", "validate"),
}

if TYPE_CHECKING:
    from talon_fakes.contracts.invariants import check_state_history
    from talon_fakes.contracts.loading import contract_names
    from talon_fakes.contracts.loading import describe as describe_contract
    from talon_fakes.contracts.validation import assert_contract, is_valid, validate
    from talon_fakes.contracts.violations import Kind, Severity, Violation
    from talon_fakes.errors import (
        ContractsNotFound,
        ContractViolation,
        InvalidCampaigns,
        InvalidOverride,
        InvalidTransition,
        TalonFakesError,
        UnknownContract,
        UnknownFactory,
        UnknownLocale,
        UnknownRuleSet,
        UnknownTrait,
        UnreachableState,
    )
    from talon_fakes.fake.domain.campaigns import load_campaigns
    from talon_fakes.fake.server import TalonFake
    from talon_fakes.generators.factories import Factories, TalonProvider
    from talon_fakes.states import RULE_SETS, Operation, RuleSet, State, Transition, rule_set


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'talon_fakes' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
