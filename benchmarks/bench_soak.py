"""Memory under a long run: the fake's resident set after much traffic, after ``reset()``, per session.

Run ``python -m benchmarks.bench_soak`` (``--requests 200000`` by default; ``--socket 5000``
requests over HTTP too). It prints, for one process (Linux: RSS read from ``/proc/self/statm``):

1. a fresh fake's RSS (after a short warm-up that imports and runs every code path once): the
   baseline of every ratio;
2. the RSS after N mixed requests in-process over many sessions (updates that create, close and
   cancel them, returns, reopens, reads, the Management list, 404s, 401s, bodies refused at the
   size limit), the sessions stored, the journal's bytes;
3. the RSS after ``reset()`` and its ratio to the fresh fake's (target: at most 1.2);
4. the memory per stored session (tracemalloc, and RSS growth over 20 000 sessions);
5. steady state: repeated reads, then updates and reads, of one session, the RSS after each batch
   once the journal has filled its budget (target: growth near zero; an update adds a step to the
   session's history, which is state);
6. with ``--socket``: the same mix over HTTP (requests), the RSS after it and after ``reset()``.

In-process requests go through :func:`talon_fakes.fake.inprocess.call`, the in-process mode's own
entry, so the run measures the fake rather than an HTTP client. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import tracemalloc
from collections.abc import Callable

import orjson

from talon_fakes.fake.inprocess import call
from talon_fakes.fake.server import TalonFake
from talon_fakes.fake.web.journal import Limits

_PAGE = os.sysconf("SC_PAGE_SIZE")
MiB = 1024 * 1024


def rss() -> int:
    """This process's resident set, in bytes (after a full garbage collection)."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def _update(state: str, items: int) -> bytes:
    cart = [
        {"sku": f"SKU-{i}", "name": "Item", "quantity": 1 + i % 3, "price": 9.5 + i} for i in range(items)
    ]
    body = {"customerSession": {"profileId": "p-1", "state": state, "cartItems": cart}}
    return orjson.dumps(body | {"responseContent": ["customerSession"]})


Send = Callable[[str, str, bytes | None, dict[str, str]], int]


def in_process(fake: TalonFake) -> Send:
    """A sender that answers through the in-process mode's entry."""

    def send(method: str, path: str, body: bytes | None, headers: dict[str, str]) -> int:
        return call(fake.app, method, path, body, headers)[0]

    return send


def mixed(fake: TalonFake, send: Send, count: int, sessions: int, seed: int = 1) -> None:
    """``count`` requests of a realistic mix over ``sessions`` session IDs."""
    rng = random.Random(seed)
    key, management = fake.integration_headers, fake.management_headers
    opened, closed = _update("open", 3), _update("closed", 3)
    cancelled = _update("cancelled", 3)
    returned = orjson.dumps({"return": {"returnedCartItems": [{"position": 0, "quantity": 1}]}})
    too_big = b"{" + b" " * fake.app.limits.max_body_bytes + b"}"
    for index in range(count):
        session = f"/v2/customer_sessions/soak-{rng.randrange(sessions)}"
        roll = rng.random()
        if roll < 0.35:
            send("PUT", session, opened, key)
        elif roll < 0.5:
            send("GET", session, None, key)
        elif roll < 0.6:
            send("PUT", session, closed, key)
        elif roll < 0.7:
            send("POST", session + "/returns", returned, key | {"Idempotency-Key": f"k-{index}"})
        elif roll < 0.75:
            send("PUT", session, cancelled, key)
        elif roll < 0.8:
            send("PUT", session + "/reopen", None, key)
        elif roll < 0.85:
            send("GET", "/v1/applications/1/sessions?pageSize=20&sort=-created", None, management)
        elif roll < 0.9:
            send("GET", "/v2/customer_sessions/missing-" + str(index), None, key)
        elif roll < 0.95:
            send("PUT", session, opened, {"Authorization": "ApiKey-v1 wrong"})
        elif roll < 0.951:
            send("PUT", session, too_big, key)
        else:
            send("PUT", session, b'{"customerSession": ', key)  # malformed: a 400


def report(name: str, value: float, unit: str = "MiB") -> None:
    """One line of the report."""
    shown = value / MiB if unit == "MiB" else value
    print(f"  {name:<58} {shown:>10.1f} {unit}")


def main() -> None:
    """Run the soak and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000, help="mixed in-process requests")
    parser.add_argument("--sessions", type=int, default=5_000, help="session IDs they spread over")
    parser.add_argument("--socket", type=int, default=5_000, help="mixed requests over HTTP (0: none)")
    options = parser.parse_args()

    fake = TalonFake(body_limits=Limits(max_body_bytes=256 * 1024))  # bodies refused at the limit are cheap
    send = in_process(fake)
    mixed(fake, send, 2_000, 50)  # warm-up: every path imported and run once
    fake.reset()
    fresh = rss()
    print(
        f"fresh fake (after warm-up): RSS {fresh / MiB:.1f} MiB; "
        f"journal budget {Limits().journal_bytes / MiB:.0f} MiB"
    )

    mixed(fake, send, options.requests, options.sessions)
    after = rss()
    print(f"\n{options.requests} mixed requests in-process over {options.sessions} session IDs:")
    report("RSS", after)
    report("stored sessions", len(fake.sessions()), "")
    report("journal entries kept", len(fake.journal), "")
    report("journal bytes (its estimate)", fake.app.journal.bytes)
    report("Idempotency-Key answers kept", len(fake.app._replies), "")
    fake.reset()
    cleared = rss()
    report("RSS after reset()", cleared)
    print(f"  ratio RSS after reset() / fresh: {cleared / fresh:.3f} (target: at most 1.2)")

    print("\nper stored session (20 000 sessions of 3 cart items, created by PUT):")
    body = _update("open", 3)
    before_rss = rss()
    tracemalloc.start()
    traced = tracemalloc.get_traced_memory()[0]
    journal_before = fake.app.journal.bytes
    for index in range(20_000):
        send("PUT", f"/v2/customer_sessions/each-{index}", body, fake.integration_headers)
    stored = tracemalloc.get_traced_memory()[0] - traced - (fake.app.journal.bytes - journal_before)
    tracemalloc.stop()
    grown = rss() - before_rss
    report("tracemalloc bytes per session (journal excluded)", stored / 20_000, "B")
    report("RSS growth per session (journal included)", grown / 20_000, "B")
    fake.reset()

    for name, update in (("GET", False), ("PUT and GET", True)):
        print(f"\nsteady state: {name} on one session, RSS after each batch of 25 000 requests:")
        send("PUT", "/v2/customer_sessions/one", body, fake.integration_headers)
        levels = []
        for batch in range(8):
            for _ in range(12_500):
                send("PUT" if update else "GET", "/v2/customer_sessions/one", body if update else None,
                     fake.integration_headers)  # fmt: skip
                send("GET", "/v2/customer_sessions/one", None, fake.integration_headers)
            levels.append(rss())
            full = fake.app.journal.bytes >= Limits().journal_bytes * 0.95
            print(f"  after {(batch + 1) * 25_000:>7}: RSS {levels[-1] / MiB:7.1f} MiB; journal full: {full}")
        steps = len(fake.session("one").history)
        print(f"  growth over the last 100 000 requests: {(levels[-1] - levels[3]) / MiB:+.1f} MiB "
              f"(the session's history: {steps} steps, state that grows with each update)")  # fmt: skip
        fake.reset()
        report("RSS after reset()", rss())

    if options.socket:
        import requests

        with fake, requests.Session() as http:

            def over_http(method: str, path: str, body: bytes | None, headers: dict[str, str]) -> int:
                return http.request(
                    method, fake.url(path), data=body, headers=headers, timeout=30
                ).status_code

            mixed(fake, over_http, options.socket, 200)
            print(f"\n{options.socket} mixed requests over HTTP (one requests.Session):")
            report("RSS", rss())
            fake.reset()
            report("RSS after reset()", rss())
            print(f"  ratio RSS after reset() / fresh: {rss() / fresh:.3f}")


if __name__ == "__main__":
    main()
