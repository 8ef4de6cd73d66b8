"""The committed contracts and example copies are what tools/build_contracts.py makes of the spec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from spec_copies import CART_ITEM, ROOT, SESSION, node, spec_copy

TOOL = ROOT / "tools" / "build_contracts.py"


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TOOL), "--check", *args], capture_output=True, text=True)


def test_generated_contracts_match_the_vendored_spec() -> None:
    """No --spec: the tool reads the copy inside the project, so a clone can run it."""
    result = _check()
    assert result.returncode == 0, result.stderr


def test_check_fails_on_a_spec_that_moved(tmp_path: Path) -> None:
    def limit_sku(document: Any) -> None:
        node(document, CART_ITEM)["properties"]["sku"]["maxLength"] = 64

    result = _check("--spec", str(spec_copy(tmp_path, {SESSION: limit_sku})))
    assert result.returncode == 1
    assert "contracts differ from the spec" in result.stderr


def test_a_folder_without_the_spec_is_named(tmp_path: Path) -> None:
    result = _check("--spec", str(tmp_path))
    assert result.returncode == 2
    assert str(tmp_path) in result.stderr
    assert "integration-api" in result.stderr
