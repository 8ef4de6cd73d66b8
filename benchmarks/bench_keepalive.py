"""A PUT over a kept-alive connection: the fake against a static stub and against the server's limit.

Run ``python -m benchmarks.bench_keepalive``. For each client, ``requests.Session`` and urllib3's
``PoolManager`` (the official SDKs' own client), it times one ``PUT`` of an update to the same
session, against:

- **the fake** (``TalonFake``: its keep-alive server, :mod:`talon_fakes.fake.web.httpserver`);
- **the stub**: pytest-httpserver answering the fake's own response bytes statically
  (``respond_with_data``); werkzeug's server closes the connection after every answer, as the
  fake's did. Target: the fake at most 0.5x the stub's time per request;
- **the limit**: a minimal WSGI hello-world answering the same bytes on the fake's server stack,
  what the fake would cost if its app took no time.

It also times a GET of the same session through urllib3 against the stub (the app's own work is
small there, so it shows what keep-alive saves).

The batches of every figure take turns in the same rounds (``bench_fake.interleaved``), so load on
a shared machine weighs on both sides of each ratio alike. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import Any

import orjson
import requests
import urllib3
from pytest_httpserver import HTTPServer

from benchmarks.bench_fake import BODY, SESSION, interleaved
from talon_fakes.fake.server import TalonFake
from talon_fakes.fake.web.httpserver import KeepAliveServer, Limits


def hello_world(payload: bytes) -> Callable[[dict[str, Any], Any], list[bytes]]:
    """A minimal WSGI app: the same answer to every request, its body left unread."""
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", headers)
        return [payload]

    return app


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="timed requests per batch")
    parser.add_argument("--rounds", type=int, default=7, help="batches per figure (the best is kept)")
    args = parser.parse_args(argv)
    print(
        f"talon-fakes keep-alive, requests {requests.__version__}, urllib3 {urllib3.__version__}, "
        f"Python {sys.version.split()[0]}"
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the stub logs every request
    body = orjson.dumps(BODY)
    with TalonFake() as fake, HTTPServer(threaded=True) as stub:
        headers = fake.integration_headers | {"Content-Type": "application/json"}
        answer = requests.put(fake.url(SESSION), data=body, headers=headers, timeout=30).content
        got = requests.get(fake.url(SESSION), headers=headers, timeout=30).content
        stub.expect_request(SESSION, method="PUT").respond_with_data(answer, content_type="application/json")
        stub.expect_request(SESSION, method="GET").respond_with_data(got, content_type="application/json")
        limit = KeepAliveServer(hello_world(answer), "127.0.0.1", 0, Limits(), print)
        limit.start()
        try:
            urls = {
                "fake": fake.url(SESSION),
                "stub": stub.url_for(SESSION),
                "limit": f"http://127.0.0.1:{limit.port}{SESSION}",
            }
            calls: dict[str, tuple[Callable[[], object], int]] = {}
            for target, url in urls.items():
                session, pool = requests.Session(), urllib3.PoolManager()
                calls[f"requests {target}"] = (
                    lambda s=session, u=url: s.put(u, data=body, headers=headers, timeout=30),
                    args.count,
                )
                calls[f"urllib3 {target}"] = (
                    lambda p=pool, u=url: p.request("PUT", u, body=body, headers=headers, timeout=30),
                    args.count,
                )
                if target != "limit":  # a GET, where the app's own work is small
                    calls[f"GET {target}"] = (
                        lambda p=pool, u=url: p.request("GET", u, headers=headers),
                        args.count,
                    )
            t = interleaved(calls, rounds=args.rounds)
        finally:
            limit.stop()
    print("PUT over one client, time per request (best batch)   fake/stub (target <= 0.5)   fake/limit")
    for client in ("requests", "urllib3"):
        fake_t, stub_t, limit_t = (t[f"{client} {target}"] for target in ("fake", "stub", "limit"))
        print(
            f"   {client:9} fake {fake_t * 1e6:6.0f} us   stub {stub_t * 1e6:6.0f} us   "
            f"limit {limit_t * 1e6:6.0f} us   {fake_t / stub_t:5.2f}   {fake_t / limit_t:5.2f}"
        )
    fake_t, stub_t = t["GET fake"], t["GET stub"]
    print(
        f"GET, urllib3: fake {fake_t * 1e6:6.0f} us   stub {stub_t * 1e6:6.0f} us   "
        f"fake/stub {fake_t / stub_t:5.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
