"""The fake over HTTP: test controls (faults, the effects hook) and concurrent clients.

Every response goes through the ``client`` fixture, which checks its body against its contract
in strict mode.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests
from fake_helpers import (
    CLOSED,
    OPEN,
    REOPEN,
    RETURN,
    RETURNED,
    SHOES,
    T0,
    UPDATE,
    closed,
    effect,
    session_of,
)

import talon_fakes
from talon_fakes import TalonFakesError, Transition
from talon_fakes.fake.domain.model import Clock
from talon_fakes.fake.server import TalonFake

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake

# -- test controls: faults and effects -------------------------------------------------------


def test_an_injected_status_answers_n_calls_of_one_operation_and_stores_nothing(
    client: Client, fake: TalonFake
) -> None:
    fake.inject_fault(status=503, times=2, operation="update_customer_session")
    for _ in range(2):
        response = client.update("flaky", {"cartItems": [SHOES]})
        assert (response.status_code, response.json()["StatusCode"]) == (503, 503)
        assert client.get("flaky").status_code == 404  # another operation: no fault
    assert session_of(client.update("flaky", {"cartItems": [SHOES]}))["updateCount"] == 1


def test_an_injected_fault_can_carry_its_own_body_and_is_cleared_by_reset(
    client: Client, fake: TalonFake
) -> None:
    fake.inject_fault(status=500, body={"message": "boom", "StatusCode": 500})
    response = client.get("any")
    assert (response.status_code, response.json()) == (500, {"message": "boom", "StatusCode": 500})
    fake.inject_fault(status=503, times=5)
    fake.reset()
    assert client.get("any").status_code == 404


def test_an_injected_body_may_be_any_json_and_its_answer_is_marked_in_the_journal(
    client: Client, fake: TalonFake
) -> None:
    fake.inject_fault(status=502, body="bad gateway", operation="get_customer_session")
    url = fake.url(client.path("any"))
    response = client.http.get(url, headers=fake.integration_headers)  # unchecked: the body is the test's
    assert (response.status_code, response.json()) == (502, "bad gateway")
    assert client.get("any").status_code == 404
    assert [(entry.status, entry.injected) for entry in fake.journal] == [(502, True), (404, False)]
    fake.check_errors()  # the fake itself did not fail


def test_an_injected_delay_slows_the_answer_but_not_its_outcome(client: Client, fake: TalonFake) -> None:
    fake.inject_fault(delay=0.3, operation="update_customer_session")
    start = time.monotonic()
    response = client.update("slow", {"cartItems": [SHOES]})
    assert time.monotonic() - start >= 0.3
    assert session_of(response)["updateCount"] == 1


def test_a_dropped_connection_raises_in_the_client_and_changes_nothing(
    client: Client, fake: TalonFake
) -> None:
    client.update("dropped", {"cartItems": [SHOES]})
    before = client.stored("dropped")
    fake.inject_fault(drop=True, operation="update_customer_session")
    with pytest.raises(requests.ConnectionError):
        client.update("dropped", {"state": "closed"})
    assert client.stored("dropped") == before
    assert session_of(client.update("dropped", {"state": "closed"}))["updateCount"] == 2


def test_the_effects_hook_puts_its_effects_into_every_answer(client: Client, fake: TalonFake) -> None:
    calls: list[tuple[str, str]] = []

    def hook(session: Any, operation: str) -> list[dict[str, Any]]:
        calls.append((session.integration_id, operation))
        return [effect(operation)]

    fake.effects(hook)
    closed(client, "fx", SHOES)
    closed(client, "fx-2", SHOES)
    answers = [
        client.update("fx", {"state": "cancelled"}),
        client.get("fx"),
        client.return_items("fx-2", [{"position": 0, "quantity": 1}]),
    ]
    closed(client, "fx-3", SHOES)
    answers.append(client.reopen("fx-3"))
    assert [a.json()["effects"] for a in answers] == [
        [effect("update")],
        [effect("get")],
        [effect("return")],
        [effect("reopen")],
    ]
    assert calls[-4:] == [("fx", "get"), ("fx-2", "return"), ("fx-3", "update"), ("fx-3", "reopen")]
    fake.effects(None)
    assert client.get("fx").json()["effects"] == []


@pytest.mark.parametrize(
    ("hook", "says"),
    [
        (
            lambda session: [],
            r"the effects hook <lambda>\(session\) cannot be called as hook\(session, operation\)",
        ),
        (lambda: [], r"<lambda>\(\) cannot be called as hook\(session, operation\)"),
        (lambda session, operation, rule: [], r"missing a required argument: 'rule'"),
        ("not a hook", r"must be a callable hook\(session, operation\).*not str"),
    ],
)
def test_a_hook_of_the_wrong_signature_is_refused_when_installed(
    client: Client, fake: TalonFake, hook: Any, says: str
) -> None:
    with pytest.raises(TalonFakesError, match=says):
        fake.effects(hook)
    assert client.update("no-hook", {}).json()["effects"] == []  # nothing was installed
    fake.check_errors()
    for fine in (lambda session, operation: [], lambda *args: [], lambda session, operation, extra=1: []):
        fake.effects(fine)  # anything callable as hook(session, operation)


def test_an_invalid_effect_is_a_500_and_check_errors_raises(client: Client, fake: TalonFake) -> None:
    fake.effects(lambda session, operation: [{"effectType": "showNotification"}])
    response = client.update("bad-fx", {})
    assert response.status_code == 500
    with pytest.raises(TalonFakesError, match="invalid effect"):
        fake.check_errors()
    fake.check_errors()  # raised once, then cleared


def test_an_invalid_effect_fails_the_request_and_changes_nothing(client: Client, fake: TalonFake) -> None:
    client.update("open", {"cartItems": [SHOES]})
    closed(client, "closed", SHOES)
    closed(client, "to-reopen", SHOES)
    before = {name: client.stored(name) for name in ("open", "closed", "to-reopen")}
    moves, histories = fake.transitions(), [session.history for session in fake.sessions()]
    # Broken for every operation but the GETs that read the store back.
    fake.effects(lambda session, operation: [] if operation == "get" else [{"effectType": "oops"}])
    failed = [
        client.update("open", {"state": "closed"}),
        client.update("brand-new", {"profileId": "nobody-yet"}),
        client.return_items("closed", [{"position": 0, "quantity": 1}], key="k"),
        client.reopen("to-reopen"),
    ]
    assert [response.status_code for response in failed] == [500] * 4
    assert {name: client.stored(name) for name in before} == before
    assert client.get("brand-new").status_code == 404
    assert [session.history for session in fake.sessions()] == histories
    assert fake.transitions() == moves
    with pytest.raises(TalonFakesError, match="invalid effect"):
        fake.check_errors()
    fake.effects(None)
    created = session_of(client.update("brand-new", {"profileId": "nobody-yet"}))
    assert created["id"] == 4, "the failed creation used up no ID"
    returned = client.return_items("closed", [{"position": 0, "quantity": 1}], key="k")
    assert returned.status_code == 200, "the failed return used up no Idempotency-Key"


def test_reset_puts_the_clock_back_as_the_fake_was_made(client: Client, fake: TalonFake) -> None:
    fake.clock.set(T0)
    fake.reset()
    start = datetime.now(UTC)
    created = datetime.fromisoformat(session_of(client.update("s", {}))["created"])
    assert start <= created <= datetime.now(UTC), "the clock follows real time again"

    stopped = TalonFake(clock=Clock(T0))
    stopped.clock.advance(timedelta(days=3))
    stopped.reset()
    assert stopped.clock.now() == T0


def test_transitions_count_the_moves_made_through_the_api(client: Client, fake: TalonFake) -> None:
    fake.seed_session("seeded", "closed")  # a seed is no move
    client.update("t", {"cartItems": [SHOES]})
    client.update("t", {})
    client.update("t", {"state": "closed"})
    client.update("t", {"state": "cancelled"}, dry=True)  # a dry run is no move
    client.update("t", {"state": "open"})  # refused: no move
    one = [{"position": 0, "quantity": 1}]
    client.return_items("t", one, key="k")
    client.return_items("t", one, key="k")  # a replay moves nothing
    client.reopen("seeded")
    fake.inject_fault(status=503, operation="update_customer_session")
    assert client.update("t", {"state": "cancelled"}).status_code == 503
    expected = Counter(
        {
            Transition(None, OPEN, UPDATE): 1,
            Transition(OPEN, OPEN, UPDATE): 1,
            Transition(OPEN, CLOSED, UPDATE): 1,
            Transition(CLOSED, RETURNED, RETURN): 1,
            Transition(CLOSED, OPEN, REOPEN): 1,
        }
    )
    moves = fake.transitions()
    assert moves == expected
    moves.clear()  # a copy: the fake's count stays
    assert fake.transitions() == expected
    fake.reset()
    assert fake.transitions() == Counter()


def test_the_clock_never_goes_back_past_a_time_it_stamped(client: Client, fake: TalonFake) -> None:
    fake.clock.set(T0)
    client.update("s", {})
    before = client.stored("s")
    for move_back in (
        lambda: fake.clock.set(T0 - timedelta(days=1)),
        lambda: fake.clock.set("2030-04-30T12:00:00Z"),
        lambda: fake.clock.advance(timedelta(seconds=-1)),
    ):
        with pytest.raises(ValueError, match=r"cannot go back to .*; set times in order, or reset"):
            move_back()
    assert fake.clock.now() == T0  # unmoved
    fake.clock.set(T0)  # the same time, and later ones, are fine
    fake.clock.advance(timedelta(hours=1))
    later = client.update("s", {})
    assert client.stored("s") != before
    assert talon_fakes.validate(later.json(), "integration-state-v2") == []
    fake.reset()
    fake.clock.set(T0 - timedelta(days=1))  # a fresh fake may start anywhere
    assert fake.clock.now() == T0 - timedelta(days=1)


def test_a_fault_for_an_operation_the_fake_has_not_is_refused_naming_them(fake: TalonFake) -> None:
    with pytest.raises(TalonFakesError, match=r"no operation 'update_session'.*update_customer_session"):
        fake.inject_fault(status=503, operation="update_session")
    assert fake.app.faults == []


def test_a_seed_takes_cart_items_as_the_apis_json(client: Client, fake: TalonFake) -> None:
    fake.seed_session(
        "json-cart", "closed", cart_items=[{"sku": "A", "quantity": 2, "price": 5.0, "name": "Hat"}]
    )
    stored = client.stored("json-cart")["customerSession"]
    assert (stored["total"], stored["cartItems"][0]["name"]) == (10.0, "Hat")
    returned = client.return_items("json-cart", [{"position": 0, "quantity": 1}])
    assert returned.status_code == 200, returned.text


@pytest.mark.parametrize(
    ("fields", "state", "says"),
    [
        ({"cart_items": [{"sku": "A"}]}, "closed", r"cart_items\[0\].*quantity"),
        ({"cart_items": [{"sku": "A", "quantity": "2"}]}, "closed", r"cart_items\[0\].*quantity"),
        ({"cart_items": ["A"]}, "closed", r"cart_items\[0\] is a str; give a CartItem or a JSON object"),
        ({"coupon_codes": "SUMMER"}, "open", r"coupon_codes is a str; give a list or tuple"),
        ({"profile_id": 42}, "open", "would not be valid.*profileId"),
        ({"attributes": {"when": object()}}, "open", "a value the fake cannot answer with"),
        (
            {"profile": "p"},
            "open",
            "no field 'profile'; seed_session takes the state and profile_id, cart_items",
        ),
        (
            {"returned": 3},
            "open",
            "no field 'returned'; seed_session takes .*experiment_variant_allocations$",
        ),
        ({}, "shipped", "no state 'shipped'; one of open, closed"),
    ],
)
def test_a_seed_the_fake_could_not_answer_with_is_refused_and_stores_nothing(
    client: Client, fake: TalonFake, fields: dict[str, Any], state: str, says: str
) -> None:
    fake.seed_session("kept", "closed", cart_items=[{"sku": "A", "quantity": 1, "price": 1.0}])
    before = client.stored("kept")
    with pytest.raises(TalonFakesError, match=r"seed_session\('kept'\): .*" + says):
        fake.seed_session("kept", state, **fields)
    assert client.stored("kept") == before  # the stored session stays, and still answers
    assert [s.integration_id for s in fake.sessions()] == ["kept"]


def test_the_clock_may_go_back_past_times_nothing_stored_bears(client: Client, fake: TalonFake) -> None:
    fake.clock.set(T0)
    fake.clock.now()  # a read
    client.update("dry", {"cartItems": [SHOES]}, dry=True)  # a dry run
    assert client.update("bad", {"state": "partially_returned"}).status_code == 400  # a refusal
    with pytest.raises(TalonFakesError):
        fake.seed_session("seed", "partially_returned")  # a refused seed
    fake.clock.set(T0 - timedelta(days=1))  # none of them stamped anything
    assert fake.clock.now() == T0 - timedelta(days=1)


def test_the_clock_cannot_run_back_to_real_time_from_a_future_it_stamped(
    client: Client, fake: TalonFake
) -> None:
    fake.clock.set("2999-01-01T00:00:00Z")
    client.update("future", {})
    with pytest.raises(ValueError, match="cannot go back to"):
        fake.clock.run()
    assert fake.clock.now() == datetime(2999, 1, 1, tzinfo=UTC)


def test_a_seed_nested_too_deeply_to_answer_is_refused(fake: TalonFake) -> None:
    nested: Any = []
    for _ in range(251):
        nested = [nested]
    with pytest.raises(TalonFakesError, match="cannot answer with"):
        fake.seed_session("deep", "open", attributes={"a": nested})
    assert fake.sessions() == []
