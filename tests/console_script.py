"""The ``talon-fakes`` console script the tests run, as a user runs it.

The one installed next to this Python (the environment under test), else the first on the PATH;
a test fails at import when there is none at all. A plain module at the top of ``tests/`` (on
``sys.path`` under pytest's default import mode, like each test folder), so that the command-line
tests and the server tests find the same script.
"""

from __future__ import annotations

import os
import shutil
import sys


def _script() -> str:
    found = shutil.which("talon-fakes", path=os.path.dirname(sys.executable)) or shutil.which("talon-fakes")
    assert found, "the talon-fakes console script is not installed next to this Python"
    return found


SCRIPT = _script()
