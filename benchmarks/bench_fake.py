"""What the fake costs per request, measured in one run with one client (urllib3, the SDKs' own).

Run ``python -m benchmarks.bench_fake``. It prints:

1. the fake's GET and PUT against pytest-httpserver answering the same body statically (target:
   at most 1.3 times);
2. the in-process mode against the same fake over HTTP (target: at least 10 times faster), through
   ``PoolManager.request`` (the SDKs' entry) and through a connection pool (``requests``' entry);
3. the Management list with filters over 100 000 stored sessions: time per request, and the
   memory the store takes (tracemalloc).

Each figure is the best of seven timed batches after a warm-up, the batches of all the figures
of 1 and 2 taking turns in the same rounds (so load on a shared machine hits both sides of every
ratio alike); it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
import tracemalloc
from collections.abc import Callable

import orjson
import urllib3
from pytest_httpserver import HTTPServer

from talon_fakes.fake.domain.changes import SessionUpdate
from talon_fakes.fake.domain.model import CartItem
from talon_fakes.fake.server import TalonFake
from talon_fakes.states import State

SESSION = "/v2/customer_sessions/bench-1"
BODY = {
    "customerSession": {
        "profileId": "customer-1",
        "couponCodes": ["WINTER-10"],
        "cartItems": [
            {"sku": "SHOE-42", "name": "Trail shoe", "quantity": 2, "price": 89.95},
            {"sku": "SOCK-3P", "name": "Socks", "quantity": 1, "price": 12.5},
        ],
        "additionalCosts": {"shipping": {"price": 4.9}},
    },
    "responseContent": ["customerSession"],
}


def per_call(call: Callable[[], object], count: int) -> float:
    """Best-of-three seconds per call."""
    return interleaved({"call": (call, count)}, rounds=3)["call"]


def interleaved(calls: dict[str, tuple[Callable[[], object], int]], rounds: int = 7) -> dict[str, float]:
    """Best seconds per call of each of ``calls`` (a call and its batch size), timed in turns.

    The batches take turns (and swap order every round), so a load that comes and goes on a shared
    machine weighs on every figure alike instead of on whichever was measured at the wrong time.
    """
    for call, count in calls.values():
        for _ in range(min(100, count)):
            call()
    best = dict.fromkeys(calls, float("inf"))
    names = list(calls)
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            call, count = calls[name]
            gc.collect()
            start = time.perf_counter()
            for _ in range(count):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / count)
    return best


def http_costs(count: int) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the stub logs every request
    pool = urllib3.PoolManager()
    with TalonFake() as fake, HTTPServer(threaded=True) as static:
        url = fake.url(SESSION)  # over HTTP; inside in_process() fake.url() names the in-process base
        headers = fake.integration_headers | {"Content-Type": "application/json"}
        body = orjson.dumps(BODY)
        pool.request("PUT", url, body=body, headers=headers)
        get_response = pool.request("GET", url, headers=headers).data
        put_response = pool.request("PUT", url, body=body, headers=headers).data
        static.expect_request(SESSION, method="GET").respond_with_data(
            get_response, content_type="application/json"
        )
        static.expect_request(SESSION, method="PUT").respond_with_data(
            put_response, content_type="application/json"
        )
        static_url = static.url_for(SESSION)
        with fake.in_process() as base:
            # Every figure is timed in the same rounds, the in-process ones with in-process
            # interception on (the HTTP ones go to another origin, which urllib3 sends as usual).
            # The connection pool's entry is the one requests takes (PoolManager, the SDKs' entry,
            # is answered before urllib3 parses the URL and looks up the pool).
            conn = pool.connection_from_url(base)
            local = count * 4  # a batch of about the same length as an HTTP one
            calls: dict[str, tuple[Callable[[], object], int]] = {
                "fake GET": (lambda: pool.request("GET", url, headers=headers), count),
                "static GET": (lambda: pool.request("GET", static_url, headers=headers), count),
                "fake PUT": (lambda: pool.request("PUT", url, body=body, headers=headers), count),
                "static PUT": (lambda: pool.request("PUT", static_url, body=body, headers=headers), count),
                "local GET": (lambda: pool.request("GET", base + SESSION, headers=headers), local),
                "local PUT": (lambda: pool.request("PUT", base + SESSION, body=body, headers=headers), local),
                "pooled GET": (lambda: conn.urlopen("GET", SESSION, headers=headers), local),
                "pooled PUT": (lambda: conn.urlopen("PUT", SESSION, body=body, headers=headers), local),
            }
            t = interleaved(calls)
    rows = [
        ("1. the fake against a static pytest-httpserver answer (target: at most 1.3x)", "fake", "static"),
        ("GET", t["fake GET"], t["static GET"]),
        ("PUT", t["fake PUT"], t["static PUT"]),
        (
            "2. in-process against HTTP, same fake, same client (target: at least 10x faster)",
            "HTTP",
            "in-process",
        ),
        ("GET", t["fake GET"], t["local GET"]),
        ("PUT", t["fake PUT"], t["local PUT"]),
        ("GET via the connection pool (requests' path)", t["fake GET"], t["pooled GET"]),
        ("PUT via the connection pool (requests' path)", t["fake PUT"], t["pooled PUT"]),
    ]
    for name, ours, theirs in rows:
        if isinstance(ours, str):
            print(name)
            labels = (ours, theirs)
        else:
            assert isinstance(theirs, float)
            print(f"   {name}  {labels[0]} {ours * 1e6:6.0f} us   {labels[1]} {theirs * 1e6:6.0f} us   "
                  f"ratio {ours / theirs:.2f}")  # fmt: skip


def management_list(stored: int, count: int) -> None:
    fake = TalonFake()
    states = list(State)
    items = (CartItem("SHOE-42", 1, 89.95), CartItem("SOCK-3P", 2, 12.5))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for index in range(stored):
        update = SessionUpdate(
            profile_id=f"customer-{index % 5000}",
            cart_items=items,
            coupon_codes=(f"CODE-{index % 997}",),
            store_integration_id=f"store-{index % 50}",
        )
        fake.backend.seed_session(1, f"order-{index:06d}", states[index % 4], update)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    queries = {
        "state": "state=closed&pageSize=50",
        "profile + state": "profile=customer-43&state=cancelled",
        "partial integrationId": "integrationId=ORDER-0999&partialMatch=true&pageSize=100",
        "coupon, sorted -created, skip": "coupon=CODE-7&sort=-created&skip=20&pageSize=20",
    }
    pool = urllib3.PoolManager()
    print(f"3. Management list over {stored:,} stored sessions (store: {used / 2**20:.0f} MiB, "
          f"{used / stored:.0f} bytes a session)")  # fmt: skip
    with fake:
        for name, query in queries.items():
            url = fake.url(f"/v1/applications/1/sessions?{query}")
            response = pool.request("GET", url, headers=fake.management_headers)
            found = len(orjson.loads(response.data)["data"])
            seconds = per_call(
                lambda url=url: pool.request("GET", url, headers=fake.management_headers), count
            )
            print(f"   {name:32} {seconds * 1e3:7.1f} ms a request  ({found} on the page)")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="timed requests per figure")
    parser.add_argument("--stored", type=int, default=100_000, help="sessions in the store for the list")
    args = parser.parse_args(argv)
    print(f"talon-fakes fake, urllib3 {urllib3.__version__}, Python {sys.version.split()[0]}")
    http_costs(args.count)
    management_list(args.stored, max(5, args.count // 50))
    return 0


if __name__ == "__main__":
    sys.exit(main())
