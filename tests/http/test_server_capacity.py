"""The fake's server at its bounds: past ``max_connections``, stopping with a request in flight,
and limits it refuses (``talon_fakes.fake.web.httpserver.Limits``)."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from processes import HANG, refused
from raw_http import BODY, REQUEST, Answers, assert_talon_error, connect, exchange, port_of, until_closed

from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.server import TalonFake

# -- the bound on connections ---------------------------------------------------------------------


def busy(port: int) -> socket.socket:
    """A connection whose request the server is reading (it asked for the body: 100 Continue)."""
    sock = connect(port)
    sock.sendall(REQUEST + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    return sock


def test_past_max_connections_with_none_idle_a_new_client_gets_503() -> None:
    with TalonFake(max_connections=2) as fake:
        first, second = busy(port_of(fake)), busy(port_of(fake))
        try:
            response = exchange(port_of(fake), b"GET /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\n\r\n")
            assert "max_connections" in assert_talon_error(response, 503)["message"]
        finally:
            first.close()
            second.close()


def idle(fake: TalonFake, count: int) -> None:
    """Wait until ``count`` connections are idle (marked so just after their answer was sent)."""
    server = fake._server
    assert server is not None
    with server.lock:
        server.lock.wait_for(lambda: sum(not c.busy for c in server.connections.values()) == count, HANG)


def test_past_max_connections_the_longest_idle_connection_makes_room() -> None:
    with TalonFake(max_connections=2) as fake:
        get = f"GET /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\nAuthorization: {fake.integration_headers['Authorization']}\r\n\r\n".encode()  # noqa: E501
        oldest, newer = connect(port_of(fake)), connect(port_of(fake))
        for sock in (oldest, newer):
            sock.sendall(get)
            assert sock.recv(65536).startswith(b"HTTP/1.1 404")  # answered; the connection stays open
        idle(fake, 2)
        third = exchange(port_of(fake), get.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        assert third.status == 404
        assert until_closed(oldest) == b""  # closed to make room
        newer.sendall(get)
        assert newer.recv(65536).startswith(b"HTTP/1.1 404")
        oldest.close()
        newer.close()


# -- stop -----------------------------------------------------------------------------------------


def finish_during_stop(port: int, stop: Callable[[], None]) -> http.client.HTTPResponse:
    """Start a PUT, stop the server while it is in flight, then send the rest of its body."""
    body = orjson.dumps(BODY | {"responseContent": ["customerSession"]})
    sock = connect(port)
    head = f"PUT /v2/customer_sessions/inflight HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey-v1 talon-fakes-api-key\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"  # noqa: E501
    sock.sendall(head.encode())
    assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
    stop()
    for _ in range(HANG * 100):  # until the server stops accepting: it is stopping
        if refused(port):
            break
    sock.sendall(body)
    answers = Answers(until_closed(sock))
    sock.close()
    response = answers.next("PUT")
    assert answers.rest() == b""
    return response


def test_stop_lets_a_request_in_flight_finish() -> None:
    fake = TalonFake(grace_period=HANG).start()
    stopping = threading.Thread(target=fake.stop)
    response = finish_during_stop(port_of(fake), stopping.start)
    stopping.join(HANG)
    assert response.status == 200
    assert response.getheader("Connection") == "close"
    assert orjson.loads(response.body)["customerSession"]["integrationId"] == "inflight"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({"read_timeout": 0}, "read_timeout=0"),
        ({"idle_timeout": -1.0}, "idle_timeout=-1.0"),
        ({"grace_period": float("nan")}, "grace_period=nan"),
        ({"max_connections": 0}, "max_connections=0"),
        ({"max_connections": 2.5}, "max_connections=2.5"),
    ],
)
def test_bad_limits_are_refused_naming_the_option(options: dict[str, Any], names: str) -> None:
    with pytest.raises(TalonFakesError, match=names.replace(".", r"\.")):
        TalonFake(**options)
