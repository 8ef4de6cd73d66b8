"""A shop's test project with its own ``conftest_plugin.py``, run under ``python -m pytest``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: The shop's own module, named as the plugin's folder once was (its users' trial: a project like
#: this got "fixture 'talon_fake' not found").
USER_MODULE = 'WHOSE = "the shop\'s"\n'
USER_TEST = """\
import sys

import conftest_plugin


def test_the_shops_module_and_the_plugins_fixtures(talon_fake, talon_client):
    assert conftest_plugin.WHOSE == "the shop's"
    answer = talon_client.update_customer_session("shadow-1", {"cartItems": []})
    assert answer.status == 200
    assert talon_fake.journal[-1].status == 200


def test_where_the_plugin_came_from():
    print("PLUGIN FROM", sys.modules["talon_fakes._plugin"].__file__)
"""


def run_user_project(root: Path, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Write the project under ``root`` and run ``python -m pytest`` in it, as the shop would."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "conftest_plugin.py").write_text(USER_MODULE)
    (root / "test_shop.py").write_text(USER_TEST)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-s"],
        cwd=root,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
