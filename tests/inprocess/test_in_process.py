"""The in-process mode: requests, httpx and urllib3 reach the fake without a socket."""

from __future__ import annotations

import httpx
import pytest
import requests
import urllib3

import talon_fakes
from talon_fakes.inprocess import intercept
from talon_fakes.server import TalonFake

BODY = {
    "customerSession": {"profileId": "p1", "cartItems": [{"sku": "A", "quantity": 2, "price": 3.5}]},
    "responseContent": ["customerSession"],
}


@pytest.fixture
def fake() -> TalonFake:
    return TalonFake()


def test_each_client_sees_the_same_state(fake: TalonFake) -> None:
    with fake.in_process() as base:
        created = requests.put(f"{base}/v2/customer_sessions/s1", json=BODY, headers=fake.integration_headers)
        assert created.status_code == 200
        assert talon_fakes.validate(created.json(), "integration-state-v2", strict=True) == []
        via_httpx = httpx.get(f"{base}/v2/customer_sessions/s1", headers=fake.integration_headers)
        via_urllib3 = urllib3.PoolManager().request(
            "GET", f"{base}/v2/customer_sessions/s1", headers=fake.integration_headers
        )
        assert via_httpx.json()["customerSession"]["total"] == 7.0
        assert via_urllib3.json() == via_httpx.json()
        assert [entry.operation for entry in fake.journal] == [
            "update_customer_session",
            "get_customer_session",
            "get_customer_session",
        ]


def test_in_process_and_socket_share_one_store(fake: TalonFake) -> None:
    with fake, fake.in_process() as base:
        requests.put(f"{base}/v2/customer_sessions/s1", json=BODY, headers=fake.integration_headers)
        over_socket = requests.get(
            f"http://127.0.0.1:{fake._server.port}/v2/customer_sessions/s1", headers=fake.integration_headers
        )
        assert over_socket.json()["customerSession"]["integrationId"] == "s1"


def test_errors_and_query_strings_pass_through(fake: TalonFake) -> None:
    with fake.in_process() as base:
        missing = requests.get(f"{base}/v2/customer_sessions/nope", headers=fake.integration_headers)
        assert missing.status_code == 404
        assert talon_fakes.validate(missing.json(), "error-response-with-status", strict=True) == []
        dry = requests.put(
            f"{base}/v2/customer_sessions/s2?dry=true", json=BODY, headers=fake.integration_headers
        )
        assert dry.status_code == 200
        assert fake.sessions() == []  # a dry run stores nothing


def test_dropped_connections_raise_each_clients_error(fake: TalonFake) -> None:
    with fake.in_process() as base:
        fake.inject_fault(drop=True, times=2)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/v2/customer_sessions/s1", headers=fake.integration_headers)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{base}/v2/customer_sessions/s1", headers=fake.integration_headers)


def test_other_hosts_are_not_intercepted_and_patches_are_undone(fake: TalonFake) -> None:
    original = urllib3.connectionpool.HTTPConnectionPool.urlopen
    with fake.in_process(), pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:9/", timeout=2)  # nothing listens on the discard port
    assert urllib3.connectionpool.HTTPConnectionPool.urlopen is original


def test_two_fakes_at_two_base_urls(fake: TalonFake) -> None:
    other = TalonFake()
    with intercept(fake.app, "https://a.invalid"), intercept(other.app, "https://b.invalid"):
        requests.put("https://a.invalid/v2/customer_sessions/s1", json=BODY, headers=fake.integration_headers)
        assert [s.integration_id for s in fake.sessions()] == ["s1"]
        assert other.sessions() == []
    with intercept(fake.app, "https://a.invalid"):
        clash = intercept(other.app, "https://a.invalid")
        with pytest.raises(ValueError, match="already served"):
            clash.__enter__()
