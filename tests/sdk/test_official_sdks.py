"""Both official Talon.One Python SDKs drive a full session life cycle against the fake.

The SDKs install the same module (``talon_one``), so each lives in its own virtual environment,
made on first use beside the checkout (``.venv-sdk26``, ``.venv-sdk9``) and reused after. The
life-cycle scripts run inside those environments against a fake served on loopback; they use
nothing but the SDK, and exit non-zero naming the step that failed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from talon_fakes.fake.server import TalonFake

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
SDKS = {
    "talon-one-sdk 26.x": ("talon-one-sdk==26.*", ROOT / ".venv-sdk26", HERE / "lifecycle_sdk26.py"),
    "talon-one-python-sdk 9.x": (
        "talon-one-python-sdk==9.*",
        ROOT / ".venv-sdk9",
        HERE / "lifecycle_sdk9.py",
    ),
}

# The campaign the coupon steps (_coupon_steps.py) expect: one use, 10% off the session.
CAMPAIGNS = {
    "campaigns": [
        {
            "id": 26,
            "name": "Ten off for the SDKs",
            "coupons": [{"value": "SDK-TEN-OFF", "usageLimit": 1}],
            "rules": [
                {
                    "title": "10% off",
                    "conditions": [{"couponValid": True}],
                    "effects": [{"setDiscount": {"name": "10% off", "percent": 10}}],
                }
            ],
        }
    ]
}


def sdk_python(requirement: str, folder: Path) -> Path:
    """The interpreter of a virtual environment holding ``requirement``, made if missing."""
    python = folder / "bin" / "python"
    marker = folder / "installed.txt"
    if not (python.exists() and marker.exists() and marker.read_text() == requirement):
        venv.EnvBuilder(clear=True, with_pip=True).create(folder)
        result = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", requirement], capture_output=True, text=True
        )
        if result.returncode != 0:
            # On a developer's machine without the package index this is a skip; CI must run both
            # SDKs, so there it is a failure.
            message = f"could not install {requirement} into {folder}: {result.stderr.strip()[-500:]}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        marker.write_text(requirement)
    return python


@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_sdk_drives_a_full_life_cycle(sdk: str) -> None:
    requirement, folder, script = SDKS[sdk]
    python = sdk_python(requirement, folder)
    with TalonFake(campaigns=CAMPAIGNS) as fake:
        env = {
            **os.environ,
            "TALON_CAMPAIGN_COUPON": "SDK-TEN-OFF",
            "TALON_BASE_URL": fake.base_url,
            "TALON_API_KEY": fake.api_key,
            "TALON_MANAGEMENT_KEY": fake.management_key,
            "TALON_APPLICATION_ID": str(fake.application_id),
        }
        result = subprocess.run(
            [str(python), str(script)], env=env, capture_output=True, text=True, timeout=300
        )
        fake.check_errors()
    sys.stdout.write(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "FAIL" not in result.stdout
    # every step ran: the 21 of the life cycle (_lifecycle.py) and the declared campaign's 8
    assert result.stdout.count("\nok ") == 29, result.stdout
    assert re.search(r"^PASS \[[^]]+\] 29 steps$", result.stdout, re.MULTILINE), result.stdout[-500:]
    assert result.stdout.count("\nok   coupons: ") == 8  # the declared campaign's steps too
