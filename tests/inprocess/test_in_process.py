"""The in-process mode: requests, httpx and urllib3 reach the fake without a socket."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import requests
import urllib3

import talon_fakes
from talon_fakes.fake.inprocess import intercept
from talon_fakes.fake.server import TalonFake

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


# -- what a client sees is what the socket server gives it ------------------------------------------


@pytest.fixture(params=["in-process", "socket"])
def base(request: pytest.FixtureRequest, fake: TalonFake) -> Iterator[str]:
    """The fake's base URL in each mode, so each test holds both to the same answer."""
    if request.param == "socket":
        with fake:
            yield fake.base_url
    else:
        with fake.in_process() as url:
            yield url


def test_httpx_keeps_a_non_ascii_session_id(fake: TalonFake, base: str) -> None:
    headers = fake.integration_headers
    assert httpx.put(f"{base}/v2/customer_sessions/%C3%BC", json=BODY, headers=headers).status_code == 200
    assert [s.integration_id for s in fake.sessions()] == ["ü"]  # not U+FFFD
    assert httpx.get(f"{base}/v2/customer_sessions/%C3%A9", headers=headers).status_code == 404


def test_httpx_sends_a_streamed_body(fake: TalonFake, base: str) -> None:
    chunks = iter([b'{"customerSession":', b' {"profileId": "p"}}'])
    answer = httpx.put(f"{base}/v2/customer_sessions/g", content=chunks, headers=fake.integration_headers)
    assert answer.status_code == 200, answer.text
    assert fake.session("g").profile_id == "p"


def test_an_injected_delay_slows_every_operation(fake: TalonFake, base: str) -> None:
    fake.inject_fault(delay=0.3, times=2)
    for url in (f"{base}/v2/customer_sessions/none", f"{base}/v1/applications/1/sessions"):
        started = time.monotonic()
        answer = requests.get(url, headers=fake.integration_headers, timeout=10)
        assert time.monotonic() - started >= 0.3
        assert answer.status_code in (404, 401)  # a missing session; the wrong key for the list
    assert fake.app.faults == []


def test_urllib3_retries_a_dropped_connection_and_a_listed_status(fake: TalonFake, base: str) -> None:
    pool = urllib3.PoolManager(retries=urllib3.Retry(total=3, status_forcelist=[503]))
    url = f"{base}/v2/customer_sessions/r"
    fake.inject_fault(drop=True)  # an idempotent PUT is retried after a dropped connection
    assert pool.request("PUT", url, json=BODY, headers=fake.integration_headers).status == 200
    fake.inject_fault(status=503, times=2)
    assert pool.request("GET", url, headers=fake.integration_headers).status == 200
    fake.inject_fault(status=503, times=5)
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        pool.request("GET", url, headers=fake.integration_headers)
    assert [e.status for e in fake.journal][-4:] == [503, 503, 503, 503]  # the first try and 3 retries


def test_requests_does_not_retry_by_default(fake: TalonFake, base: str) -> None:
    fake.inject_fault(drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/v2/customer_sessions/r", headers=fake.integration_headers, timeout=10)
    assert fake.app.faults == []


def test_a_delay_past_the_clients_read_timeout_times_it_out(fake: TalonFake, base: str) -> None:
    url = f"{base}/v2/customer_sessions/slow"
    headers = fake.integration_headers
    # The first call holds the session for 3 s: the two after it come well inside that, even on a
    # loaded machine (0.6 s was too close: a slow client started the third after the first ended).
    fake.inject_fault(delay=3.0, times=3, operation="update_customer_session")
    with pytest.raises(requests.ReadTimeout):
        requests.put(url, json=BODY, headers=headers, timeout=0.2)
    with pytest.raises(httpx.ReadTimeout):
        httpx.put(url, json=BODY, headers=headers, timeout=0.2)
    with pytest.raises(urllib3.exceptions.MaxRetryError):  # its ReadTimeoutError, retries used up
        urllib3.PoolManager(retries=0).request("PUT", url, json=BODY, headers=headers, timeout=0.2)
    deadline = time.monotonic() + 10
    while len(fake.journal) < 3 and time.monotonic() < deadline:  # the server carries on
        time.sleep(0.05)
    # The first one was stored after all; the others came while it held the session.
    assert [entry.status for entry in fake.journal] == [200, 409, 409]
    assert fake.session("slow").update_count == 1


def test_answers_without_a_body(fake: TalonFake, base: str) -> None:
    head = requests.head(f"{base}/v2/customer_sessions/x", headers=fake.integration_headers)
    assert (head.status_code, head.content) == (405, b"")
    fake.inject_fault(status=204, body={})
    empty = requests.get(f"{base}/v2/customer_sessions/x", headers=fake.integration_headers)
    assert (empty.status_code, empty.content) == (204, b"")


def test_a_nested_in_process_url_gives_the_outer_one_back(fake: TalonFake) -> None:
    with fake.in_process() as outer:
        with fake.in_process("http://second.invalid") as inner:
            assert fake.base_url == inner
        assert fake.base_url == fake.url("").rstrip("/") == outer
