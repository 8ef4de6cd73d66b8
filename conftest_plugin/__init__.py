"""The talon-fakes pytest plugin (registered through the ``pytest11`` entry point).

It only wires fixtures; every import of the package happens inside them, so a test run that
never uses them pays nothing for Hypothesis, Faker, jsonschema or the server.
"""

from __future__ import annotations

from types import ModuleType

import pytest


@pytest.fixture
def talon_contracts() -> ModuleType:
    """The contract checks: ``talon_contracts.validate(doc, name)`` and ``.assert_contract(...)``."""
    import talon_fakes

    return talon_fakes
