"""Every snippet of the README runs: the Python blocks as code, the set-up commands' main job."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
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
