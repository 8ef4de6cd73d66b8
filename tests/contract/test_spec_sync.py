"""The committed contracts and example copies are what tools/build_contracts.py makes of the spec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "reference" / "talon-openapi"


@pytest.mark.skipif(not SPEC.is_dir(), reason=f"the OpenAPI spec is not beside the checkout ({SPEC})")
def test_generated_contracts_match_the_spec() -> None:
    pytest.importorskip("yaml")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_contracts.py"), "--check", "--spec", str(SPEC)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
