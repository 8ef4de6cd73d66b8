"""A validating, recording proxy in front of a Talon.One deployment (or a served fake).

::

    with ValidatingProxy("https://mycompany.europe-west1.talon.one", record="sandbox.jsonl") as proxy:
        ...  # point the client under test at proxy.base_url

Every request goes upstream unchanged (method, path, query, headers but the hop-by-hop ones, body)
and its answer comes back unchanged (status, headers, body as sent, compressed or not). On the
way, the request and the answer are checked against the contracts of their route and status
(:func:`talon_fakes.contracts.traffic.check_exchange`), one line a exchange says the verdict, and the
exchange is appended to the recording as one JSON Line that ``talon-fakes check --exchanges``
reads. The recording redacts credentials (``Authorization``, cookies, API key headers) and keeps
bodies decoded. Upstream calls go through urllib3, with no retries and no redirects followed: the
client sees what the deployment answered.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self, TextIO
from urllib.parse import urlsplit

import orjson
import urllib3
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from talon_fakes import api
from talon_fakes.contracts.exchanges import RECORDING_FORMAT, Exchange, body_fields, decoded
from talon_fakes.contracts.traffic import Verdict, check_exchange

#: Headers that belong to one connection, not to the message (RFC 9110 section 7.6.1): never
#: forwarded. Host is set by urllib3 from the upstream URL; an Expect: 100-continue was answered
#: by this hop already (the body is in hand).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "expect",
    }
)

#: Headers whose values are secrets: the recording keeps only their scheme (``ApiKey-v1``).
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
REDACTED = "[redacted]"

_TIMEOUT = urllib3.Timeout(connect=10.0, read=120.0)


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's handler without its access log (the proxy prints its own line per exchange) and
    without its own ``Server`` and ``Date`` headers: the upstream's are forwarded, not doubled."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self.send_response_only(code, message)


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with every secret value replaced; an ``Authorization`` keeps its scheme."""
    out = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme, space, _ = value.partition(" ")
            value = f"{scheme} {REDACTED}" if space and name.lower().endswith("authorization") else REDACTED
        out[name] = value
    return out


class ValidatingProxy:
    """Forwards to ``upstream``, checks every exchange, prints its verdict and records it.

    ``out`` gets one line a exchange (``None``: nothing printed); ``record`` is a path (truncated
    when the proxy starts) or an open text stream the JSON Lines go to; ``strict`` fails unknown
    fields. ``verdicts`` counts the verdicts by word (``ok``, ``drift``, ``broken``, ``unchecked``).
    """

    def __init__(
        self,
        upstream: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        record: str | Path | IO[str] | None = None,
        strict: bool = False,
        out: TextIO | None = None,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"the upstream must be an http:// or https:// URL with a host, e.g. "
                f"https://mycompany.europe-west1.talon.one; got {upstream!r}"
            )
        if parts.path.strip("/") or parts.query or parts.fragment:
            # Exchanges are checked and recorded by their path, which must be the API's (/v2/...).
            raise ValueError(
                f"the upstream is a deployment's base URL, without a path or query "
                f"(the API's paths start at /v1 and /v2); got {upstream!r}"
            )
        self.upstream = upstream.rstrip("/")
        self.host, self.port, self.strict, self.out = host, port, strict, out
        self.verdicts: Counter[str] = Counter()
        self._record_target = record
        self._record: IO[str] | None = None
        self._owns_record = False
        self._pool = urllib3.PoolManager(retries=False, timeout=_TIMEOUT)
        self._lock = threading.Lock()
        self._count = 0
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, where clients send their requests (once started)."""
        if self._server is None:
            raise RuntimeError("the proxy is not started; call start() or use it as a context manager")
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        return f"http://{host}:{self._server.server_address[1]}"

    def start(self) -> None:
        """Listen (an ``OSError`` if the port is taken) and serve in a background thread."""
        if isinstance(self._record_target, str | Path):
            self._record = Path(self._record_target).open("w", encoding="utf-8")  # noqa: SIM115
            self._owns_record = True
        elif self._record_target is not None:
            self._record = self._record_target
        try:
            # Bound here, not by werkzeug, which prints a failure to bind and calls sys.exit(1):
            # the caller gets the OSError (a port in use, an unknown host) to report its own way.
            with socket.create_server((self.host, self.port)) as listening:
                self._server = make_server(
                    self.host,
                    self.port,
                    self.wsgi,
                    threaded=True,
                    request_handler=_QuietHandler,
                    fd=listening.fileno(),  # werkzeug serves a duplicate of it
                )
        except BaseException:
            self._close_record()
            raise
        serve = self._server.serve_forever
        self._thread = threading.Thread(target=serve, name="talon-fakes proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close upstream connections and the recording."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._pool.clear()
        self._close_record()

    def _close_record(self) -> None:
        if self._record is not None:
            if self._owns_record:
                self._record.close()
            else:
                self._record.flush()
        self._record, self._owns_record = None, False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one exchange -------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The proxy as a WSGI app: forward, answer, then check and record."""
        request = Request(environ)
        body = request.get_data(cache=False)
        # The path as the client wrote it (percent-encoding kept), query string included.
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        url = self.upstream + target
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            upstream = self._pool.request(
                request.method,
                url,
                body=body or None,
                headers=headers,
                redirect=False,
                preload_content=False,
                decode_content=False,
            )
            raw = upstream.read(decode_content=False)
            upstream.release_conn()
            status = upstream.status
            answer_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP]
        except urllib3.exceptions.HTTPError as error:
            # Nothing came back: say so in Talon.One's error shape, and do not record a made-up answer.
            message = f"talon-fakes proxy: the upstream {self.upstream} did not answer: {error}"
            self._say(f"{request.method} {request.path} -> no answer from upstream: {error}")
            payload = orjson.dumps(api.error_with_status(message, 502, title="bad gateway"))
            return Response(payload, status=502, mimetype="application/json")(environ, start_response)
        response = Response(raw, status=status)
        response.headers.clear()
        response.headers.extend(answer_headers)
        self._observe(request.method, url, headers, body, status, dict(answer_headers), raw)
        return response(environ, start_response)

    def _observe(
        self,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: bytes,
        status: int,
        response_headers: Mapping[str, str],
        raw: bytes,
    ) -> None:
        lower_request = {k.lower(): v for k, v in request_headers.items()}
        lower_response = {k.lower(): v for k, v in response_headers.items()}
        with self._lock:
            self._count += 1
            number = self._count
        try:
            answer = decoded(raw, lower_response)
        except ValueError:  # an encoding we cannot undo: check and record what we have
            answer = raw
        exchange = Exchange(
            "proxy", number, method, url, status, request_body or None, answer, lower_request, lower_response
        )
        verdict = check_exchange(exchange, strict=self.strict)
        with self._lock:
            self.verdicts[verdict.word] += 1
            if self._record is not None:
                self._record.write(_record_line(exchange, request_headers, response_headers, verdict) + "\n")
                self._record.flush()
        self._say(_verdict_line(verdict))

    def _say(self, line: str) -> None:
        if self.out is not None:
            with self._lock:
                print(line, file=self.out, flush=True)


def _verdict_line(verdict: Verdict) -> str:
    """``#3 PUT /v2/customer_sessions/s1 -> 200 (update_customer_session): broken: answer ...``."""
    exchange = verdict.exchange
    name = "no operation" if verdict.operation is None else verdict.operation.name
    line = f"#{exchange.index} {exchange.describe()} ({name}): {verdict.word}"
    problems = [f for f in verdict.findings if f.violation.is_error] or verdict.findings
    if problems:
        line += f": {problems[0]}"
        if len(problems) > 1:
            line += f" (+{len(problems) - 1} more)"
    elif verdict.unchecked:
        line += f": {verdict.unchecked}"
    return line


def _record_line(
    exchange: Exchange,
    request_headers: Mapping[str, str],
    response_headers: Mapping[str, str],
    verdict: Verdict,
) -> str:
    # Bodies are kept decoded, so the encoding headers that described the wire form go.
    drop = ("content-encoding", "content-length")
    record = {
        "format": RECORDING_FORMAT,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request": {
            "method": exchange.method,
            "url": exchange.url,
            "headers": redact(_without(request_headers, drop)),
            **body_fields(exchange.request_body),
        },
        "response": {
            "status": exchange.status,
            "headers": redact(_without(response_headers, drop)),
            **body_fields(exchange.response_body),
        },
        "verdict": verdict.word,
    }
    return orjson.dumps(record).decode()


def _without(headers: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    skip = set(names)
    return {k: v for k, v in headers.items() if k.lower() not in skip}
