"""The built wheel carries every contract, and an installed wheel finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = sorted(p.name for p in (ROOT / "contracts").rglob("*.json"))


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
    assert "conftest_plugin/__init__.py" in names


def test_installed_wheel_validates_offline(wheel: Path, tmp_path: Path) -> None:
    """Installed outside the checkout, the package reads its packaged copy of the contracts."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
    )
    code = (
        "import talon_fakes, talon_fakes.contracts as c; "
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
