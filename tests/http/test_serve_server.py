"""``talon-fakes serve``'s server options and its graceful stop, as a real process over real sockets."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator

import orjson
import pytest
from processes import HANG, SCRIPT, first_line, refused

BODY = orjson.dumps(
    {
        "customerSession": {"cartItems": [{"sku": "A", "quantity": 1, "price": 5}]},
        "responseContent": ["customerSession"],
    }
)


@pytest.fixture
def serve() -> Iterator[list[subprocess.Popen[str]]]:
    """Started ``serve`` processes; whatever still runs at the end is killed."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def start(started: list[subprocess.Popen[str]], *args: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [SCRIPT, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    started.append(process)
    base_url = first_line(process)
    return process, int(base_url.rsplit(":", 1)[1])


def until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_request_in_flight_when_serve_is_stopped_is_answered_whole(
    serve: list[subprocess.Popen[str]], sig: signal.Signals
) -> None:
    process, port = start(serve, "--grace-period", str(HANG))
    with socket.create_connection(("127.0.0.1", port), timeout=HANG) as sock:
        sock.sendall(
            b"PUT /v2/customer_sessions/inflight HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: ApiKey-v1 talon-fakes-api-key\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(BODY)
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")  # the request is in flight
        process.send_signal(sig)
        for _ in range(HANG * 100):  # until serve stops accepting: it is stopping
            if refused(port):
                break
        sock.sendall(BODY)
        answer = until_closed(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), answer
    assert b"\r\nConnection: close" in head
    length = int(
        next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Length:")).split(b":")[1]
    )
    assert len(body) == length  # not cut off
    assert orjson.loads(body)["customerSession"]["integrationId"] == "inflight"
    assert process.wait(HANG) == 0


def test_serve_takes_its_read_timeout_from_the_command_line(serve: list[subprocess.Popen[str]]) -> None:
    _, port = start(serve, "--read-timeout", "0.2")
    with socket.create_connection(("127.0.0.1", port), timeout=HANG) as sock:
        sock.sendall(b"PUT /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
        answer = until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert orjson.loads(answer.partition(b"\r\n\r\n")[2])["StatusCode"] == 408
    assert b"within 0.2 s" in answer


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--read-timeout", "0"), ("--idle-timeout", "-1"), ("--max-connections", "0"), ("--grace-period", "-1")],
)
def test_serve_refuses_limits_out_of_range(flag: str, value: str) -> None:
    result = subprocess.run(
        [SCRIPT, "serve", flag, value], capture_output=True, text=True, timeout=HANG, check=False
    )
    assert result.returncode == 2
    assert flag in result.stderr
    assert value in result.stderr
