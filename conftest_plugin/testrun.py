"""Records the plugin makes once a test uses it: the live deployment's settings, the test's findings.

Imported on first use, not with the plugin (dataclasses cost at import time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from .state import LIVE_VARIABLES

if TYPE_CHECKING:
    from .checks import Observed
    from .observer import Urllib3Observer


@dataclass(frozen=True)
class LiveSettings:
    """Where the real deployment is, from ``TALON_BASE_URL``, ``TALON_API_KEY``, ``TALON_MANAGEMENT_KEY``
    (and, optionally, ``TALON_APPLICATION_ID``)."""

    base_url: str
    api_key: str
    management_key: str
    application_id: int | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LiveSettings | list[str]:
        """The settings, or the names of the variables that are missing or empty."""
        missing = [name for name in LIVE_VARIABLES if not environ.get(name)]
        if missing:
            return missing
        app = environ.get("TALON_APPLICATION_ID") or None
        if app is not None and not app.isdigit():
            raise pytest.UsageError(
                f"TALON_APPLICATION_ID={app!r} is not an Application ID; set it to a whole number or unset it"
            )
        return cls(
            environ["TALON_BASE_URL"].rstrip("/"),
            environ["TALON_API_KEY"],
            environ["TALON_MANAGEMENT_KEY"],
            None if app is None else int(app),
        )


@dataclass
class TestRun:
    """The plugin's view of the test being run."""

    nodeid: str
    live: bool
    responses: list[Observed] = field(default_factory=list)  # received, not yet checked
    errors: list[BaseException] = field(default_factory=list)  # from the server thread
    observer: Urllib3Observer | None = None
