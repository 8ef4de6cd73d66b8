"""The fake's HTTP/1.1 server: kept-alive connections, read timeouts, a bound on connections.

werkzeug's development server (which pytest-httpserver runs) closes the connection after every
answer, waits forever for a stalled client and answers malformed requests with HTML. This one
serves any WSGI app with:

- **keep-alive**: HTTP/1.1 connections stay open between requests (as the official SDKs' urllib3
  pools and ``requests.Session`` expect); every answer is framed by a ``Content-Length`` computed
  from the bytes sent (none on HEAD, 1xx, 204 and 304), so a kept-alive client never desyncs;
- **read timeouts**: a request must arrive whole within ``read_timeout`` seconds of its first byte
  (a stalled client, a body shorter than its ``Content-Length``, an HTTP/0.9 request line are
  answered at once or within that time), and an idle connection is closed after ``idle_timeout``;
- **a bound on connections** (one thread each): past ``max_connections`` the longest idle
  connection is closed to make room, and if none is idle the new one is answered 503;
- **Talon.One's error shape** for every answer the server makes itself (400, 408, 414, 431, 500,
  501, 503, 505), and every exception raised while serving handed to ``on_error`` (the fake's
  ``check_errors()``);
- **a graceful stop**: requests in flight get ``grace_period`` seconds to finish.

The parsing is the standard library's (``http.server``: request line, headers, their limits) and
werkzeug's (the WSGI environ, chunked bodies); the connection handling is in
:mod:`talon_fakes.fake.web.httpconnection`.
"""

from __future__ import annotations

import contextlib
import math
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from werkzeug.serving import get_sockaddr, select_address_family

from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.web.httpconnection import Connection, Handler, linger, refusal

#: A WSGI application.
WSGIApp = Callable[[dict[str, Any], Any], Any]
#: Receives every exception raised while serving (the fake's ``check_errors()`` raises them).
ErrorSink = Callable[[BaseException], None]


@dataclass(frozen=True)
class Limits:
    """How long the server waits for clients and how many it serves at once.

    ``read_timeout``: seconds a request (line, headers, body) may take to arrive, from its first
    byte; also how long writing an answer may block. ``idle_timeout``: seconds a kept-alive
    connection may wait for its next request before the server closes it. ``max_connections``:
    connections (threads) served at once. ``grace_period``: seconds ``stop()`` lets requests in
    flight finish.
    """

    read_timeout: float = 10.0
    idle_timeout: float = 60.0
    max_connections: int = 256
    grace_period: float = 5.0

    def __post_init__(self) -> None:
        for name in ("read_timeout", "idle_timeout", "grace_period"):
            value = getattr(self, name)
            low_ok = value >= 0 if name == "grace_period" else value > 0
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not low_ok
            ):
                rule = (
                    "a number of seconds, 0 or more"
                    if name == "grace_period"
                    else "a number of seconds above 0"
                )
                raise TalonFakesError(
                    f"{name}={value!r}: must be {rule}, e.g. {name}={getattr(Limits, name)}"
                )
        count = self.max_connections
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise TalonFakesError(
                f"max_connections={count!r}: must be a whole number of at least 1, e.g. max_connections=256"
            )


class KeepAliveServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A threaded HTTP/1.1 WSGI server (one thread a connection, at most ``max_connections``).

    ``start()`` serves in a background thread; ``stop()`` stops accepting, closes idle
    connections, and waits up to ``grace_period`` for requests in flight.
    """

    daemon_threads = True
    block_on_close = False  # idle kept-alive connections must not hold up stop(); stop() waits for busy ones
    allow_reuse_address = True
    request_queue_size = 128
    # What werkzeug's environ builder reads from its server.
    multithread, multiprocess, ssl_context = True, False, None
    _server_version = "talon-fakes"

    def __init__(self, app: WSGIApp, host: str, port: int, limits: Limits, on_error: ErrorSink) -> None:
        self.address_family = select_address_family(host, port)
        address = cast(tuple[str, int], get_sockaddr(host, port, self.address_family))  # never a Unix socket
        super().__init__(address, cast(Any, Handler), bind_and_activate=False)
        try:
            self.server_bind()
            self.server_activate()
        except BaseException:
            self.server_close()
            raise
        self.app, self.limits, self.on_error = app, limits, on_error
        self.host, self.port = host, int(self.server_address[1])
        self.closing = False
        self.lock = threading.Condition()
        self.connections: dict[socket.socket, Connection] = {}
        self._thread: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Serve in a daemon thread (returns at once)."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting; close idle connections; let requests in flight finish (``grace_period``)."""
        with self.lock:  # before the listener closes: an answer written once a client sees it refused says so
            self.closing = True  # every answer from now on says Connection: close
        if self._thread is not None:  # shutdown() waits for serve_forever(), which start() runs
            self.shutdown()
            self._thread.join()
        self.server_close()  # new clients are refused from now on
        deadline = time.monotonic() + self.limits.grace_period
        with self.lock:
            for connection in list(self.connections.values()):
                if not connection.busy:
                    connection.close()
            while any(c.busy for c in self.connections.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            for connection in self.connections.values():
                connection.close()  # still busy after the grace period: cut off

    # -- connections ---------------------------------------------------------------------------

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve a new connection in its own thread, within ``max_connections``."""
        with self.lock:
            if self.closing:
                self.shutdown_request(request)
                return
            if len(self.connections) >= self.limits.max_connections and not self._reclaim():
                _refuse(request, self.limits.max_connections)
                self.shutdown_request(request)
                return
            self.connections[request] = Connection(request)
        super().process_request(request, client_address)

    def _reclaim(self) -> bool:
        """Close the connection idle the longest (called under the lock); False if none is idle."""
        idle = [c for c in self.connections.values() if not c.busy]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.since)
        oldest.close()
        del self.connections[oldest.sock]
        return True

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection, then forget it (and wake a ``stop()`` waiting for it)."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.lock:
                self.connections.pop(request, None)
                self.lock.notify_all()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection (its :class:`Connection` state is looked up by the handler)."""
        with self.lock:
            connection = self.connections.get(request)
        if connection is not None:  # None: reclaimed before its thread started
            Handler(request, client_address, self, connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A bug in serving a connection: report it (``check_errors()``), print nothing."""
        error = sys.exc_info()[1]
        if error is not None:
            self.on_error(error)


def _refuse(sock: socket.socket, limit: int) -> None:
    """Answer a connection past the limit with a 503 without blocking the accepting thread."""
    message = (
        f"the fake serves at most {limit} connections at once and none is idle; "
        "retry later, close idle connections, or raise max_connections (serve --max-connections)"
    )
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        sock.send(refusal(503, message))
        linger(sock)
