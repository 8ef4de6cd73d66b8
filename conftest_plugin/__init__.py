"""The talon-fakes pytest plugin, imported as ``talon_fakes._plugin`` (see talon_fakes/pytest_plugin.py).

The ``pytest11`` entry point is ``talon_fakes.pytest_plugin``; a wheel ships this folder as
``talon_fakes/_plugin``, so a user's own ``conftest_plugin`` module cannot shadow it. Its modules
import one another relatively, never as ``conftest_plugin.*``.

Fixtures: ``talon_fake`` (the fake, one server per run, reset before each test),
``talon_target`` and ``talon_client`` (the fake, or a real deployment for ``talon_verified``
tests under ``--talon-live``), ``talon_integration_api`` / ``talon_management_api`` (the official
SDK's clients), ``talon_factories`` (seeded per test) and ``talon_contracts``; configuration
fixtures ``talon_fake_rules`` and ``talon_fake_options`` to override by name. Every response a
test receives from the fake (or the live deployment) is checked against its contract.

This module only wires: the package, the server, Hypothesis and Faker are imported when a
fixture is first used, so a run that never uses them pays nothing for them.
"""

from __future__ import annotations

from .errors import ResponseContractError, TalonDriftWarning
from .fixtures import (
    talon_client,
    talon_contracts,
    talon_factories,
    talon_fake,
    talon_fake_options,
    talon_fake_rules,
    talon_integration_api,
    talon_management_api,
    talon_target,
)
from .hooks import (
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_configure_node,
    pytest_report_header,
    pytest_runtest_call,
    pytest_runtest_makereport,
    pytest_runtest_setup,
    pytest_runtest_teardown,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

__all__ = [
    "ResponseContractError",
    "TalonDriftWarning",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_report_header",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "pytest_runtest_teardown",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "pytest_testnodedown",
    "talon_client",
    "talon_contracts",
    "talon_factories",
    "talon_fake",
    "talon_fake_options",
    "talon_fake_rules",
    "talon_integration_api",
    "talon_management_api",
    "talon_target",
]
