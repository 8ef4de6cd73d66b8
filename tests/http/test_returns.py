"""The fake over HTTP: returns, totals after them, Idempotency-Key, reopen.

Every response goes through the ``client`` fixture, which checks its body against its contract
in strict mode.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fake_helpers import SHOES, SOCKS, T0, closed, lines, session_of, source

from talon_fakes.fake.domain.model import CartItem

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake

# -- totals and returns ----------------------------------------------------------------------


def test_totals_follow_the_units_that_remain_after_returns(client: Client) -> None:
    shipped = SHOES | {"additionalCosts": {"shipping": {"price": 1.0}}}
    session = closed(client, "totals", shipped, SOCKS, additionalCosts={"fee": {"price": 5.0}})
    totals = ("total", "cartItemTotal", "additionalCostTotal", "cartItemAdditionalCostTotal")
    assert [session[name] for name in totals] == [43.0, 35.0, 5.0, 3.0]

    after = session_of(client.return_items("totals", [{"position": 0, "quantity": 2}]))
    assert [after[name] for name in totals] == [21.0, 15.0, 5.0, 1.0]
    assert lines(after) == [("SHOE-1", 2, 1), ("SOCK-1", 0, 2)]
    [listed] = client.list_sessions().json()["data"]
    assert listed["total"] == 21.0


def test_an_idempotency_key_replays_the_first_answer_and_returns_nothing_twice(client: Client) -> None:
    closed(client, "idem", SHOES)
    content = ("customerSession", "previousReturns")
    first = client.return_items("idem", [{"position": 0, "quantity": 1}], key="k-1", response_content=content)
    again = client.return_items("idem", [{"position": 0, "quantity": 1}], key="k-1", response_content=content)
    assert again.status_code == 200
    assert again.json() == first.json()
    stored = client.stored("idem")["customerSession"]
    assert (lines(stored), stored["updateCount"]) == ([("SHOE-1", 1, 2)], 2)

    other_key = client.return_items("idem", [{"position": 0, "quantity": 1}], key="k-2")
    assert lines(session_of(other_key)) == [("SHOE-1", 2, 1)]
    closed(client, "idem-2", SHOES)  # a key belongs to its session
    elsewhere = client.return_items("idem-2", [{"position": 0, "quantity": 3}], key="k-1")
    assert lines(session_of(elsewhere)) == [("SHOE-1", 3, 0)]


def test_an_idempotency_key_over_255_characters_is_a_400(client: Client) -> None:
    closed(client, "idem", SHOES)
    response = client.return_items("idem", [{"position": 0, "quantity": 1}], key="k" * 256)
    assert response.status_code == 400
    assert source(response) == {"parameter": "Idempotency-Key"}
    assert lines(client.stored("idem")["customerSession"]) == [("SHOE-1", 0, 3)]


def test_an_idempotency_key_replays_a_return_named_by_sku(client: Client) -> None:
    closed(client, "by-sku", SOCKS)
    first = client.return_items("by-sku", [{"sku": "SOCK-1", "quantity": 2}], key="k-1")
    assert first.status_code == 200
    again = client.return_items("by-sku", [{"sku": "SOCK-1", "quantity": 2}], key="k-1")
    assert (again.status_code, again.json()) == (200, first.json())


def test_an_idempotency_key_replays_the_stored_profile(client: Client) -> None:
    content = ("customerProfile",)
    closed(client, "first", SOCKS, profileId="dave")
    first = client.return_items("first", [{"position": 0, "quantity": 1}], key="k", response_content=content)
    closed(client, "second", SHOES, profileId="dave")  # the profile moves on: one more closed session
    again = client.return_items("first", [{"position": 0, "quantity": 1}], key="k", response_content=content)
    assert again.json() == first.json()


@pytest.mark.parametrize(
    ("items", "pointer"),
    [
        ([{"position": 2, "quantity": 1}], "/0/position"),
        ([{"position": -1, "quantity": 1}], "/0/position"),
        ([{"position": 0, "quantity": 4}], "/0/quantity"),  # 3 bought
        ([{"position": 0, "quantity": 0}], "/0/quantity"),
        ([{"position": 0, "quantity": 2}, {"position": 0, "quantity": 2}], "/1/quantity"),
        ([{"position": 0, "quantity": 1}, {"position": 7, "quantity": 1}], "/1/position"),
        ([{"position": 0, "sku": "SOCK-1", "quantity": 1}], "/0/sku"),  # position 0 is SHOE-1
        ([{"sku": "HAT-1", "quantity": 1}], "/0/sku"),
        ([{"position": 0}], "/0"),
        ([{"position": "0", "quantity": 1}], "/0/position"),
        ([], ""),
    ],
)
def test_a_bad_return_is_a_400_with_a_pointer_and_changes_nothing(
    client: Client, fake: TalonFake, items: list[dict[str, Any]], pointer: str
) -> None:
    closed(client, "bad-return", SHOES, SOCKS)
    before = client.stored("bad-return")
    response = client.return_items("bad-return", items, key="k")
    assert response.status_code == 400
    assert source(response) == {"pointer": "/return/returnedCartItems" + pointer}
    assert client.stored("bad-return") == before
    assert fake.session("bad-return").returns == ()
    fixed = client.return_items("bad-return", [{"position": 0, "quantity": 1}], key="k")
    assert fixed.status_code == 200  # the key of a rejected return was not used up


def test_a_return_from_an_open_session_is_a_400_naming_the_session(client: Client) -> None:
    client.update("open", {"cartItems": [SHOES]})
    before = client.stored("open")
    response = client.return_items("open", [{"position": 0, "quantity": 1}])
    assert response.status_code == 400
    assert source(response) == {"parameter": "customerSessionId"}
    assert client.stored("open") == before


def test_an_idempotency_key_reused_for_another_request_is_a_400_naming_it(client: Client) -> None:
    closed(client, "idem", SHOES)
    one = [{"position": 0, "quantity": 1}]
    first = client.return_items("idem", one, key="k-1")
    for other in (
        client.return_items("idem", [{"position": 0, "quantity": 2}], key="k-1"),
        client.return_items("idem", one, key="k-1", response_content=("customerProfile",)),
        client.return_items("idem", one, key="k-1", dry=True),
    ):
        assert other.status_code == 400, other.text
        assert source(other) == {"parameter": "Idempotency-Key"}
        assert "Idempotency-Key 'k-1'" in other.json()["message"]
    stored = client.stored("idem")["customerSession"]
    assert (lines(stored), stored["updateCount"]) == ([("SHOE-1", 1, 2)], 2)
    assert client.return_items("idem", one, key="k-1").json() == first.json()  # the same request replays


def test_an_idempotency_key_answer_expires_after_24_hours(client: Client, fake: TalonFake) -> None:
    fake.clock.set(T0)
    closed(client, "idem", SHOES)
    one = [{"position": 0, "quantity": 1}]
    first = client.return_items("idem", one, key="k")
    fake.clock.advance(timedelta(hours=23, minutes=59))
    assert client.return_items("idem", one, key="k").json() == first.json()
    fake.clock.advance(timedelta(minutes=1))
    assert lines(session_of(client.return_items("idem", one, key="k"))) == [("SHOE-1", 2, 1)]


def test_a_dry_return_uses_up_no_id(client: Client) -> None:
    closed(client, "ids", SHOES)
    one = [{"position": 0, "quantity": 1}]
    dry = client.return_items("ids", one, dry=True).json()["return"]
    real = client.return_items("ids", one).json()["return"]
    assert (real["id"], real["eventId"]) == (dry["id"], dry["eventId"])
    ghost = session_of(client.update("new", {"profileId": "newcomer"}, dry=True))
    created = session_of(client.update("new", {"profileId": "newcomer"}))
    assert created["id"] == ghost["id"]


# -- the customer profile's aggregates --------------------------------------------------------


def aggregates(client: Client, profile_id: str) -> tuple[int, float]:
    """The profile's (closedSessions, totalSales), read by a dry run that changes nothing."""
    response = client.update(
        "probe", {"profileId": profile_id}, dry=True, response_content=("customerProfile",)
    )
    profile = response.json()["customerProfile"]
    return profile["closedSessions"], profile["totalSales"]


def test_profile_aggregates_count_the_sessions_closed_now(client: Client) -> None:
    closed(client, "h1", SHOES, profileId="hana")  # 30.0
    assert aggregates(client, "hana") == (1, 30.0)
    client.reopen("h1")
    assert aggregates(client, "hana") == (0, 0.0), "a reopened session no longer counts"
    client.update("h1", {"cartItems": [SOCKS], "state": "closed"})  # 5.0
    assert aggregates(client, "hana") == (1, 5.0), "closed again: counted once, at its new total"
    closed(client, "h2", SHOES, SOCKS, profileId="hana")  # 35.0
    client.update("h1", {"state": "closed", "cartItems": [SHOES]}, dry=True)
    assert aggregates(client, "hana") == (2, 40.0)
    client.return_items("h2", [{"position": 0, "quantity": 2}])  # 35.0 - 20.0
    assert aggregates(client, "hana") == (2, 20.0), "returned units leave the sales, not the count"
    client.update("h2", {"state": "cancelled"})
    assert aggregates(client, "hana") == (1, 5.0), "a cancelled session no longer counts"
    client.update("open-one", {"profileId": "hana", "cartItems": [SHOES]})
    assert aggregates(client, "hana") == (1, 5.0), "an open session is no sale yet"


def test_an_idempotency_key_does_not_replay_into_a_session_seeded_anew(
    client: Client, fake: TalonFake
) -> None:
    closed(client, "reseeded", SHOES)
    one = [{"position": 0, "quantity": 1}]
    first = client.return_items("reseeded", one, key="k")
    fake.seed_session("reseeded", "closed", cart_items=(CartItem("SHOE-1", 3, 50.0),))
    again = client.return_items("reseeded", one, key="k")
    assert again.status_code == 200, again.text
    assert session_of(again)["id"] != session_of(first)["id"]  # the new session's own return
    assert len(fake.session("reseeded").returns) == 1
    assert lines(session_of(again)) == [("SHOE-1", 1, 2)]


def test_integers_written_as_floats_count_as_integers(client: Client) -> None:
    closed(client, "floats", SHOES | {"quantity": 3.0})
    assert lines(client.stored("floats")["customerSession"]) == [("SHOE-1", 0, 3)]
    answer = client.return_items("floats", [{"position": 0.0, "quantity": 1.0}])  # was a 500
    assert answer.status_code == 200, answer.text
    stored = client.stored("floats")["customerSession"]
    assert lines(stored) == [("SHOE-1", 1, 2)]
    assert type(stored["cartItems"][0]["quantity"]) is int  # written back as 3, not 3.0


def test_lines_named_by_sku_alone_take_the_units_left_after_the_lines_before(client: Client) -> None:
    one = {"sku": "HAT-1", "quantity": 1, "price": 4.0}
    closed(client, "hats", one, one, one)
    lines_by_sku = [{"sku": "HAT-1", "quantity": 1}, {"sku": "HAT-1", "quantity": 1}]
    answer = client.return_items("hats", lines_by_sku)
    assert answer.status_code == 200, answer.text  # the second line took position 1 (was a 400)
    assert lines(session_of(answer)) == [("HAT-1", 1, 0), ("HAT-1", 1, 0), ("HAT-1", 0, 1)]
