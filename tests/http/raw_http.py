"""Talking to the fake's server below any client library: raw sockets, and answers parsed by
``http.client`` one after the other as a keep-alive client reads them."""

from __future__ import annotations

import http.client
import io
import socket
from typing import Any

import orjson
from processes import HANG

from talon_fakes import validate
from talon_fakes.contracts.verdicts import contract_for
from talon_fakes.fake.server import TalonFake

BODY = {"customerSession": {"cartItems": [{"sku": "A", "quantity": 1, "price": 5}]}}


def port_of(fake: TalonFake) -> int:
    return int(fake.base_url.rsplit(":", 1)[1])


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=HANG)


def until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


class _Kept(io.BytesIO):
    def close(self) -> None:
        """Kept open for the next answer (http.client closes a response's file when it ends)."""


class Answers:
    """Answers parsed one after the other from bytes, each by its own framing (as a client does)."""

    def __init__(self, raw: bytes) -> None:
        self.stream = _Kept(raw)

    def makefile(self, mode: str) -> _Kept:
        return self.stream

    def next(self, method: str = "GET") -> http.client.HTTPResponse:
        response = http.client.HTTPResponse(self, method=method)  # type: ignore[arg-type]
        response.begin()
        response.body = response.read()  # type: ignore[attr-defined]
        return response

    def rest(self) -> bytes:
        return self.stream.read()


def assert_talon_error(response: http.client.HTTPResponse, status: int) -> dict[str, Any]:
    """A refusal in Talon.One's error shape: JSON, valid against its error contract (strict)."""
    assert response.status == status, response.body  # type: ignore[attr-defined]
    assert response.getheader("Content-Type") == "application/json"
    body: dict[str, Any] = orjson.loads(response.body)  # type: ignore[attr-defined]
    contract = contract_for(None, status)
    assert validate(body, contract, strict=True) == [], body
    return body


def exchange(port: int, data: bytes, *, half_close: bool = False) -> http.client.HTTPResponse:
    """Send raw bytes on a new connection; the one answer, after which the server must close."""
    with connect(port) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answers = Answers(until_closed(sock))
    response = answers.next()
    assert answers.rest() == b""
    return response


#: The head of a PUT, for the tests that finish it by hand.
REQUEST = b"PUT /v2/customer_sessions/s HTTP/1.1\r\nHost: x\r\n"
