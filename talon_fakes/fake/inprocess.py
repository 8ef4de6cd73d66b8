"""The fake without a socket: requests, httpx and the official SDKs reach the app in-process.

Like moto, it intercepts the HTTP client library rather than the network. One patch point serves
``requests`` and both official Talon.One SDKs, because all three send through urllib3's
``HTTPConnectionPool.urlopen``; a second one, ``PoolManager.urlopen``, answers the SDKs (which
call it) before urllib3 parses the URL and looks up a pool, the larger part of an in-process
request's cost. httpx's ``HTTPTransport.handle_request`` is the third. Only requests to the
fake's base URL are intercepted; every other host goes out as usual. The app and its state are
the same objects the socket server uses, so both modes can be mixed in one test.

What a client sees is what the socket server would give it: urllib3's retries (of dropped
connections and of the statuses a ``Retry`` names) and read timeouts (while an injected delay
runs) work as over a socket, and a HEAD, 204 or 304 answer has no body.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import urllib3
from urllib3 import HTTPHeaderDict, PoolManager
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.util import Retry, Timeout
from urllib3.util.timeout import _DEFAULT_TIMEOUT

from talon_fakes.fake.web.app import Dropped, FakeApp
from talon_fakes.fake.web.calls import Call, ascii_path

DEFAULT_BASE_URL = "https://talon-fakes.invalid"

_lock = threading.Lock()
_routes: dict[tuple[str, str, int], FakeApp] = {}  # (scheme, host, port) -> app
_prefixes: dict[str, FakeApp] = {}  # base URL -> app, for the PoolManager shortcut
_original_urlopen = HTTPConnectionPool.urlopen
_original_pool_manager_urlopen = PoolManager.urlopen
_original_httpx: Any = None
_REASONS = {status.value: status.phrase for status in HTTPStatus}


def _key(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    """How an origin is looked up: the port made explicit."""
    return scheme, host, port or (443 if scheme == "https" else 80)


def _origin(base_url: str) -> tuple[str, str, int]:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be http(s)://host[:port]; got {base_url!r}")
    return _key(parts.scheme, parts.hostname, parts.port)


def call(
    app: FakeApp, method: str, url: str, body: bytes | None, headers: Mapping[str, str]
) -> tuple[int, bytes]:
    """Answer one request with the app, as the server would: the status and the JSON body.

    The request goes to the app as a :class:`~talon_fakes.fake.web.calls.Call` built straight from its
    parts: a WSGI environ and werkzeug's request and response would cost more than the app's
    own work. The path stays as the client encoded it (the app decodes each path parameter once,
    as for the socket). A dropped connection raises :class:`~talon_fakes.fake.web.app.Dropped`.
    """
    path, _, query = url.partition("#")[0].partition("?")
    return app.answer(Call(method, ascii_path(path.encode("utf-8")), query, headers, body or b""))


class _TimedOut(Exception):
    """The app did not answer within the client's read timeout."""


def _call_within(
    app: FakeApp, method: str, url: str, body: bytes | None, headers: Mapping[str, str], timeout: float | None
) -> tuple[int, bytes]:
    """:func:`call`, given up after ``timeout`` seconds as a client on a socket would.

    Only an injected delay makes the app slow, so without a fault pending (or a timeout) the
    call runs in this thread; otherwise in a thread of its own, which goes on after a time-out
    (as the server does: the request is carried out all the same).
    """
    if timeout is None or not app.faults:
        return call(app, method, url, body, headers)
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call(app, method, url, body, headers))
        except BaseException as error:  # handed to the caller below
            outcome.append(error)

    worker = threading.Thread(target=run, name="talon-fakes in-process call", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise _TimedOut(f"talon-fakes: no answer within the read timeout ({timeout} s)")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    answer: tuple[int, bytes] = outcome[0]
    return answer


def _bodiless(method: str, status: int) -> bool:
    """Whether an answer carries no body (HTTP: a HEAD, 1xx, 204 and 304)."""
    return method == "HEAD" or status < 200 or status in (204, 304)


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
    retries, timeout = _policy(kwargs, self.retries, self.timeout, redirect=kwargs.get("redirect", True))
    return _respond(app, method, url, body, headers, kwargs, retries, timeout)


def _pool_manager_urlopen(
    self: PoolManager, method: str, url: str, redirect: bool = True, **kwargs: Any
) -> Any:
    """PoolManager.urlopen (the SDKs' entry), answered at once for a URL under a fake's base URL.

    It skips urllib3's URL parsing and pool lookup, which cost more than the fake's answer; the
    fake never redirects, so nothing of PoolManager's own work is lost. Any other URL (and any
    spelling of the fake's origin other than its base URL) goes the usual way, down to the
    connection pool's patch.
    """
    for prefix, app in _prefixes.items():
        rest = url[len(prefix) :] if url.startswith(prefix) else None
        if rest is not None and (not rest or rest[0] in "/?#"):
            target = rest.partition("#")[0]
            target = target if target.startswith("/") else "/" + target
            pool = self.connection_pool_kw  # what the pool PoolManager would pick is made with
            retries, timeout = _policy(
                kwargs, pool.get("retries"), pool.get("timeout", _DEFAULT_TIMEOUT), redirect=redirect
            )
            body, headers = kwargs.get("body"), kwargs.get("headers", self.headers)
            return _respond(app, method, target, body, headers, kwargs, retries, timeout)
    return _original_pool_manager_urlopen(self, method, url, redirect, **kwargs)


def _policy(kwargs: dict[str, Any], retries: Any, timeout: Any, *, redirect: bool) -> tuple[Retry, Any]:
    """The retries and timeout of a call as a connection pool takes them: the call's own (popped
    from ``kwargs``: the answer is retried here), else the pool's ``retries`` and ``timeout``."""
    given = kwargs.pop("retries", None)
    chosen = retries if given is None else given
    if not isinstance(chosen, Retry):
        chosen = Retry.from_int(chosen, redirect=redirect, default=Retry.DEFAULT)
    called = kwargs.get("timeout", _DEFAULT_TIMEOUT)
    return chosen, timeout if called is _DEFAULT_TIMEOUT else called


def _respond(
    app: FakeApp,
    method: str,
    url: str,
    body: Any,
    headers: Any,
    kwargs: dict[str, Any],
    retries: Retry,
    timeout: Any,
) -> Any:
    """The app's answer as the urllib3 response a connection pool would give, its retries and
    read timeout applied as urllib3 applies them."""
    data, read_timeout = _body_bytes(body), _read_timeout(timeout)
    while True:
        try:
            status, payload = _call_within(app, method, url, data, headers or {}, read_timeout)
        except (Dropped, _TimedOut) as failure:
            error: Exception
            if isinstance(failure, Dropped):
                reset = ConnectionResetError("talon-fakes: dropped")
                error = urllib3.exceptions.ProtocolError("Connection aborted.", reset)
            else:
                error = urllib3.exceptions.ReadTimeoutError(None, url, f"Read timed out. ({failure})")  # type: ignore[arg-type]
            retries = retries.increment(method, url, error=error)  # raises once they are used up
            retries.sleep()
            continue
        response = _response(status, payload, method, url, kwargs)
        if not retries.is_retry(method, status, has_retry_after=False):  # the fake sends no Retry-After
            return response
        try:
            retries = retries.increment(method, url, response=response)
        except urllib3.exceptions.MaxRetryError:
            if retries.raise_on_status:
                raise
            return response
        retries.sleep(response)


def _read_timeout(timeout: Any) -> float | None:
    """The read timeout, in seconds, of urllib3's ``timeout`` argument (None: wait for ever)."""
    if timeout is None or timeout is _DEFAULT_TIMEOUT:
        return None
    seconds = timeout.read_timeout if isinstance(timeout, Timeout) else timeout
    return float(seconds) if isinstance(seconds, int | float) else None


def _response(status: int, payload: bytes, method: str, url: str, kwargs: dict[str, Any]) -> Any:
    response_headers = HTTPHeaderDict()  # built as urllib3 keeps them, so it need not convert
    response_headers["Content-Type"] = "application/json"
    response_headers["Content-Length"] = str(len(payload))
    return urllib3.HTTPResponse(
        body=io.BytesIO(b"" if _bodiless(method, status) else payload),
        headers=response_headers,
        status=status,
        reason=_REASONS.get(status, ""),
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
        # The raw target (percent-encoded, as sent); the client's own header spellings.
        target = url.raw_path.decode("ascii")
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers.raw}
        timeout = (request.extensions.get("timeout") or {}).get("read")
        try:
            status, payload = _call_within(app, request.method, target, request.read(), headers, timeout)
        except Dropped:
            raise httpx.RemoteProtocolError("talon-fakes: connection dropped", request=request) from None
        except _TimedOut as error:
            raise httpx.ReadTimeout(str(error), request=request) from None
        return httpx.Response(
            status,
            headers=[("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
            content=b"" if _bodiless(request.method, status) else payload,
            request=request,
        )

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
    parts = urlsplit(base_url)
    prefix = f"{parts.scheme}://{parts.netloc}"  # the origin as the client spells it
    with _lock:
        if origin in _routes:
            raise ValueError(f"{base_url} is already served in-process")
        _routes[origin] = app
        _prefixes[prefix] = app
        if len(_routes) == 1:
            HTTPConnectionPool.urlopen = _urlopen  # type: ignore[method-assign,assignment]
            PoolManager.urlopen = _pool_manager_urlopen  # type: ignore[method-assign]
            _patch_httpx()
    try:
        yield base_url.rstrip("/")
    finally:
        with _lock:
            del _routes[origin]
            _prefixes.pop(prefix, None)
            if not _routes:
                HTTPConnectionPool.urlopen = _original_urlopen  # type: ignore[method-assign]
                PoolManager.urlopen = _original_pool_manager_urlopen  # type: ignore[method-assign]
                _unpatch_httpx()
