"""The fake without a socket: requests, httpx and the official SDKs reach the app in-process.

Like moto, it intercepts the HTTP client library rather than the network. One patch point serves
``requests`` and both official Talon.One SDKs, because all three send through urllib3's
``HTTPConnectionPool.urlopen``; httpx gets its own ``WSGITransport``. Only requests to the
fake's base URL are intercepted; every other host goes out as usual. The app and its state are
the same objects the socket server uses, so both modes can be mixed in one test.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from werkzeug.wrappers import Request, Response

from talon_fakes.app import Dropped, FakeApp

DEFAULT_BASE_URL = "https://talon-fakes.invalid"

_lock = threading.Lock()
_routes: dict[tuple[str, str, int], FakeApp] = {}  # (scheme, host, port) -> app
_original_urlopen = HTTPConnectionPool.urlopen
_original_httpx: Any = None


def _key(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    """How an origin is looked up: the port made explicit."""
    return scheme, host, port or (443 if scheme == "https" else 80)


def _origin(base_url: str) -> tuple[str, str, int]:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be http(s)://host[:port]; got {base_url!r}")
    return _key(parts.scheme, parts.hostname, parts.port)


def call(app: FakeApp, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Response:
    """Answer one request with the app, as the server would (a dropped connection raises)."""
    path, _, query = url.partition("?")
    data = body or b""
    # The WSGI environ of PEP 3333, built directly: werkzeug's EnvironBuilder costs more than
    # the whole request does.
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path),
        "QUERY_STRING": query,
        "SERVER_NAME": "talon-fakes",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "https",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value if key == "CONTENT_TYPE" else environ[key]
        else:
            environ[f"HTTP_{key}"] = value
    return app.handle(Request(environ))


def _body_bytes(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in body)


def _urlopen(self: HTTPConnectionPool, method: str, url: str, body: Any = None, headers: Any = None,
             **kwargs: Any) -> Any:  # fmt: skip
    app = _routes.get(_key(self.scheme, self.host, self.port))
    if app is None:
        return _original_urlopen(self, method, url, body, headers, **kwargs)
    if "://" in url:  # an absolute URL (a proxy-style call): keep the path and query
        parts = urlsplit(url)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        response = call(app, method, url, _body_bytes(body), dict(headers or {}))
    except Dropped:
        reset = ConnectionResetError("talon-fakes: dropped")
        raise urllib3.exceptions.ProtocolError("Connection aborted.", reset) from None
    data = response.get_data()
    return urllib3.HTTPResponse(
        body=io.BytesIO(data),
        headers=dict(response.headers),
        status=response.status_code,
        reason=response.status.partition(" ")[2],
        preload_content=kwargs.get("preload_content", True),
        decode_content=kwargs.get("decode_content", True),
        request_method=method,
        request_url=url,
        enforce_content_length=True,
    )


def _patch_httpx() -> None:
    global _original_httpx
    try:
        import httpx
    except ImportError:
        return
    if _original_httpx is not None:
        return
    _original_httpx = httpx.HTTPTransport.handle_request

    def handle_request(self: Any, request: Any) -> Any:
        url = request.url
        app = _routes.get(_key(url.scheme, url.host, url.port))
        if app is None:
            return _original_httpx(self, request)
        try:
            return httpx.WSGITransport(app=app.wsgi).handle_request(request)
        except Dropped:
            raise httpx.RemoteProtocolError("talon-fakes: connection dropped", request=request) from None

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]


def _unpatch_httpx() -> None:
    global _original_httpx
    if _original_httpx is not None:
        import httpx

        httpx.HTTPTransport.handle_request = _original_httpx  # type: ignore[method-assign]
        _original_httpx = None


@contextmanager
def intercept(app: FakeApp, base_url: str = DEFAULT_BASE_URL) -> Iterator[str]:
    """Serve ``app`` in-process at ``base_url`` for requests, httpx and urllib3 (the SDKs).

    Yields the base URL. Nesting and several fakes at different base URLs are allowed.
    """
    origin = _origin(base_url)
    with _lock:
        if origin in _routes:
            raise ValueError(f"{base_url} is already served in-process")
        _routes[origin] = app
        if len(_routes) == 1:
            HTTPConnectionPool.urlopen = _urlopen  # type: ignore[method-assign,assignment]
            _patch_httpx()
    try:
        yield base_url.rstrip("/")
    finally:
        with _lock:
            del _routes[origin]
            if not _routes:
                HTTPConnectionPool.urlopen = _original_urlopen  # type: ignore[method-assign]
                _unpatch_httpx()
