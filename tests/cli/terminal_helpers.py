"""Run a command with its stderr on a pseudo-terminal, to see what a person at a terminal sees."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def run_with_stderr_on_a_terminal(argv: list[str], stdout: Path) -> tuple[int, bytes]:
    """Run ``argv`` with stdout to the file ``stdout`` and stderr on a pseudo-terminal.

    Returns the exit status and everything the terminal showed. POSIX only.
    """
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    # A real terminal has a size; a fresh pseudo-terminal is 0x0, where a bar has no room.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    seen = b""
    try:
        with stdout.open("wb") as out:
            child = subprocess.Popen(argv, stdout=out, stderr=follower)
        os.close(follower)
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO once the terminal has no writer left
                break
            if not chunk:
                break
            seen += chunk
        status = child.wait(timeout=60)
    finally:
        os.close(leader)
    return status, seen
