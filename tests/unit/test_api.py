"""The public surface: curated names, documented, cheap to import, pure domain modules."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import talon_fakes

PACKAGE = Path(talon_fakes.__file__).parent


def test_all_matches_the_public_names() -> None:
    lazy = talon_fakes._LAZY  # what the module really provides, beside __all__
    assert set(talon_fakes.__all__) == set(lazy) | {"__version__"}
    assert len(talon_fakes.__all__) == len(set(talon_fakes.__all__))
    for name in talon_fakes.__all__:
        getattr(talon_fakes, name)  # every name resolves
    for name, (module, attribute) in lazy.items():
        assert getattr(talon_fakes, name) is getattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize("name", [n for n in talon_fakes.__all__ if not n.isupper() and n != "__version__"])
def test_every_public_name_has_a_docstring(name: str) -> None:
    assert (getattr(talon_fakes, name).__doc__ or "").strip(), name


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        talon_fakes.nope  # noqa: B018


def test_errors_mix_in_builtins() -> None:
    assert issubclass(talon_fakes.ContractViolation, AssertionError)
    assert issubclass(talon_fakes.InvalidTransition, ValueError)
    assert issubclass(talon_fakes.UnknownContract, LookupError)
    for error in (talon_fakes.ContractViolation, talon_fakes.UnknownContract, talon_fakes.UnknownRuleSet):
        assert issubclass(error, talon_fakes.TalonFakesError)


def test_importing_the_package_and_plugin_is_cheap() -> None:
    heavy = ["hypothesis", "faker", "jsonschema", "jsonschema_rs", "pytest_httpserver", "werkzeug"]
    imports = "import talon_fakes, talon_fakes.pytest_plugin, sys"
    code = f"{imports}; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
