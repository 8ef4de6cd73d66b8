"""pytester runs of the plugin, and a second fake that plays "the real deployment" for live mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from talon_fakes.fake.server import TalonFake

# pytester comes from tests/conftest.py (pytest_plugins is allowed only in the top-level conftest).

LIVE_API_KEY = "live-api-key"
LIVE_MANAGEMENT_KEY = "live-management-key"


@pytest.fixture
def deployment() -> Iterator[TalonFake]:
    """A fake with its own keys and Application, started apart from the plugin's: the "real" API."""
    with TalonFake(api_key=LIVE_API_KEY, management_key=LIVE_MANAGEMENT_KEY, application_id=7) as fake:
        yield fake
        fake.check_errors()


@pytest.fixture
def live_env(monkeypatch: pytest.MonkeyPatch, deployment: TalonFake) -> TalonFake:
    """TALON_BASE_URL and the keys name ``deployment``."""
    monkeypatch.setenv("TALON_BASE_URL", deployment.base_url)
    monkeypatch.setenv("TALON_API_KEY", LIVE_API_KEY)
    monkeypatch.setenv("TALON_MANAGEMENT_KEY", LIVE_MANAGEMENT_KEY)
    monkeypatch.delenv("TALON_APPLICATION_ID", raising=False)
    return deployment
