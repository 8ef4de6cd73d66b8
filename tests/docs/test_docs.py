"""The documentation site builds with warnings as errors, and documents what a test can touch.

Built into a temporary folder with ``mkdocs build --strict`` (a dangling reference, a page left
out of the navigation or a docstring mkdocstrings cannot render fails), then its text is searched
for every fixture, option and marker of the plugin, every public attribute and control of the fake,
and every command of the CLI.
"""

from __future__ import annotations

import ast
import html
import inspect
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from talon_fakes.cli import main
from talon_fakes.fake.server import TalonFake

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The text of every page of the built site."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pages = [p.read_text(encoding="utf-8") for p in out.rglob("index.html")]
    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(pages)))


def _fixtures() -> list[str]:
    source = (ROOT / "conftest_plugin" / "fixtures.py").read_text(encoding="utf-8")
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and any(
            "fixture" in ast.unparse(decorator) for decorator in node.decorator_list
        ):
            names.append(node.name)
    assert names, "no fixture found: has conftest_plugin/fixtures.py moved?"
    return names


def _fake_members() -> list[str]:
    fake = TalonFake()
    names = {n for n in dir(fake) if not n.startswith("_")}
    return sorted(names - {"app", "backend"})  # the layers underneath, not controls


def _options() -> list[str]:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "conftest_plugin").glob("*.py"))
    return sorted(set(re.findall(r'"(--talon-[a-z-]+)"', source)))


def _commands() -> list[str]:
    assert isinstance(main, click.Group)
    return sorted(main.commands)


@pytest.mark.parametrize("name", _fixtures())
def test_every_fixture_is_documented(site: str, name: str) -> None:
    assert re.search(rf"\b{name}\b", site), f"fixture {name} is not in the docs"


@pytest.mark.parametrize("name", _fake_members())
def test_every_control_and_attribute_of_the_fake_is_documented(site: str, name: str) -> None:
    assert re.search(rf"\b{name}\b", site), f"TalonFake.{name} is not in the docs"


@pytest.mark.parametrize("option", _options())
def test_every_plugin_option_is_documented(site: str, option: str) -> None:
    assert option in site, f"{option} is not in the docs"


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented(site: str, command: str) -> None:
    assert f"talon-fakes {command}" in site, f"talon-fakes {command} is not in the docs"


def test_the_fakes_methods_have_docstrings() -> None:
    missing = [
        name
        for name, member in inspect.getmembers(TalonFake)
        if not name.startswith("_") and callable(member) and not inspect.getdoc(member)
    ]
    assert missing == []


def test_no_sphinx_role_is_left_in_the_site(site: str) -> None:
    # The docstrings' cross-references (:class:`~a.B`) render as code, not as role markup.
    left = sorted(set(re.findall(r":(?:mod|class|func|meth|data|attr|exc|obj):\s*\S+", site)))
    assert left == [], left[:10]
