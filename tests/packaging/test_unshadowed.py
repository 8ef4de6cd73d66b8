"""A shop's own ``conftest_plugin.py`` no longer hides the plugin (it is ``talon_fakes._plugin``).

The installed wheel's case is in tests/packaging/test_wheel.py; this is the editable install's
(the README's set-up), where the plugin is the checkout's ``conftest_plugin/`` folder.
"""

from __future__ import annotations

import ast
from pathlib import Path

from user_projects import run_user_project

ROOT = Path(__file__).resolve().parents[2]


def test_a_project_with_its_own_conftest_plugin_gets_the_fixtures(tmp_path: Path) -> None:
    result = run_user_project(tmp_path / "shop")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "2 passed" in result.stdout
    assert f"PLUGIN FROM {ROOT / 'conftest_plugin' / '__init__.py'}" in result.stdout


def test_the_plugin_never_imports_itself_by_its_folder_name() -> None:
    """An absolute ``conftest_plugin`` import would find the shop's module again."""
    absolute = []
    for path in sorted((ROOT / "conftest_plugin").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.split(".")[0] == "conftest_plugin" for name in names):
                absolute.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert absolute == []
