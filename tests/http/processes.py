"""What the tests that run the ``talon-fakes`` command share: the console script, the first line
it prints (read with a time limit, so a command that never prints cannot hang a test), and
whether a port refuses connections.

A plain module (tests/http is on ``sys.path`` under pytest's default import mode), because test
modules cannot import a conftest reliably.
"""

from __future__ import annotations

import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor

from console_script import SCRIPT as SCRIPT  # the tests import it from here

HANG = 30  # seconds: only a command or server that never answers takes this long


def first_line(process: subprocess.Popen[str], timeout: float = HANG) -> str:
    """The first line ``process`` prints on stdout (``serve`` and ``proxy``: their base URL)."""
    assert process.stdout is not None
    with ThreadPoolExecutor(1) as pool:  # a readline that cannot hang the test
        return pool.submit(process.stdout.readline).result(timeout).strip()


def refused(port: int) -> bool:
    """Whether nothing listens on ``port`` of 127.0.0.1 any more."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=HANG).close()
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:  # accepted by the kernel, then the listening socket closed
        pass
    return False
