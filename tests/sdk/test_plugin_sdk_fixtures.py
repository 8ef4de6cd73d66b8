"""``talon_integration_api`` and ``talon_management_api`` with both official SDK generations.

pytest runs inside each SDK's environment (made by ``test_official_sdks.sdk_python``), with the
checkout and the dev environment's packages after the SDK's own on the path, so no download is
needed: the SDK's modules win, pytest and talon-fakes come from the dev environment.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from test_official_sdks import SDKS, sdk_python

from talon_fakes.fake.server import TalonFake

ROOT = Path(__file__).resolve().parents[2]
# The README's SDK example (a block starting "# test_sdk.py") runs here too, in each SDK.
README_SDK_TEST = re.search(
    r"```python\n# test_sdk.py\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL
)
# And its coupons example (talon-one-sdk 26 only: 9.x spells the return's field `_return`).
README_COUPONS_TEST = re.search(
    r"```python\n# test_coupons.py\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL
)
# What the runs below pass: the README's coupons example skips itself under 9.x.
PASSED = {"talon-one-sdk 26.x": "4 passed", "talon-one-python-sdk 9.x": "3 passed, 1 skipped"}

SUITE = """
import pytest
import talon_one


CONTENT = ["customerSession"]


def cart_session(state="open"):
    item = talon_one.CartItem(sku="A", name="A", quantity=2, price=5.0)
    return talon_one.NewCustomerSessionV2(profile_id="p1", state=state, cart_items=[item])


@pytest.mark.talon_verified
def test_life_cycle(talon_integration_api, talon_management_api, talon_target):
    request = talon_one.IntegrationRequest(customer_session=cart_session(), response_content=CONTENT)
    state = talon_integration_api.update_customer_session_v2("sdk-1", request)
    assert state.customer_session.cart_item_total == 10.0
    assert talon_integration_api.get_customer_session("sdk-1").customer_session.state == "open"
    app = state.customer_session.application_id
    page = talon_management_api.get_application_sessions(app, integration_id="sdk-1")
    assert [s.integration_id for s in page.data] == ["sdk-1"]
    print("TARGET", talon_target.live, app)


def test_the_fakes_journal_sees_the_sdk(talon_integration_api, talon_fake):
    request = talon_one.IntegrationRequest(customer_session=cart_session(), response_content=CONTENT)
    talon_integration_api.update_customer_session_v2("sdk-2", request)
    assert talon_fake.journal[0].headers["Authorization"] == "ApiKey-v1 talon-fakes-api-key"
"""


def _run(
    sdk: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    requirement, folder, _script = SDKS[sdk]
    python = sdk_python(requirement, folder)
    sdk_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (tmp_path / "test_sdk_fixtures.py").write_text(SUITE)
    assert README_SDK_TEST is not None, "the README lost its '# test_sdk.py' example"
    (tmp_path / "test_readme_sdk.py").write_text(README_SDK_TEST.group(1))
    assert README_COUPONS_TEST is not None, "the README lost its '# test_coupons.py' example"
    (tmp_path / "test_readme_coupons.py").write_text(README_COUPONS_TEST.group(1))
    path = os.pathsep.join([sdk_site, str(ROOT), sysconfig.get_paths()["purelib"]])
    environ = {**os.environ, **(env or {}), "PYTHONPATH": path, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [
        str(python),
        "-m",
        "pytest",
        "-p",
        "talon_fakes.pytest_plugin",
        "-p",
        "no:cacheprovider",
        "-s",
        "-rs",
        *args,
    ]
    return subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_sdk_fixtures_drive_the_fake(sdk: str, tmp_path: Path) -> None:
    result = _run(sdk, tmp_path, "--talon-strict")
    sys.stdout.write(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert PASSED[sdk] in result.stdout
    assert "TARGET False 1" in result.stdout


@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_sdk_fixtures_reach_the_live_deployment(sdk: str, tmp_path: Path) -> None:
    with TalonFake(api_key="live-key", management_key="live-mkey", application_id=5) as deployment:
        env = {
            "TALON_BASE_URL": deployment.base_url,
            "TALON_API_KEY": "live-key",
            "TALON_MANAGEMENT_KEY": "live-mkey",
        }
        result = _run(sdk, tmp_path, "--talon-live", "--talon-strict", env=env)
        deployment.check_errors()
        operations = [entry.operation for entry in deployment.journal]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "TARGET True 5" in result.stdout
    assert PASSED[sdk] in result.stdout  # the unverified ones on the plugin's fake
    assert operations == ["update_customer_session", "get_customer_session", "list_application_sessions"]
