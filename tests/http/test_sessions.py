"""The fake over HTTP: sessions from creation to cancel, dry runs, `now`, merging updates.

Every response goes through the ``client`` fixture, which checks its body against its contract
in strict mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from fake_helpers import (
    CANCELLED,
    CLOSED,
    OPEN,
    REOPEN,
    RETURN,
    RETURNED,
    SHOES,
    SOCKS,
    T0,
    UPDATE,
    closed,
    lines,
    session_of,
    source,
)

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake

# -- life cycle ------------------------------------------------------------------------------


def test_a_session_lives_from_open_to_cancelled(client: Client, fake: TalonFake) -> None:
    first = session_of(client.update("life", {"profileId": "alice", "cartItems": [SHOES, SOCKS]}))
    assert (first["state"], first["updateCount"], first["total"]) == ("open", 1, 35.0)
    assert session_of(client.update("life", {"couponCodes": ["SPRING"]}))["updateCount"] == 2
    assert session_of(client.update("life", {"state": "closed"}))["state"] == "closed"

    returned = client.return_items("life", [{"position": 0, "quantity": 1}])
    assert session_of(returned)["state"] == "partially_returned"
    assert returned.json()["return"]["returnedCartItems"] == [{"position": 0, "quantity": 1}]
    again = client.return_items(
        "life", [{"position": 1, "quantity": 2}], response_content=("customerSession", "previousReturns")
    )
    assert [r["id"] for r in again.json()["previousReturns"]] == [returned.json()["return"]["id"]]
    assert lines(session_of(again)) == [("SHOE-1", 1, 2), ("SOCK-1", 2, 0)]

    cancelled = session_of(client.update("life", {"state": "cancelled"}))
    assert (cancelled["state"], cancelled["updateCount"]) == ("cancelled", 6)
    assert client.reopen("life").status_code == 400
    assert client.update("life", {"state": "open"}).status_code == 400
    steps = [(UPDATE, OPEN), (UPDATE, OPEN), (UPDATE, CLOSED), (RETURN, RETURNED), (RETURN, RETURNED)]
    assert list(fake.history("life")) == [*steps, (UPDATE, CANCELLED)]

    assert session_of(client.get("life")) == cancelled
    [listed] = client.list_sessions().json()["data"]
    assert (listed["integrationId"], listed["state"], listed["coupon"]) == ("life", "cancelled", "SPRING")
    assert client.application_session(listed["id"]).json() == listed


def test_a_reopened_session_can_be_edited_and_closed_again(client: Client, fake: TalonFake) -> None:
    closed(client, "again", SHOES)
    assert client.reopen("again").json() == {"effects": []}
    assert session_of(client.update("again", {"cartItems": [SOCKS]}))["state"] == "open"
    final = session_of(client.update("again", {"state": "closed"}))
    assert (final["state"], final["updateCount"], final["total"]) == ("closed", 4, 5.0)
    assert list(fake.history("again")) == [(UPDATE, CLOSED), (REOPEN, OPEN), (UPDATE, OPEN), (UPDATE, CLOSED)]


# -- dry runs and `now` ----------------------------------------------------------------------


def test_a_dry_run_answers_but_persists_nothing(client: Client, fake: TalonFake) -> None:
    client.update("dry", {"profileId": "p", "couponCodes": ["C1"], "cartItems": [SHOES]})
    before = client.stored("dry")
    answer = session_of(client.update("dry", {"state": "closed", "cartItems": [SOCKS]}, dry=True))
    # Only the payload counts in a dry run: the stored coupon is not evaluated.
    assert (answer["state"], answer["couponCodes"], lines(answer)) == ("closed", [], [("SOCK-1", 0, 2)])
    assert client.stored("dry") == before
    assert before["customerSession"]["updateCount"] == 1
    assert fake.session("dry").state is OPEN
    entry = fake.journal[-2]  # the dry PUT, before the GET that followed it
    assert (entry.method, entry.query, entry.status) == ("PUT", {"dry": ["true"]}, 200)


def test_a_dry_run_of_a_new_session_stores_nothing(client: Client, fake: TalonFake) -> None:
    answer = session_of(client.update("ghost", {"profileId": "new-customer"}, dry=True))
    assert answer["integrationId"] == "ghost"
    assert client.get("ghost").status_code == 404
    assert client.list_sessions().json()["data"] == []
    assert fake.sessions() == []


def test_a_dry_return_persists_nothing(client: Client) -> None:
    closed(client, "dry-return", SHOES)
    before = client.stored("dry-return")
    answer = client.return_items("dry-return", [{"position": 0, "quantity": 3}], dry=True)
    assert lines(session_of(answer)) == [("SHOE-1", 3, 0)]
    assert client.stored("dry-return") == before


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"now": "2030-06-01T00:00:00Z"}, "only with dry"),
        ({"now": "2030-06-01T00:00:00Z", "dry": False}, "only with dry"),
        ({"now": "2030-04-01T00:00:00Z", "dry": True}, "in the past"),
        ({"now": "2030-05-01T12:00:00Z", "dry": True}, "not after the clock"),
        ({"now": "2030-05-01T14:00:00+02:00", "dry": True}, "the same instant, another zone"),
        ({"now": "next tuesday", "dry": True}, "not a date-time"),
        ({"now": "2030-06-01T00:00:00", "dry": True}, "no time zone"),
        ({"now": "9999-12-31T23:59:59-23:59", "dry": True}, "after year 9999 in UTC (was a 500)"),
        ({"now": "20300601T000000Z", "dry": True}, "ISO 8601 basic format, not RFC 3339"),
        ({"now": "2030-06-01T00:00Z", "dry": True}, "no seconds"),
        ({"now": "2030-W23-1T00:00:00Z", "dry": True}, "a week date"),
        ({"now": "2030-06-01", "dry": True}, "a date alone"),
    ],
)
def test_now_needs_dry_and_a_time_in_the_future(
    client: Client, fake: TalonFake, params: dict[str, Any], why: str
) -> None:
    fake.clock.set(T0)
    client.update("later", {"cartItems": [SHOES]})
    before = client.stored("later")
    response = client.update("later", {"state": "closed"}, **params)
    assert response.status_code == 400, why
    assert source(response) == {"parameter": "now"}
    assert client.stored("later") == before


def test_now_in_the_future_evaluates_the_session_at_that_time(client: Client, fake: TalonFake) -> None:
    fake.clock.set(T0)
    client.update("later", {"cartItems": [SHOES]})
    answer = session_of(client.update("later", {"state": "closed"}, dry=True, now="2030-06-01T00:00:00Z"))
    assert (answer["state"], answer["updated"]) == ("closed", "2030-06-01T00:00:00Z")
    assert client.stored("later")["customerSession"]["updated"] == "2030-05-01T12:00:00Z"


# -- merging updates -------------------------------------------------------------------------


def test_an_update_keeps_what_it_leaves_out_and_replaces_what_it_sends(client: Client) -> None:
    client.update(
        "merge",
        {
            "profileId": "carol",
            "couponCodes": ["C1", "C2"],
            "referralCode": "REF-1",
            "identifiers": ["device-1"],
            "attributes": {"channel": "web"},
            "cartItems": [SHOES, SOCKS],
        },
    )
    kept = session_of(client.update("merge", {"cartItems": [SOCKS]}))
    assert (kept["profileId"], kept["couponCodes"], kept["referralCode"]) == ("carol", ["C1", "C2"], "REF-1")
    assert (kept["identifiers"], kept["attributes"], kept["state"]) == (
        ["device-1"],
        {"channel": "web"},
        "open",
    )
    assert lines(kept) == [("SOCK-1", 0, 2)]  # the sent cart replaced the stored one

    no_coupons = session_of(client.update("merge", {"couponCodes": []}))
    assert (no_coupons["couponCodes"], no_coupons["referralCode"]) == ([], "REF-1")
    no_referral = session_of(client.update("merge", {"referralCode": ""}))
    assert (no_referral["couponCodes"], no_referral["referralCode"]) == ([], "")
    assert no_referral["updateCount"] == 4
    assert client.stored("merge")["customerSession"] == no_referral


def test_first_session_is_true_only_for_a_profiles_first_session(client: Client) -> None:
    assert session_of(client.update("e1", {"profileId": "erin"}))["firstSession"] is True
    assert session_of(client.update("e1", {"state": "closed"}))["firstSession"] is True
    assert session_of(client.update("e2", {"profileId": "erin"}))["firstSession"] is False
    assert session_of(client.update("a1", {}))["firstSession"] is True
    assert session_of(client.update("a2", {"profileId": ""}))["firstSession"] is True


def test_a_profiles_second_session_is_not_first_when_the_first_began_anonymous(client: Client) -> None:
    client.update("anon", {})
    client.update("anon", {"profileId": "fay"})
    assert session_of(client.update("fay-2", {"profileId": "fay"}))["firstSession"] is False


@pytest.mark.parametrize(
    ("session_id", "fields"),
    [("s" * 1001, {}), ("s1", {"profileId": "p" * 1001})],
    ids=["session", "profile"],
)
def test_an_id_over_1000_characters_is_refused(
    client: Client, session_id: str, fields: dict[str, str]
) -> None:
    response = client.http.put(
        client.fake.url(client.path(session_id)),
        json={"customerSession": fields, "responseContent": ["customerSession", "customerProfile"]},
        headers=client.fake.integration_headers,
    )
    client.check(response, "integration-state-v2")  # either a 400, or a body true to its contract


def test_now_takes_rfc_3339_in_either_case(client: Client, fake: TalonFake) -> None:
    fake.clock.set(T0)
    client.update("later", {"cartItems": [SHOES]})
    answer = session_of(client.update("later", {}, dry=True, now="2030-06-01t02:00:00.5+02:00"))
    assert answer["updated"] == "2030-06-01T00:00:00.500000Z"
    sdk = session_of(client.update("later", {}, dry=True, now="2030-06-01T02:00:00.731043+0200"))
    assert sdk["updated"] == "2030-06-01T00:00:00.731043Z"  # talon-one-sdk 26 leaves out the colon


def test_campaign_eligibility_comes_with_a_dry_run_only(client: Client) -> None:
    wet = client.update("eligible", {"cartItems": [SHOES]}, response_content=("campaignEligibility",))
    dry = client.update("eligible", {}, dry=True, response_content=("campaignEligibility",))
    assert "campaignEligibility" not in wet.json()
    assert dry.json()["campaignEligibility"] == []
