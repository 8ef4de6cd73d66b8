"""``talon_target``: where a test's requests go, the fake or (under ``--talon-live``) a real deployment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest

from talon_fakes import auth

from .state import FAKE_ONLY, RunState
from .testrun import LiveSettings

if TYPE_CHECKING:
    from .fakes import PluginFake


class Target:
    """The base URL, keys and Application of the API a test talks to.

    ``live`` is true only in a ``talon_verified`` test under ``--talon-live``; then the values
    come from ``TALON_BASE_URL``, ``TALON_API_KEY``, ``TALON_MANAGEMENT_KEY`` (and
    ``TALON_APPLICATION_ID``). Otherwise they are the fake's, started on first use.
    """

    def __init__(self, run: RunState, rules: str, options: Mapping[str, Any]) -> None:
        self._run, self._rules, self._options = run, rules, dict(options)

    @property
    def live(self) -> bool:
        """Whether the current test talks to a real deployment."""
        return self._run.test is not None and self._run.test.live

    @property
    def fake(self) -> PluginFake:
        """The fake (skips the test when it runs against a live deployment)."""
        if self.live:
            pytest.skip(f"not run against a live deployment: {FAKE_ONLY}")
        return self._run.server(self._rules, self._options)

    @property
    def rules(self) -> str:
        """The rule set the target follows: the fake's, or ``current`` (the API today) when live."""
        return "current" if self.live else self._rules

    def _live(self) -> LiveSettings:
        settings = self._run.live_settings()
        assert isinstance(settings, LiveSettings)  # live tests without settings were skipped
        return settings

    @property
    def base_url(self) -> str:
        """``http(s)://host[:port][/prefix]``, without a trailing slash."""
        return self._live().base_url if self.live else self.fake.base_url

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (``/v2/customer_sessions/s1``)."""
        return self.base_url + path

    @property
    def api_key(self) -> str:
        """The Integration API key."""
        return self._live().api_key if self.live else self.fake.api_key

    @property
    def management_key(self) -> str:
        """The Management API key."""
        return self._live().management_key if self.live else self.fake.management_key

    @property
    def application_id(self) -> int | None:
        """The Application of the keys (``None`` when live and ``TALON_APPLICATION_ID`` is unset:
        read ``customerSession.applicationId`` from a response instead)."""
        return self._live().application_id if self.live else self.fake.application_id

    @property
    def integration_headers(self) -> dict[str, str]:
        """``Authorization: ApiKey-v1 <key>``, for the Integration API."""
        return auth.integration_headers(self.api_key)

    @property
    def management_headers(self) -> dict[str, str]:
        """``Authorization: ManagementKey-v1 <key>``, for the Management API."""
        return auth.management_headers(self.management_key)

    def __repr__(self) -> str:
        where = "live deployment" if self.live else f"fake ({self._rules} rules)"
        return f"<talon_target {where}>"
