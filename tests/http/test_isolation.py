"""A request still running when its test ends never reaches the next test (issue 13, point 7).

A client that times out during an injected delay leaves its request running in the fake (as a
real server would carry it out). If the fake is reset meanwhile (the test ended), the request
stores nothing, is answered 503 in Talon.One's error shape, and its journal entry says ``late``.
Each test runs in-process and on a socket.
"""

from __future__ import annotations

import time

import pytest
import requests

import talon_fakes
from talon_fakes.fake.server import TalonFake

_BODY = {"customerSession": {"profileId": "p1", "cartItems": [{"sku": "A", "quantity": 1, "price": 2.0}]}}


def _wait_for_journal(fake: TalonFake, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(fake.journal) < count and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("PUT", "/v2/customer_sessions/slow", "update_customer_session"),
        ("PUT", "/v2/customer_sessions/slow/reopen", "reopen_customer_session"),
        ("POST", "/v2/customer_sessions/slow/returns", "return_cart_items"),
    ],
)
def test_a_request_that_outlives_its_test_stores_nothing(
    fake_in_each_mode: TalonFake, method: str, path: str, operation: str
) -> None:
    fake = fake_in_each_mode
    if operation != "update_customer_session":  # a session the slow request would change
        state = "cancelled" if operation == "reopen_customer_session" else "closed"
        fake.seed_session("slow", state, cart_items=_BODY["customerSession"]["cartItems"])
    body = {"return": {"returnedCartItems": [{"position": 0}]}} if method == "POST" else _BODY
    fake.inject_fault(delay=0.5, operation=operation)
    with pytest.raises(requests.ReadTimeout):
        requests.request(method, fake.url(path), json=body, headers=fake.integration_headers, timeout=0.1)
    fake.reset()  # the test ends: the next one begins with a fresh fake
    _wait_for_journal(fake, 1)
    assert fake.sessions() == []  # neither created nor changed in the next test's fake
    assert fake.transitions() == {}
    (entry,) = fake.journal
    assert (entry.status, entry.operation, entry.late) == (503, operation, True)
    assert talon_fakes.validate(entry.response, "error-response-with-status", strict=True) == []
    assert "reset while this request ran" in entry.response["message"]
    fresh = requests.put(
        fake.url("/v2/customer_sessions/next"), json=_BODY, headers=fake.integration_headers, timeout=10
    )
    assert fresh.status_code == 200  # the next test's own requests are served as usual
    assert not fake.journal[-1].late


def test_a_read_that_outlives_its_test_is_answered_503(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    fake.seed_session("s1")
    fake.inject_fault(delay=0.5, operation="get_customer_session")
    with pytest.raises(requests.ReadTimeout):
        requests.get(fake.url("/v2/customer_sessions/s1"), headers=fake.integration_headers, timeout=0.1)
    fake.reset()
    fake.seed_session("s1")  # the next test's own session of the same name
    _wait_for_journal(fake, 1)
    assert [(e.status, e.late) for e in fake.journal] == [(503, True)]


def test_a_request_within_its_test_is_not_late(fake_in_each_mode: TalonFake) -> None:
    fake = fake_in_each_mode
    fake.inject_fault(delay=0.2, operation="update_customer_session")
    answer = requests.put(
        fake.url("/v2/customer_sessions/s"), json=_BODY, headers=fake.integration_headers, timeout=10
    )
    assert answer.status_code == 200
    assert [(e.status, e.late) for e in fake.journal] == [(200, False)]
