"""Memory follows what the fake stores, not its traffic (issue 13, point 2).

The journal is bounded in bytes, keeps copies of what a user reads (never the request or its
WSGI environ), and ``reset()`` frees it at once; a body past the size limit is a 413 in Talon.One's
shape and is never kept; an Idempotency-Key answer past its 24 hours is dropped. Memory is checked
with ``gc`` and ``tracemalloc`` (objects and bytes), never with timing.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

import talon_fakes
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.server import TalonFake
from talon_fakes.fake.web.journal import Limits

_SESSIONS = "/v2/customer_sessions/"


def _body(size: int) -> dict[str, Any]:
    """An update whose JSON is about ``size`` bytes (the padding is a session attribute)."""
    return {
        "customerSession": {"profileId": "p1", "attributes": {"note": "x" * size}},
        "responseContent": ["customerSession"],
    }


def _put(fake: TalonFake, session_id: str, body: Any, **kwargs: Any) -> requests.Response:
    return requests.put(
        fake.url(_SESSIONS + session_id), json=body, headers=fake.integration_headers, timeout=30, **kwargs
    )


@pytest.fixture
def no_gc() -> Iterator[None]:
    """Automatic garbage collection off: only reference counting frees memory meanwhile."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _reachable(root: object, limit: int = 10_000) -> list[object]:
    """Every object ``root`` refers to, directly or not (at most ``limit`` of them)."""
    seen, todo, found = {id(root)}, [root], []
    while todo and len(found) < limit:
        for child in gc.get_referents(todo.pop()):
            if id(child) not in seen and not isinstance(child, type):
                seen.add(id(child))
                found.append(child)
                todo.append(child)
    return found


def test_an_entry_holds_neither_the_request_nor_its_environ(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    _put(fake, "s1", _body(10))
    requests.get(fake.url(_SESSIONS + "s1?x=1"), headers=fake.integration_headers, timeout=10)
    for entry in fake.journal:
        held = _reachable(entry)
        assert not [o for o in held if isinstance(o, dict) and "wsgi.input" in o], entry
        assert not [o for o in held if type(o).__module__.startswith(("werkzeug", "socket"))], entry
    put, get = fake.journal
    assert (put.method, put.path, put.status, put.operation) == (
        "PUT",
        "/v2/customer_sessions/s1",
        200,
        "update_customer_session",
    )
    assert put.body["customerSession"]["profileId"] == "p1"
    assert put.response["customerSession"]["integrationId"] == "s1"
    assert get.query == {"x": ["1"]}
    assert get.headers["Authorization"] == fake.integration_headers["Authorization"]
    assert put.at <= get.at
    assert put.duration >= 0


def test_the_socket_server_leaves_no_reference_cycle(no_gc: None) -> None:
    with TalonFake() as fake:
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for index in range(20):
                _put(fake, f"s{index}", _body(1000))
                requests.get(fake.url(_SESSIONS + "nope"), timeout=10)  # a 401, journaled too
            fake.reset()
            gc.collect()
            kinds = {type(o).__name__ for o in gc.garbage}
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    assert not kinds & {"Request", "JournalEntry", "Call", "EnvironHeaders", "LimitedStream"}, kinds


def test_reset_gives_the_memory_back(no_gc: None) -> None:
    with TalonFake() as fake:
        _put(fake, "warm-up", _body(10))
        fake.reset()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for index in range(40):
                _put(fake, f"s{index}", _body(100_000))
            during = tracemalloc.get_traced_memory()[0]
            fake.reset()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    assert during - before > 8_000_000  # 40 stored sessions of 100 kB and their journal entries
    # Within 5% of what 40 requests took (what is left: the client's pools, interned strings).
    assert after - before < (during - before) / 20, (before, during, after)


def test_the_journal_is_bounded_in_bytes_and_cuts_long_bodies(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    fake.app.limits = Limits(journal_bytes=100_000, journal_body_bytes=2_000)
    for index in range(40):
        assert _put(fake, f"s{index}", _body(10_000)).status_code == 200
    kept = fake.journal
    assert 0 < len(kept) < 40
    assert fake.app.journal.bytes <= 100_000
    assert [entry.seq for entry in kept] == list(range(40 - len(kept), 40))  # the latest, numbered
    last = kept[-1]
    assert len(last.body_bytes) == 2_000
    assert last.body_size > 10_000
    assert last.body_truncated
    assert len(last.response_bytes) == 2_000
    assert last.response_size > 10_000
    assert last.response_truncated
    assert isinstance(last.body, str)
    assert last.body.startswith('{"customerSession"')
    fake.reset()
    assert fake.journal == []
    assert fake.app.journal.bytes == 0


def test_a_body_past_the_limit_is_a_413_in_talons_shape(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    fake.app.limits = Limits(max_body_bytes=50_000)
    answer = _put(fake, "big", _body(60_000))
    assert answer.status_code == 413, answer.text
    assert talon_fakes.validate(answer.json(), "error-response-with-status", strict=True) == []
    assert answer.json()["StatusCode"] == 413
    assert "50000 bytes" in answer.json()["message"]
    assert fake.sessions() == []
    entry = fake.journal[-1]
    assert (entry.status, entry.operation, entry.body_size) == (
        413,
        "update_customer_session",
        answer.request.headers and int(answer.request.headers["Content-Length"]),
    )
    assert len(entry.body_bytes) <= fake.app.limits.journal_body_bytes
    assert _put(fake, "small", _body(40_000)).status_code == 200  # under the limit: as before


def test_a_chunked_body_past_the_limit_is_a_413_over_the_socket() -> None:
    with TalonFake(body_limits=Limits(max_body_bytes=50_000)) as fake:
        chunks = iter([b'{"customerSession": {"attributes": {"note": "', b"x" * 60_000, b'"}}}'])
        answer = requests.put(
            fake.url(_SESSIONS + "big"), data=chunks, headers=fake.integration_headers, timeout=30
        )
        assert answer.status_code == 413, answer.text
        assert answer.json()["StatusCode"] == 413
        assert fake.sessions() == []


def test_the_default_limit_takes_a_full_cart_of_a_thousand_items(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    item = {"sku": "SKU", "quantity": 1, "price": 1.5, "name": "n" * 200, "attributes": {"a": "v" * 500}}
    body = {"customerSession": {"cartItems": [item] * 1000}, "responseContent": []}
    assert _put(fake, "full", body).status_code == 200
    assert Limits().max_body_bytes >= 16 * 1024 * 1024


@pytest.mark.parametrize(
    "options",
    [{"max_body_bytes": 0}, {"journal_bytes": -1}, {"journal_body_bytes": 1.5}, {"max_body_bytes": True}],
)
def test_limits_refuse_what_is_no_size(options: dict[str, Any]) -> None:
    with pytest.raises(TalonFakesError, match=f"Limits\\({next(iter(options))}="):
        Limits(**options)


def test_an_expired_idempotency_answer_is_dropped(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    fake.clock.set("2030-01-01T00:00:00Z")
    for name in ("a", "b"):
        fake.seed_session(name, "closed", cart_items=[{"sku": "A", "quantity": 5, "price": 1.0}])
    headers = dict(fake.integration_headers)

    def give_back(session_id: str, key: str) -> int:
        body = {"return": {"returnedCartItems": [{"position": 0, "quantity": 1}]}}
        url = fake.url(_SESSIONS + session_id + "/returns")
        return requests.post(
            url, json=body, headers={**headers, "Idempotency-Key": key}, timeout=10
        ).status_code

    assert give_back("a", "k1") == 200
    assert len(fake.app._replies) == 1
    fake.clock.advance(timedelta(hours=25))
    assert give_back("b", "k2") == 200
    assert len(fake.app._replies) == 1  # k1's answer, 25 hours old, is gone
