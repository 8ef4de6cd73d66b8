"""Seeing the responses of a live deployment: a watch on urllib3, the library under requests and
both official SDKs.

While a ``talon_verified`` test runs under ``--talon-live``, every response from the deployment's
origin is read, recorded for the contract check and handed on as a fresh response with the same
status, headers and body, so the client cannot tell. Other hosts pass untouched. Without urllib3
installed there is nothing to watch (the plugin's own client records its responses itself).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .checks import Observed, operation_of

Origin = tuple[str, str, int]


def origin(url: str) -> Origin:
    """(scheme, host, port) of ``url``, the port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme or "http"
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def observed(method: str, path: str, status: int, data: bytes, base_path: str = "") -> Observed:
    """An :class:`Observed` from raw parts: the body parsed as JSON (kept as text when it is not)."""
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    try:
        body: Any = json.loads(data) if data else None
    except ValueError:
        body = data.decode("utf-8", "replace")
    return Observed(method.upper(), path, status, body, operation_of(method, path))


class Urllib3Observer:
    """Records the responses urllib3 gets from one origin, from :meth:`install` to :meth:`uninstall`."""

    def __init__(self, base_url: str, record: Callable[[Observed], None]) -> None:
        self.origin = origin(base_url)
        self.base_path = urlsplit(base_url).path.rstrip("/")
        self.record = record
        self._original: Any = None

    def install(self) -> None:
        """Start watching (a no-op when urllib3 is not installed)."""
        try:
            from urllib3.connectionpool import HTTPConnectionPool
        except ImportError:
            return
        original = self._original = HTTPConnectionPool.urlopen
        observer = self

        def urlopen(pool: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            response = original(pool, method, url, *args, **kwargs)
            scheme = getattr(pool, "scheme", "http")
            port = pool.port or (443 if scheme == "https" else 80)
            if (scheme, str(pool.host).lower(), port) != observer.origin:
                return response
            if getattr(response, "_talon_fakes_seen", False):  # a redirect or retry, seen inside
                return response
            return observer._see(method, url, response, kwargs)

        HTTPConnectionPool.urlopen = urlopen  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        """Stop watching."""
        if self._original is not None:
            from urllib3.connectionpool import HTTPConnectionPool

            HTTPConnectionPool.urlopen = self._original  # type: ignore[method-assign]
            self._original = None

    def _see(self, method: str, url: str, response: Any, kwargs: dict[str, Any]) -> Any:
        import urllib3

        path = urlsplit(url).path
        if kwargs.get("preload_content", True):
            data = response.data  # already read (and kept) by urllib3
            self.record(observed(method, path, response.status, data or b"", self.base_path))
            response._talon_fakes_seen = True
            return response
        # Streamed (requests, SDK 26.x): read it all, then hand on a response that replays it.
        data = response.read(decode_content=True)
        response.release_conn()
        self.record(observed(method, path, response.status, data, self.base_path))
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")
        }
        headers["Content-Length"] = str(len(data))
        replay = urllib3.HTTPResponse(
            body=io.BytesIO(data),
            headers=headers,
            status=response.status,
            reason=response.reason,
            preload_content=False,
            decode_content=False,
            request_method=method,
            request_url=url,
            retries=response.retries,
        )
        replay._talon_fakes_seen = True  # type: ignore[attr-defined]
        return replay
