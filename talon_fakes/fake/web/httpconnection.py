"""One connection of :class:`~talon_fakes.fake.web.httpserver.KeepAliveServer`: requests in, framed
answers out.

The request line and headers are parsed by the standard library's ``BaseHTTPRequestHandler``
(which also refuses a line over 64 KiB, 414, and more than 100 header fields or one over 64 KiB,
431), the WSGI environ is werkzeug's, and a chunked body is read by werkzeug's decoder. What is
here: the reader with its timeouts, the request body as a stream that knows where the body ends
(so the next request on the connection is found), and the answers, framed by ``Content-Length``
and, when the server makes them itself, in Talon.One's error shape.
"""

from __future__ import annotations

import contextlib
import io
import socket
import time
from email.utils import formatdate
from functools import lru_cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.serving import DechunkedInput, WSGIRequestHandler

from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.domain import wire

if TYPE_CHECKING:
    from talon_fakes.fake.web.httpserver import KeepAliveServer

_MAX_LINE = 65536  # the standard library's own limit for the request line and each header line
_DRAIN = 1 << 20  # an unread body up to this size is skipped to keep the connection; a larger one closes it
_NO_BODY = frozenset({204, 304})
# Framing and hop-by-hop headers: the server sets them, whatever the app said.
_OWN_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_FIX = {
    400: "send METHOD PATH HTTP/1.1, then the headers, then an empty line",
    414: f"the request line may have at most {_MAX_LINE} bytes; shorten the path or the query",
    431: f"send at most 100 header fields of at most {_MAX_LINE} bytes each",
    505: "Talon.One's API speaks HTTP/1.1 (and HTTP/1.0)",
}


class BadBody(TalonFakesError):
    """The request body could not be read (it ended early, stalled, or its chunks are malformed).

    Raised to the app that reads it; the server answers ``status`` with ``message`` instead of the
    app's answer, and closes the connection.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Connection:
    """A connection's state, shared by its thread and the server: busy while a request is on it."""

    __slots__ = ("busy", "closed", "since", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.busy, self.closed, self.since = sock, False, False, time.monotonic()

    def close(self) -> None:
        """Shut the socket down: a thread waiting on it wakes and ends (called under the server's lock)."""
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


@lru_cache(maxsize=2)
def _date(second: int) -> str:
    return formatdate(second, usegmt=True)


def refusal(status: int, message: str, *, head: bool = False) -> bytes:
    """A whole answer the server makes itself: Talon.One's error shape, then the connection closes."""
    phrase = HTTPStatus(status).phrase
    # As the app's: a 400 is an ``error-response``, any other an ``error-response-with-status``.
    shape = (
        wire.error_response(message, title=phrase.lower())
        if status == 400
        else wire.error_with_status(message, status, title=phrase.lower())
    )
    body = orjson.dumps(shape)
    return _frame(f"{status} {phrase}", [("Content-Type", "application/json")], body, close=True, head=head)


def _frame(status: str, headers: list[tuple[str, str]], body: bytes, *, close: bool, head: bool) -> bytes:
    """Status line, headers and body, framed by a Content-Length (none on 1xx and 204; no body on
    HEAD, 204 and 304), so that a kept-alive client finds where the answer ends."""
    code = int(status[:3])
    lines = [f"HTTP/1.1 {status}", f"Date: {_date(int(time.time()))}"]
    lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _OWN_HEADERS]
    given = next((v for n, v in headers if n.lower() == "content-length"), None)
    if code not in _NO_BODY:
        lines.append(f"Content-Length: {given if head and given is not None else len(body)}")
    if close:
        lines.append("Connection: close")
    lines += ["", ""]
    head_bytes = "\r\n".join(lines).encode("latin-1")
    return head_bytes if head or code in _NO_BODY else head_bytes + body


def linger(sock: socket.socket) -> None:
    """After a last answer: say no more, and read what already arrived (closing a socket with
    unread data sends a reset, which may reach the client before it has read the answer)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        sock.setblocking(False)
        while sock.recv(65536):
            pass


class _Reader(io.RawIOBase):
    """The socket as a request reader: the first byte of a request may take ``idle_timeout``, the
    rest must come within ``read_timeout`` of it (a deadline, so a client trickling bytes cannot
    hold the connection either)."""

    def __init__(self, sock: socket.socket, server: KeepAliveServer, connection: Connection) -> None:
        self.sock, self.server, self.connection = sock, server, connection
        self.deadline: float | None = None  # None: between requests

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is None:
            self.sock.settimeout(self.server.limits.idle_timeout)
            try:
                count = self.sock.recv_into(buffer)
            except (TimeoutError, OSError):
                return 0  # idle too long, or closed by the server: the end, as if the client closed
            return count if count and self.start() else 0
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the request did not arrive within {self.server.limits.read_timeout} s")
        self.sock.settimeout(left)
        return self.sock.recv_into(buffer)

    def start(self) -> bool:
        """A request began: start its deadline and mark the connection busy (False if the server
        closed it meanwhile)."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.server.limits.read_timeout
            with self.server.lock:
                if self.connection.closed:
                    return False
                # Idle time counts from a request's start: the order clients sent them in.
                self.connection.busy, self.connection.since = True, time.monotonic()
        return True

    def finish(self) -> None:
        """The request was answered: the connection is idle again."""
        self.deadline = None
        with self.server.lock:
            self.connection.busy = False
            self.server.lock.notify_all()


class _Dechunked(DechunkedInput):
    """werkzeug's chunked decoder, also taking chunk extensions (``5;name=value``), as Go does."""

    def read_chunk_len(self) -> int:
        line = self._rfile.readline(100)
        try:
            length = int(line.split(b";", 1)[0].strip(b" \t\r\n"), 16)
        except ValueError:
            raise OSError(f"invalid chunk size line {line[:40]!r}") from None
        if length < 0:
            raise OSError(f"negative chunk size {line[:40]!r}")
        return length


class _Body(io.RawIOBase):
    """The request body as ``wsgi.input``: ends where the body ends (``Content-Length`` or the last
    chunk), and raises :class:`BadBody` (remembered in ``failure``) if it cannot be read."""

    def __init__(self, rfile: io.BufferedReader[Any], length: int | None, read_timeout: float) -> None:
        self._rfile, self._left, self.length, self._timeout = rfile, length, length, read_timeout
        self._chunks = _Dechunked(rfile) if length is None else None
        self.done, self.got = length == 0, 0
        self.failure: BadBody | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.failure is not None:
            raise self.failure
        if self.done:
            return 0
        view = memoryview(buffer).cast("B")
        try:
            if self._chunks is not None:
                count = self._chunks.readinto(view)  # type: ignore[arg-type]
            else:
                assert self._left is not None
                count = self._rfile.readinto1(view[: self._left])
        except TimeoutError:
            raise self._fail(408, f"no more of the body came within {self._timeout} s") from None
        except (OSError, ValueError) as error:
            if isinstance(error, ConnectionError):
                raise  # the client is gone: nobody to answer
            raise self._fail(400, f"bad chunked encoding: {error}") from None
        self.got += count
        if self._left is not None:
            if count == 0:
                raise self._fail(400, "the body ended early")
            self._left -= count
            self.done = self._left == 0
        elif count == 0:
            self.done = True
        return count

    def _fail(self, status: int, why: str) -> BadBody:
        framing = "chunked" if self.length is None else f"of the {self.length} its Content-Length announced"
        self.failure = BadBody(status, f"{why}: read {self.got} bytes {framing}; send the whole body")
        return self.failure

    def drain(self) -> bool:
        """Skip what the app left unread (up to 1 MiB); False if the connection cannot go on."""
        try:
            skipped = 0
            while not self.done and skipped <= _DRAIN:
                skipped += len(self.read(65536) or b"")
        except (BadBody, OSError):
            return False
        return self.done


class _Writer(io.BufferedIOBase):
    """``wfile`` for the standard library's ``100 Continue``: every write sent whole."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def write(self, data: Any) -> int:
        self.sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered."""


class Handler(WSGIRequestHandler):
    """Serves the requests of one connection until it closes (HTTP/1.1 keep-alive)."""

    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"  # even a malformed request line is answered with a status line

    def __init__(
        self, request: Any, client_address: Any, server: KeepAliveServer, connection: Connection
    ) -> None:
        self.conn, self.owner = connection, server
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        self.connection = self.request
        # An answer goes out in one write; no waiting for the client's ACK of the one before.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = _Reader(self.connection, self.owner, self.conn)
        self.rfile = self.buffered = io.BufferedReader(self.reader)
        self.wfile = _Writer(self.connection)

    def finish(self) -> None:
        self.rfile.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the fake's journal records every request."""

    def handle_one_request(self) -> None:
        """Read one request and answer it; ``close_connection`` says whether another may follow."""
        try:
            self._one_request()
        finally:
            self.reader.finish()

    def _one_request(self) -> None:
        self.close_connection = True
        self.command, self.request_version = "", self.default_request_version
        try:
            line = self.rfile.readline(_MAX_LINE + 1)
        except TimeoutError:
            return self._refuse(
                408, f"the request line did not arrive within {self.owner.limits.read_timeout} s"
            )
        if not line or not self.reader.start():
            return None  # the client closed, the connection was idle too long, or the server is stopping
        if len(line) > _MAX_LINE:
            return self.send_error(414, "request line too long")
        self.raw_requestline = line
        words = line.split()
        if len(words) == 2:  # no version: HTTP/0.9, answered at once (its client sends no headers)
            text = line[:80].decode("latin-1").rstrip("\r\n")
            return self.send_error(
                400, f"malformed request line {text!r}: it names no HTTP version (HTTP/0.9)"
            )
        try:
            if not self.parse_request():
                return None  # refused by send_error, or an empty line: closed
        except TimeoutError:
            return self._refuse(408, f"the headers did not arrive within {self.owner.limits.read_timeout} s")
        self._answer()
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's refusals (400, 414, 431, 505), in Talon.One's error shape."""
        parts = (message or HTTPStatus(code).phrase, explain, _FIX.get(code))
        self._refuse(code, "; ".join(part for part in parts if part))

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        self.wfile.write(refusal(status, message, head=self.command == "HEAD"))
        linger(self.connection)

    def _framing(self) -> int | None:
        """The body's length (``None``: chunked); :class:`BadBody` if it cannot be read."""
        encodings = [
            v.strip().lower()
            for v in ",".join(self.headers.get_all("Transfer-Encoding", [])).split(",")
            if v.strip()
        ]
        lengths = {v.strip() for v in self.headers.get_all("Content-Length", [])}
        if encodings:
            if encodings != ["chunked"]:
                unsupported = ", ".join(encodings)
                raise BadBody(
                    501, f"Transfer-Encoding {unsupported} is not supported; send chunked or a Content-Length"
                )
            self.close_connection = self.close_connection or bool(lengths)  # both: read chunked, then close
            return None
        if not lengths:
            return 0
        if len(lengths) > 1 or not next(iter(lengths)).isdigit():
            given = ", ".join(sorted(lengths))
            raise BadBody(400, f"bad Content-Length {given!r}; send one whole number of bytes")
        return int(next(iter(lengths)))

    def _answer(self) -> None:
        """Run the app on the request and send its answer (or the server's, if the body failed)."""
        try:
            framing = self._framing()
        except BadBody as refused:
            return self._refuse(refused.status, str(refused))
        body = _Body(self.buffered, framing, self.owner.limits.read_timeout)
        environ = self.make_environ()
        environ["wsgi.input"], environ["wsgi.input_terminated"] = body, True
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda data: chunks.append(data)

        chunks: list[bytes] = []
        try:
            result = self.owner.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            if not started or not _valid_status(started[0]):
                raise TalonFakesError(
                    f"the app answered with status {started[:1]!r}, not an HTTP status 200-599"
                )
        except BadBody:
            pass
        except ConnectionError:
            raise
        except Exception as error:  # the app's bug: a 500, and the test fails through check_errors()
            if body.failure is None:
                self.owner.on_error(error)
                return self._refuse(500, f"talon-fakes internal error: {error!r}; check_errors() raises it")
        if body.failure is not None:
            return self._refuse(body.failure.status, str(body.failure))
        if not body.drain():
            self.close_connection = True
        self.reader.sock.settimeout(self.owner.limits.read_timeout)  # how long writing may block
        with self.owner.lock:
            self.close_connection = self.close_connection or self.owner.closing
        self.wfile.write(
            _frame(
                started[0],
                started[1],
                b"".join(chunks),
                close=self.close_connection,
                head=self.command == "HEAD",
            )
        )
        return None


def _valid_status(status: Any) -> bool:
    """A final status line the app may give: three digits, 200 to 599, then the reason."""
    code = status.split(" ", 1)[0] if isinstance(status, str) else ""
    return len(code) == 3 and code.isdigit() and 200 <= int(code) <= 599
