"""The fake over HTTP with concurrent clients: no lost updates, 409 where the spec declares it.

The spec declares 409 on the PUT alone ("parallel requests lead to 409"); returns and reopen of
one session wait for each other instead. Every response goes through the ``client`` fixture,
which checks its body against its contract in strict mode.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import requests
from fake_helpers import CLOSED, RETURNED, SHOES, SOCKS, closed, lines, session_of, source, update_in_thread

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake


def in_thread(client: Client, call: str, *args: Any) -> requests.Response:
    """``client.<call>(*args)`` from a client of its own (for another thread)."""
    worker = client.spawn()
    try:
        response: requests.Response = getattr(worker, call)(*args)
        return response
    finally:
        worker.close()


def test_a_second_update_while_one_is_in_flight_is_a_409(client: Client, fake: TalonFake) -> None:
    client.update("busy", {"cartItems": [SHOES]})
    fake.inject_fault(delay=0.5, operation="update_customer_session")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(update_in_thread, client, "busy", {"cartItems": [SOCKS]})
        # The first update is now held for another 0.3 s; on a loaded machine the second may
        # reach the session first instead, and then the first is the one refused.
        time.sleep(0.2)
        second = client.update("busy", {"cartItems": [SHOES, SOCKS]})
        first_answer = first.result()
    statuses = sorted([first_answer.status_code, second.status_code])
    assert statuses == [200, 409], "one update is applied, the overlapping one refused"
    applied, refused = (first_answer, second) if first_answer.status_code == 200 else (second, first_answer)
    assert refused.json()["message"] == "Too many requests are updating this session at the same time"
    assert refused.json()["StatusCode"] == 409
    assert session_of(applied)["updateCount"] == 2
    assert client.stored("busy")["customerSession"] == session_of(applied)


def test_parallel_updates_of_different_sessions_lose_nothing(client: Client, fake: TalonFake) -> None:
    threads, updates = 8, 25

    def work(index: int) -> list[int]:
        worker = client.spawn()
        try:
            return [worker.update(f"t{index}", {"attributes": {"n": n}}).status_code for n in range(updates)]
        finally:
            worker.close()

    with ThreadPoolExecutor(threads) as pool:
        running = [pool.submit(work, index) for index in range(threads)]
        mine = [client.update("main", {"attributes": {"n": n}}).status_code for n in range(updates)]
        statuses = [status for future in running for status in future.result()]
    assert set(statuses) == set(mine) == {200}
    for session_id in [f"t{index}" for index in range(threads)] + ["main"]:
        assert client.stored(session_id)["customerSession"]["updateCount"] == updates
    assert len(client.list_sessions().json()["data"]) == threads + 1
    counts = [s.update_count for s in fake.sessions()]
    assert sum(counts) == (threads + 1) * updates
    assert len([e for e in fake.journal if e.method == "PUT"]) == (threads + 1) * updates


def test_parallel_updates_of_one_session_are_each_applied_or_refused(client: Client) -> None:
    client.update("hot", {})
    barrier = threading.Barrier(8)

    def work(index: int) -> list[int]:
        worker = client.spawn()
        try:
            barrier.wait()
            return [worker.update("hot", {"attributes": {"by": index}}).status_code for _ in range(10)]
        finally:
            worker.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = [
            status for future in [pool.submit(work, i) for i in range(8)] for status in future.result()
        ]
    assert set(statuses) <= {200, 409}
    assert client.stored("hot")["customerSession"]["updateCount"] == 1 + statuses.count(200)


def test_a_return_while_another_is_in_flight_waits_for_it(client: Client, fake: TalonFake) -> None:
    closed(client, "queue", SHOES)
    fake.inject_fault(delay=0.4, operation="return_cart_items")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(in_thread, client, "return_items", "queue", [{"position": 0, "quantity": 1}])
        time.sleep(0.1)  # the first return now holds the session for another 0.3 s
        second = client.return_items("queue", [{"position": 0, "quantity": 2}])
        first_answer = first.result()
    assert (first_answer.status_code, second.status_code) == (200, 200), second.text
    stored = client.stored("queue")["customerSession"]
    assert (lines(stored), stored["updateCount"]) == ([("SHOE-1", 3, 0)], 3)
    assert len(fake.session("queue").returns) == 2


def test_a_reopen_while_another_is_in_flight_waits_and_answers_from_the_new_state(
    client: Client, fake: TalonFake
) -> None:
    closed(client, "twice", SHOES)
    fake.inject_fault(delay=0.4, operation="reopen_customer_session")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(in_thread, client, "reopen", "twice")
        time.sleep(0.1)
        second = client.reopen("twice")
        first_answer = first.result()
    statuses = sorted([first_answer.status_code, second.status_code])
    assert statuses == [200, 400], "one reopen moves the session; the other finds it open, not a 409"
    refused = second if second.status_code == 400 else first_answer
    assert source(refused) == {"parameter": "customerSessionId"}
    assert client.stored("twice")["customerSession"]["updateCount"] == 2


def test_parallel_returns_of_one_session_lose_no_unit(client: Client, fake: TalonFake) -> None:
    closed(client, "bolts", {"sku": "BOLT", "quantity": 40, "price": 1.0})
    barrier = threading.Barrier(8)

    def work(index: int) -> list[int]:
        worker = client.spawn()
        try:
            barrier.wait()
            return [
                worker.return_items("bolts", [{"position": 0, "quantity": 1}]).status_code for _ in range(5)
            ]
        finally:
            worker.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = [
            status for future in [pool.submit(work, i) for i in range(8)] for status in future.result()
        ]
    assert statuses == [200] * 40
    stored = client.stored("bolts")["customerSession"]
    assert (lines(stored), stored["updateCount"], stored["total"]) == ([("BOLT", 40, 0)], 41, 0.0)
    assert len({r.id for r in fake.session("bolts").returns}) == 40
    moves = fake.transitions()
    assert sum(count for move, count in moves.items() if move.target is RETURNED) == 40
    assert [move.source for move in moves if move.target is RETURNED].count(CLOSED) == 1
