"""What the command-line tests share: the installed console script, and documents to check.

The tests run ``talon-fakes`` as a user does, through its console script
(:mod:`console_script`, shared with the server tests).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from console_script import SCRIPT

CONTRACT = "customer-session-v2"


def session(**changes: Any) -> dict[str, Any]:
    """A valid customer-session-v2 document, with ``changes`` applied."""
    doc: dict[str, Any] = {
        "id": 1,
        "created": "2024-01-01T10:00:00Z",
        "integrationId": "session-1",
        "applicationId": 7,
        "profileId": "profile-1",
        "state": "open",
        "cartItems": [{"sku": "A", "quantity": 2, "price": 5.0}, {"sku": "B", "quantity": 1, "price": 2.5}],
        "attributes": {},
        "firstSession": True,
        "updateCount": 0,
        "total": 12.5,
        "cartItemTotal": 12.5,
        "additionalCostTotal": 0,
        "cartItemAdditionalCostTotal": 0,
        "updated": "2024-01-01T10:05:00Z",
    }
    doc.update(changes)
    return doc


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
