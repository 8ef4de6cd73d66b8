"""Every snippet of the README runs: the Python blocks as code, the set-up commands' main job.

Python blocks whose first line names a file (``# test_checkout.py``, ``# conftest.py``) are pytest
test modules for the plugin: each runs through pytester, with the ``conftest.py`` block just before
it, if any; blocks that need an official SDK run in each SDK's environment in
``tests/sdk/test_plugin_sdk_fixtures.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ALL_PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
FILE_NAME = re.compile(r"# ((?:test_\w+|conftest)\.py)\n")
PYTHON_BLOCKS = [block for block in ALL_PYTHON_BLOCKS if not FILE_NAME.match(block)]
BASH_BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_exactly_two_setup_commands() -> None:
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", setup, flags=re.DOTALL)
    assert len(commands) == 2
    assert all(len(c.strip().splitlines()) == 1 for c in commands)
    assert "talon-fakes check" in commands[0]
    assert "pytest" in commands[1]
    # .ci/run runs the README's test command verbatim.
    assert commands[1].strip() in (ROOT / ".ci" / "run").read_text().splitlines()


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[f"python-{i}" for i in range(len(PYTHON_BLOCKS))])
def test_python_snippet_runs(block: str) -> None:
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})


def test_main_job_of_the_setup_command_passes() -> None:
    setup = BASH_BLOCKS[0].strip()
    main_job = setup.split("&& ")[-1]
    assert main_job.startswith("talon-fakes check ")
    args = main_job.split()[1:]
    script = Path(sys.executable).parent / "talon-fakes"  # the installed console script
    result = subprocess.run([str(script), *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def readme_test_modules() -> list[tuple[str, str, str | None]]:
    """(file name, test module, the conftest.py block just before it or None), in README order."""
    modules, conftest = [], None
    for block in ALL_PYTHON_BLOCKS:
        match = FILE_NAME.match(block)
        if match is None:
            conftest = None
        elif match.group(1) == "conftest.py":
            conftest = block
        else:
            modules.append((match.group(1), block, conftest))
            conftest = None
    return modules


TEST_MODULES = readme_test_modules()


def test_the_plugin_walkthrough_has_test_modules() -> None:
    names = [name for name, _, _ in TEST_MODULES]
    assert {
        "test_checkout.py",
        "test_data.py",
        "test_rules.py",
        "test_properties.py",
        "test_verified.py",
    } <= set(names)
    assert any(conftest for _, _, conftest in TEST_MODULES)


@pytest.mark.parametrize(("name", "module", "conftest"), TEST_MODULES, ids=[m[0] for m in TEST_MODULES])
def test_plugin_snippet_passes(
    pytester: pytest.Pytester, name: str, module: str, conftest: str | None
) -> None:
    if 'importorskip("talon_one"' in module:
        pytest.skip(
            "needs an official SDK: run in each SDK's environment by tests/sdk/test_plugin_sdk_fixtures.py"
        )
    if conftest is not None:
        pytester.makeconftest(conftest)
    pytester.makepyfile(**{name.removesuffix(".py"): module})
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "error::UserWarning")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert set(outcomes) <= {"passed"}, result.stdout.str()
