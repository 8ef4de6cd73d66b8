"""Every package the shipped code imports is a declared dependency (or imported only when there).

A core install (``pip install talon-fakes``) has nothing the test extras bring: an undeclared
import works in the test suite and fails for a user (``talon-fakes serve`` once needed urllib3,
which only ``requests`` in the test extras brought).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("talon_fakes", "conftest_plugin")
#: Imported inside ``try: ... except ImportError`` or only where the user has it, by design.
OPTIONAL = {"httpx": "in-process mode patches it only when it is installed"}


def imported_modules() -> dict[str, str]:
    """Top-level modules imported by the shipped code -> one file that imports it."""
    found: dict[str, str] = {}
    for package in SHIPPED:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def declared() -> set[str]:
    """The distributions ``[project] dependencies`` names, normalized."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_normal(re.split(r"[ <>=!~;\[]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_is_a_declared_dependency() -> None:
    distributions = packages_distributions()
    deps = declared() | {"pytest"}  # pytest itself provides _pytest and pluggy's users
    missing = {}
    for module, where in imported_modules().items():
        if (
            module in sys.stdlib_module_names
            or module in SHIPPED
            or module in OPTIONAL
            or module == "_pytest"
        ):
            continue
        owners = {_normal(d) for d in distributions.get(module, [])}
        if not owners & deps:
            missing[module] = (sorted(owners), where)
    assert missing == {}, f"imported but not declared in [project] dependencies: {missing}"


def test_optional_imports_are_guarded() -> None:
    for module in OPTIONAL:
        users = [
            path
            for package in SHIPPED
            for path in (ROOT / package).rglob("*.py")
            if re.search(rf"^\s*import {module}\b", path.read_text(), re.MULTILINE)
        ]
        for path in users:
            assert "except ImportError" in path.read_text(), f"{path} imports {module} unguarded"
