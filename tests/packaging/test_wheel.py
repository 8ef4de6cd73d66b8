"""The built wheel carries every contract, and an installed wheel finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from user_projects import run_user_project

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = sorted(p.name for p in (ROOT / "contracts").rglob("*.json"))
PLUGIN = sorted(
    p.relative_to(ROOT / "conftest_plugin").as_posix()
    for p in (ROOT / "conftest_plugin").rglob("*")
    if p.is_file() and "__pycache__" not in p.parts
)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own (put first on PYTHONPATH to use it)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
    )
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("talon_fakes-*.whl")
    return built


def test_wheel_contains_every_contract(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packaged = sorted(
        Path(n).name for n in names if n.startswith("talon_fakes/_contracts/") and n.endswith(".json")
    )
    assert packaged == CONTRACTS
    assert "talon_fakes/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    # The plugin ships under the package's namespace only, where no user module can shadow it.
    plugin = sorted(
        n.removeprefix("talon_fakes/_plugin/") for n in names if n.startswith("talon_fakes/_plugin/")
    )
    assert plugin == PLUGIN
    assert not [n for n in names if n.startswith("conftest_plugin/")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "talon_fakes = talon_fakes.pytest_plugin" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_validates_offline(installed: Path, tmp_path: Path) -> None:
    """Installed outside the checkout, the package reads its packaged copy of the contracts."""
    target = installed
    code = (
        "import talon_fakes, talon_fakes.contracts.loading as c; "
        "print(c.contracts_dir()); "
        "print(len(talon_fakes.contract_names()), talon_fakes.validate({}, 'customer-session-v2')[0].rule)"
    )
    # The wheel's copy comes first on the path, ahead of the editable checkout.
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True, env=env
    )
    where, summary = result.stdout.splitlines()
    assert where == str(target / "talon_fakes" / "_contracts" / "2026-11")
    assert summary == f"{len(CONTRACTS)} required"


def test_installed_wheel_plugin_is_not_shadowed_by_a_user_module(installed: Path, tmp_path: Path) -> None:
    """A shop with its own conftest_plugin.py gets the wheel's plugin (talon_fakes/_plugin)."""
    result = run_user_project(tmp_path / "shop", env={"PYTHONPATH": str(installed)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "2 passed" in result.stdout
    assert f"PLUGIN FROM {installed / 'talon_fakes' / '_plugin' / '__init__.py'}" in result.stdout
