"""The parts' imports point one way, as the folders show (STYLE.md, "Architecture").

Every ``import`` of every module is read from its source (lazy and ``TYPE_CHECKING`` ones too):
the contracts never import the fake or the generators, the fake never imports the generators, the
library never imports the plugin, and the domain (the transition table, the model, the backend and
what its operations carry, profiles, queries, campaigns and their effects: every module of
``talon_fakes.fake.domain``, with ``auth`` and the contracts' invariants and violations) imports no
HTTP or test library, and the fake's domain nothing of its web layer or control API.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "talon_fakes"

# the fake above its domain: its web layer, its control API and the two ways to run it
ABOVE_THE_DOMAIN = (
    "talon_fakes.fake.web",
    "talon_fakes.fake.control",
    "talon_fakes.fake.server",
    "talon_fakes.fake.inprocess",
)
# part -> the parts of talon_fakes it must never import
FORBIDDEN = {
    "talon_fakes.contracts": ("talon_fakes.fake", "talon_fakes.generators", "talon_fakes.cli"),
    "talon_fakes.fake": ("talon_fakes.generators", "talon_fakes.cli"),
    # the fake's rooms: its domain knows nothing of HTTP or control, its web layer nothing of control
    "talon_fakes.fake.domain": ABOVE_THE_DOMAIN,
    "talon_fakes.fake.web": ("talon_fakes.fake.control", "talon_fakes.fake.server"),
    # the generators build documents from the domain (and its wire shapes), never from a running fake
    "talon_fakes.generators": ("talon_fakes.cli", *ABOVE_THE_DOMAIN),
    "talon_fakes.states": ("talon_fakes.fake", "talon_fakes.generators", "talon_fakes.contracts.validation"),
    # the endpoints table and the exceptions sit above every part, so every part can read them
    "talon_fakes.api": (
        "talon_fakes.contracts",
        "talon_fakes.fake",
        "talon_fakes.generators",
        "talon_fakes.cli",
    ),
    "talon_fakes.errors": ("talon_fakes.fake", "talon_fakes.generators", "talon_fakes.cli"),
}

DOMAIN = (
    "talon_fakes.fake.web",
    "talon_fakes.fake.control",
    "talon_fakes.fake.server",
    "talon_fakes.fake.inprocess",
)
FORBIDDEN["talon_fakes.fake.domain"] = ABOVE_THE_DOMAIN
FORBIDDEN["talon_fakes.fake.web"] = ("talon_fakes.fake.control", "talon_fakes.fake.server")
# the generators build documents from the domain (and its wire shapes), never from a running fake
FORBIDDEN["talon_fakes.generators"] = ("talon_fakes.cli", *ABOVE_THE_DOMAIN)

DOMAIN = (
    "talon_fakes.states",
    "talon_fakes.errors",
    "talon_fakes.auth",  # the credentials' spelling, read by the plugin's live mode too
    "talon_fakes.contracts.invariants",
    "talon_fakes.contracts.violations",
    *sorted(
        "talon_fakes.fake.domain." + p.stem
        for p in (PACKAGE / "fake" / "domain").glob("*.py")
        if p.stem != "__init__"
    ),
)
HTTP_AND_TEST = ("werkzeug", "pytest_httpserver", "pytest", "urllib3", "httpx", "requests", "conftest_plugin")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    found = imports(MODULES[module])
    for part, forbidden in FORBIDDEN.items():
        if _under(module, part):
            wrong = sorted(n for n in found for f in forbidden if _under(n, f))
            assert wrong == [], f"{module} (in {part}) imports {wrong}: a lower part imports a higher one"
    assert not any(_under(n, "conftest_plugin") for n in found), f"{module} imports the pytest plugin"


@pytest.mark.parametrize("module", [m for m in DOMAIN if m in MODULES])
def test_the_domain_imports_no_http_or_test_library(module: str) -> None:
    wrong = sorted(n for n in imports(MODULES[module]) for lib in HTTP_AND_TEST if _under(n, lib))
    assert wrong == [], f"{module} imports {wrong}"


def test_the_folders_show_the_parts() -> None:
    parts = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"contracts", "fake", "generators", "cli"} <= parts
    rooms = {p.name for p in (PACKAGE / "fake").iterdir() if (p / "__init__.py").exists()}
    assert rooms == {"domain", "web", "control"}
    assert {p.stem for p in (PACKAGE / "fake").glob("*.py")} == {"__init__", "server", "inprocess"}
    loose = {p.stem for p in PACKAGE.glob("*.py")}
    # beside the parts: what all of them share, the plugin's entry points and the documented shims
    shared = {"__init__", "api", "auth", "errors", "states", "diagram", "pytest_plugin", "_hypothesis"}
    shims = {"server", "factories", "strategies"}
    assert loose <= shared | shims, f"modules outside the parts: {sorted(loose - shared - shims)}"


def test_the_layer_check_sees_a_violation(tmp_path: Path) -> None:
    # The check itself can fail: a module importing upward is caught.
    bad = tmp_path / "bad.py"
    bad.write_text("from talon_fakes.generators import builders\n")
    assert any(_under(n, "talon_fakes.generators") for n in imports(bad))


@pytest.mark.parametrize(
    ("documented", "home"),
    [
        ("talon_fakes.server", "talon_fakes.fake.server"),
        ("talon_fakes.factories", "talon_fakes.generators.factories"),
        ("talon_fakes.strategies", "talon_fakes.generators.strategies"),
    ],
)
def test_the_documented_paths_still_hold_their_public_names(documented: str, home: str) -> None:
    import importlib

    short, full = importlib.import_module(documented), importlib.import_module(home)
    names = getattr(full, "__all__", None) or [n for n in vars(full) if n == "TalonFake"]
    assert names, f"{home} has no public names"
    for name in names:
        assert getattr(short, name) is getattr(full, name), f"{documented}.{name} is not {home}.{name}"
