"""The fake's HTTP server (``talon_fakes.fake.web.httpserver``): keep-alive, framing, timeouts, limits, stop.

Driven through real sockets: ``requests.Session``, urllib3's ``PoolManager`` (the official SDKs'
client), ``http.client`` and raw sockets for what no client library sends. Timeouts in these tests
are short ones the fake is configured with; the clients' own bound (``HANG``) is generous, so only
a server that never answers could exceed it.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import requests
import urllib3
from processes import HANG
from raw_http import BODY, REQUEST, Answers, assert_talon_error, connect, exchange, port_of, until_closed

from talon_fakes import validate
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.server import TalonFake
from talon_fakes.fake.web.httpserver import KeepAliveServer, Limits


@pytest.fixture(scope="module")
def fake() -> Iterator[TalonFake]:
    with TalonFake() as served:
        yield served


@pytest.fixture(scope="module")
def quick() -> Iterator[TalonFake]:
    """A fake with short timeouts."""
    with TalonFake(read_timeout=0.5, idle_timeout=0.5) as served:
        yield served


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    for name in ("fake", "quick"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()


# -- keep-alive ---------------------------------------------------------------------------------


def test_a_requests_session_sends_every_request_over_one_connection(fake: TalonFake) -> None:
    session = requests.Session()
    url = fake.url("/v2/customer_sessions/kept")
    for _ in range(10):
        assert session.put(url, json=BODY, headers=fake.integration_headers, timeout=HANG).status_code == 200
        assert session.get(url, headers=fake.integration_headers, timeout=HANG).status_code == 200
    pools = session.get_adapter(url).poolmanager.pools  # type: ignore[attr-defined]
    assert [pools[key].num_connections for key in pools.keys()] == [1]  # noqa: SIM118 (no __iter__)


def test_the_sdks_pool_manager_sends_every_request_over_one_connection(fake: TalonFake) -> None:
    pool = urllib3.PoolManager()  # what talon_one's ApiClient makes
    url = fake.url("/v2/customer_sessions/kept")
    for _ in range(10):
        assert pool.request("PUT", url, json=BODY, headers=fake.integration_headers).status == 200
    assert pool.request("GET", url + "/nothing", headers=fake.integration_headers).status == 404
    assert pool.connection_from_url(url).num_connections == 1


def test_every_kind_of_answer_is_framed_so_the_next_request_can_follow(fake: TalonFake) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port_of(fake), timeout=HANG)
    path, headers = "/v2/customer_sessions/framed", fake.integration_headers
    seen = []

    def send(method: str, body: Any = None, *, auth: bool = True) -> http.client.HTTPResponse:
        conn.request(
            method, path, body=None if body is None else orjson.dumps(body), headers=headers if auth else {}
        )
        response = conn.getresponse()
        response.read()
        seen.append(conn.sock)
        assert not response.will_close, response.getheaders()
        return response

    assert send("PUT", BODY).status == 200
    head = send("HEAD")
    assert head.status == 405
    assert head.getheader("Content-Length") is not None
    fake.inject_fault(status=204, body={})
    assert send("GET").status == 204
    fake.inject_fault(status=503)
    assert send("GET").status == 503
    assert send("GET", auth=False).status == 401
    assert send("PUT", {"customerSession": []}).status == 400
    assert send("POST").status == 405
    assert send("GET").status == 200
    assert all(sock is seen[0] for sock in seen)  # one connection throughout


def test_pipelined_requests_are_answered_in_order_each_framed(fake: TalonFake) -> None:
    fake.seed_session("piped")
    auth = fake.integration_headers["Authorization"]
    request = f"{{}} /v2/customer_sessions/piped HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n"
    with connect(port_of(fake)) as sock:
        sock.sendall(
            (request.format("GET") + "\r\n" + request.format("HEAD") + "\r\n").encode()
            + (request.format("GET") + "Connection: close\r\n\r\n").encode()
        )
        answers = Answers(until_closed(sock))
    first, head, last = answers.next(), answers.next("HEAD"), answers.next()
    assert (first.status, head.status, last.status) == (200, 405, 200)
    assert orjson.loads(first.body) == orjson.loads(last.body)  # type: ignore[attr-defined]
    assert last.getheader("Connection") == "close"
    assert answers.rest() == b""


def test_a_dropped_connection_loses_only_that_connection(fake: TalonFake) -> None:
    session = requests.Session()
    url = fake.url("/v2/customer_sessions/dropped")
    fake.inject_fault(drop=True)
    with pytest.raises(requests.ConnectionError):
        session.get(url, headers=fake.integration_headers, timeout=HANG)
    assert session.put(url, json=BODY, headers=fake.integration_headers, timeout=HANG).status_code == 200
    assert session.get(url, headers=fake.integration_headers, timeout=HANG).status_code == 200


def test_a_body_the_app_does_not_read_is_skipped() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    server = KeepAliveServer(app, "127.0.0.1", 0, Limits(), pytest.fail)
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HANG)
        for body in (b"x" * 100_000, iter([b"chunked ", b"body"])):  # an iterator is sent chunked
            conn.request("PUT", "/", body=body)
            response = conn.getresponse()
            assert (response.status, response.read(), response.will_close) == (200, b"{}", False)
    finally:
        server.stop()


# -- timeouts -----------------------------------------------------------------------------------


def test_stalled_headers_are_answered_408(quick: TalonFake) -> None:
    with connect(port_of(quick)) as sock:
        sock.sendall(b"PUT /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        answers = Answers(until_closed(sock))
    assert "0.5 s" in assert_talon_error(answers.next(), 408)["message"]


def test_a_short_body_on_an_open_connection_is_answered_408(quick: TalonFake) -> None:
    with connect(port_of(quick)) as sock:
        sock.sendall(b'PUT /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a"')
        answers = Answers(until_closed(sock))
    body = assert_talon_error(answers.next(), 408)
    assert "read 4 bytes of the 100 its Content-Length announced" in body["message"]
    assert quick.journal == []  # the app never saw it


def test_a_short_body_of_a_closing_client_is_answered_400(fake: TalonFake) -> None:
    data = b"PUT /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}"
    body = assert_talon_error(exchange(port_of(fake), data, half_close=True), 400)
    assert "ended early: read 2 bytes of the 100" in body["message"]


def test_an_http_0_9_request_line_is_answered_at_once(fake: TalonFake) -> None:
    body = assert_talon_error(exchange(port_of(fake), b"GET /\r\n"), 400)  # fake's read_timeout: 10 s
    assert "no HTTP version" in body["message"]


def test_an_idle_connection_is_closed_after_the_idle_timeout(quick: TalonFake) -> None:
    with connect(port_of(quick)) as sock:
        assert until_closed(sock) == b""
    conn = http.client.HTTPConnection("127.0.0.1", port_of(quick), timeout=HANG)
    conn.request("GET", "/v2/customer_sessions/s", headers=quick.integration_headers)
    assert conn.getresponse().read()
    assert until_closed(conn.sock) == b""  # kept alive, then closed when idle


def test_a_stalled_client_does_not_hold_up_others(fake: TalonFake) -> None:
    with connect(port_of(fake)) as stalled:
        stalled.sendall(b"PUT /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        session = requests.Session()
        url = fake.url("/v2/customer_sessions/other")
        for _ in range(3):
            assert (
                session.put(url, json=BODY, headers=fake.integration_headers, timeout=HANG).status_code == 200
            )


# -- refusals the server makes itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "names"),
    [
        (REQUEST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400, "chunk size"),
        (REQUEST + b"Transfer-Encoding: chunked\r\n\r\n5\r\n{}\r\n", 400, "chunked"),
        (REQUEST + b"Transfer-Encoding: gzip\r\n\r\n", 501, "gzip"),
        (REQUEST + b"Content-Length: ten\r\n\r\n", 400, "Content-Length"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "request line"),
        (REQUEST + b"X-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431, "header"),
        (REQUEST + b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"\r\n", 431, "headers"),
        (b"NONSENSE\r\n\r\n", 400, "NONSENSE"),
        (b"GET / HTTP/one\r\n\r\n", 400, "HTTP/one"),
        (b"GET / HTTP/2.0\r\n\r\n", 505, "HTTP/1.1"),
    ],
    ids=[
        "bad-chunk-size",
        "chunks-cut-short",
        "gzip",
        "bad-length",
        "414",
        "431-line",
        "431-count",
        "one-word",
        "bad-version",
        "http2",
    ],
)
def test_what_the_server_refuses_is_refused_in_talons_shape(
    fake: TalonFake, data: bytes, status: int, names: str
) -> None:
    body = assert_talon_error(exchange(port_of(fake), data, half_close=status == 400), status)
    assert names in body["message"]
    fake.check_errors()  # the client's mistake, not the fake's: nothing to report


def test_an_exception_while_serving_is_a_talon_500_and_reported(
    fake: TalonFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: Any) -> Any:
        raise RuntimeError("broken app")

    monkeypatch.setattr(fake.app, "handle", broken)
    response = requests.get(fake.url("/v2/customer_sessions/s"), timeout=HANG)
    assert response.status_code == 500
    assert "broken app" in response.json()["message"]
    assert validate(response.json(), "error-response-with-status", strict=True) == []
    with pytest.raises(RuntimeError, match="broken app"):
        fake.check_errors()


@pytest.mark.parametrize("status", ["1000 Too Much", "2000 OK", "100 Continue", "abc"])
def test_an_app_answering_no_http_status_is_a_500_and_reported(status: str) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(status, [])
        return [b""]

    errors: list[BaseException] = []
    server = KeepAliveServer(app, "127.0.0.1", 0, Limits(), errors.append)
    server.start()
    try:
        response = requests.get(f"http://127.0.0.1:{server.port}/", timeout=HANG)
    finally:
        server.stop()
    assert response.status_code == 500
    assert [type(e) for e in errors] == [TalonFakesError]
    assert status in str(errors[0])
