"""The fake over real HTTP, by example: one test per behaviour a client relies on.

Every response goes through the ``client`` fixture, which checks its body against its contract
in strict mode (the 200 body of the operation, ``error-response`` for a 400,
``error-response-with-status`` for 401/404/405/409/5xx).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests

from talon_fakes import Operation, State, TalonFakesError

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.server import TalonFake

SHOES = {"sku": "SHOE-1", "name": "Runner", "quantity": 3, "price": 10.0}
SOCKS = {"sku": "SOCK-1", "quantity": 2, "price": 2.5}
T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
UPDATE, RETURN, REOPEN = Operation.UPDATE, Operation.RETURN, Operation.REOPEN
OPEN, CLOSED, RETURNED, CANCELLED = State.OPEN, State.CLOSED, State.PARTIALLY_RETURNED, State.CANCELLED


def source(response: requests.Response) -> dict[str, str]:
    """The ``source`` of the first error of a 400/401/404 body."""
    return response.json()["errors"][0]["source"]


def session_of(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()["customerSession"]


def lines(session: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(sku, returnedQuantity, remainingQuantity) per cart item."""
    return [(i["sku"], i["returnedQuantity"], i["remainingQuantity"]) for i in session["cartItems"]]


def closed(client: Client, session_id: str, *cart: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A session created closed with ``cart``."""
    return session_of(client.update(session_id, {"state": "closed", "cartItems": list(cart), **fields}))


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


# -- errors: 404, 401, 405, bad bodies, limits ----------------------------------------------


def test_an_unknown_session_is_a_404(client: Client) -> None:
    client.update("known", {"state": "closed", "cartItems": [SHOES]})
    for response in (
        client.get("unknown"),
        client.return_items("unknown", [{"position": 0, "quantity": 1}]),
        client.reopen("unknown"),
        client.application_session(999),
        client.send("GET", "/v2/nothing/here", ok_contract="error-response-with-status"),
    ):
        assert response.status_code == 404
        assert response.json()["StatusCode"] == 404
    assert client.get("unknown").status_code == 404  # the failed calls created nothing


def test_a_wrong_method_is_a_405(client: Client) -> None:
    response = client.send("DELETE", "/v2/customer_sessions/s1", ok_contract="error-response-with-status")
    assert (response.status_code, response.json()["StatusCode"]) == (405, 405)


# (method, path, body, the contract of a 200)
CALLS = [
    ("PUT", "/v2/customer_sessions/s1", {"customerSession": {}}, "integration-state-v2"),
    ("GET", "/v2/customer_sessions/s1", None, "customer-session-response-v2"),
    (
        "POST",
        "/v2/customer_sessions/s1/returns",
        {"return": {"returnedCartItems": []}},
        "integration-state-v2",
    ),
    ("PUT", "/v2/customer_sessions/s1/reopen", None, "reopen-response"),
    ("GET", "/v1/applications/1/sessions", None, "application-sessions-page"),
    ("GET", "/v1/applications/1/sessions/1", None, "application-session"),
]


def wrong_keys(fake: TalonFake, api: str) -> list[dict[str, str]]:
    integration, management = fake.integration_headers, fake.management_headers
    common = [{}, {"Authorization": ""}, {"Authorization": "Bearer not-a-token"}]
    if api == "integration":
        return [*common, {"Authorization": "ApiKey-v1 wrong"}, {"Authorization": fake.api_key}, management]
    return [*common, {"Authorization": "ManagementKey-v1 wrong"}, integration]


@pytest.mark.parametrize(("method", "path", "body", "contract"), CALLS)
def test_a_missing_or_wrong_key_is_a_401(
    client: Client, fake: TalonFake, method: str, path: str, body: Any, contract: str
) -> None:
    client.update("s1", {"state": "closed", "cartItems": [SHOES]})
    before = client.stored("s1")
    api = "integration" if path.startswith("/v2") else "management"
    for headers in wrong_keys(fake, api):
        response = client.send(method, path, ok_contract=contract, json=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["StatusCode"] == 401
        assert response.json()["message"].startswith("Unauthorized - Invalid API key")
    assert client.stored("s1") == before


@pytest.mark.parametrize(
    ("data", "pointer"),
    [("{bad json", ""), ('{"customerSession": {}', ""), (b"\xff\xfe", ""), ("", "")],
)
def test_a_body_that_is_not_json_is_a_400(client: Client, data: str | bytes, pointer: str) -> None:
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", data=data)
    assert response.status_code == 400
    assert source(response) == {"pointer": pointer}
    assert client.get("s1").status_code == 404


@pytest.mark.parametrize(
    ("session", "pointer"),
    [
        ([], ""),
        ({"profileId": 42}, "/profileId"),
        ({"state": "shipped"}, "/state"),
        ({"couponCodes": "C1"}, "/couponCodes"),
        ({"attributes": []}, "/attributes"),
        ({"cartItems": [{"quantity": 1}]}, "/cartItems/0/sku"),
        ({"cartItems": [SHOES, {"sku": "X", "quantity": "2"}]}, "/cartItems/1/quantity"),
        ({"cartItems": [SHOES | {"price": "10"}]}, "/cartItems/0/price"),
        ({"additionalCosts": {"fee": {}}}, "/additionalCosts/fee/price"),
    ],
)
def test_a_field_of_the_wrong_type_is_a_400_with_a_pointer(
    client: Client, session: Any, pointer: str
) -> None:
    body = {"customerSession": session}
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", json=body)
    assert response.status_code == 400
    assert source(response) == {"pointer": "/customerSession" + pointer}
    assert client.get("s1").status_code == 404


@pytest.mark.parametrize(
    ("body", "pointer"),
    [({}, "/customerSession"), ({"customerSession": {}, "responseContent": ["all"]}, "/responseContent/0")],
)
def test_a_bad_envelope_is_a_400_with_a_pointer(client: Client, body: Any, pointer: str) -> None:
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", json=body)
    assert response.status_code == 400
    assert source(response) == {"pointer": pointer}
    assert client.get("s1").status_code == 404


def test_a_body_that_is_not_an_object_is_a_400_pointing_at_the_root(client: Client) -> None:
    response = client.send("PUT", "/v2/customer_sessions/s1", ok_contract="integration-state-v2", json=[])
    assert response.status_code == 400
    assert source(response) == {"pointer": ""}


def many(sku: str, count: int, quantity: int = 1) -> list[dict[str, Any]]:
    return [{"sku": f"{sku}-{index}", "quantity": quantity} for index in range(count)]


@pytest.mark.parametrize(
    ("over", "at_limit", "pointer"),
    [
        ({"cartItems": many("A", 1001)}, {"cartItems": many("A", 1000)}, "/cartItems"),
        (
            {"cartItems": [*many("A", 1, 5000), *many("B", 1, 5001)]},
            {"cartItems": [*many("A", 1, 5000), *many("B", 1, 5000)]},
            "/cartItems",
        ),
        ({"identifiers": list("abcdef")}, {"identifiers": list("abcde")}, "/identifiers"),
        ({"loyaltyCards": ["L1", "L2"]}, {"loyaltyCards": ["L1"]}, "/loyaltyCards"),
        ({"couponCodes": ["ok", "C" * 101]}, {"couponCodes": ["C" * 100]}, "/couponCodes/1"),
        ({"referralCode": "R" * 101}, {"referralCode": "R" * 100}, "/referralCode"),
        ({"storeIntegrationId": ""}, {"storeIntegrationId": "S"}, "/storeIntegrationId"),
        ({"cartItems": many("A", 1, 0)}, {"cartItems": many("A", 1)}, "/cartItems/0/quantity"),
    ],
)
def test_limits_are_400s_with_a_pointer_and_store_nothing(
    client: Client, fake: TalonFake, over: dict[str, Any], at_limit: dict[str, Any], pointer: str
) -> None:
    response = client.update("limits", over)
    assert response.status_code == 400
    assert source(response) == {"pointer": "/customerSession" + pointer}
    assert client.get("limits").status_code == 404
    assert fake.sessions() == []
    assert client.update("limits", at_limit).status_code == 200


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


# -- Management API --------------------------------------------------------------------------


@pytest.fixture
def shop(client: Client, fake: TalonFake) -> dict[str, int]:
    """Five sessions created a minute apart from T0; returns integration ID -> internal ID."""
    fake.clock.set(T0)
    specs = [
        (
            "s-alpha",
            {
                "profileId": "Alice",
                "couponCodes": ["SUMMER-10", "VIP"],
                "referralCode": "REF-ABC",
                "storeIntegrationId": "store-north",
                "cartItems": [SHOES],
                "state": "closed",
            },
        ),
        (
            "s-beta",
            {
                "profileId": "bob",
                "couponCodes": ["WINTER"],
                "storeIntegrationId": "store-south",
                "cartItems": [SOCKS],
            },
        ),
        ("s-gamma", {"cartItems": [SHOES, SOCKS]}),
        ("S-Delta", {"profileId": "malice", "referralCode": "ref-xyz", "cartItems": [SOCKS, SOCKS]}),
        ("s-eps", {"profileId": "al", "couponCodes": ["al"]}),
    ]
    ids = {}
    for session_id, fields in specs:
        ids[session_id] = session_of(client.update(session_id, fields))["id"]
        fake.clock.advance(timedelta(minutes=1))
    client.update("s-gamma", {"state": "cancelled"})
    return ids


def listed(client: Client, **params: Any) -> list[str]:
    response = client.list_sessions(**params)
    assert response.status_code == 200, response.text
    return [session["integrationId"] for session in response.json()["data"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["s-alpha", "s-beta", "s-gamma", "S-Delta", "s-eps"]),
        ({"profile": "Alice"}, ["s-alpha"]),
        ({"profile": "alice"}, []),
        ({"state": "open"}, ["s-beta", "S-Delta", "s-eps"]),
        ({"state": "cancelled"}, ["s-gamma"]),
        ({"state": "partially_returned"}, []),
        ({"coupon": "VIP"}, ["s-alpha"]),
        ({"referral": "REF-ABC"}, ["s-alpha"]),
        ({"integrationId": "s-beta"}, ["s-beta"]),
        ({"storeIntegrationId": "store-south"}, ["s-beta"]),
        ({"createdBefore": "2030-05-01T12:01:30Z"}, ["s-alpha", "s-beta"]),
        ({"createdAfter": "2030-05-01T12:01:30Z"}, ["s-gamma", "S-Delta", "s-eps"]),
        ({"createdAfter": "2030-05-01T14:02:30+02:00"}, ["S-Delta", "s-eps"]),
        (
            {"createdAfter": "2030-05-01T12:00:30Z", "createdBefore": "2030-05-01T12:02:30Z"},
            ["s-beta", "s-gamma"],
        ),
        ({"profile": "bob", "state": "closed"}, []),
        # partialMatch: case-insensitive substring from 3 characters, exact below
        ({"profile": "ALI", "partialMatch": True}, ["s-alpha", "S-Delta"]),
        ({"profile": "ALI", "partialMatch": False}, []),
        ({"profile": "al", "partialMatch": True}, ["s-eps"]),
        ({"integrationId": "DELTA", "partialMatch": True}, ["S-Delta"]),
        ({"coupon": "summer", "partialMatch": True}, ["s-alpha"]),
        ({"referral": "ref-", "partialMatch": True}, ["s-alpha", "S-Delta"]),
        ({"storeIntegrationId": "STORE", "partialMatch": True}, ["s-alpha", "s-beta"]),
    ],
)
def test_the_list_filters(
    client: Client, shop: dict[str, int], params: dict[str, Any], expected: list[str]
) -> None:
    assert listed(client, **params) == expected


def test_the_list_pages_with_has_more(client: Client, shop: dict[str, int]) -> None:
    pages = [client.list_sessions(pageSize=2, skip=skip).json() for skip in (0, 2, 4, 6)]
    assert [[s["integrationId"] for s in page["data"]] for page in pages] == [
        ["s-alpha", "s-beta"],
        ["s-gamma", "S-Delta"],
        ["s-eps"],
        [],
    ]
    assert [page["hasMore"] for page in pages] == [True, True, False, False]
    assert client.list_sessions(pageSize=5).json()["hasMore"] is False
    assert client.list_sessions(pageSize=1000, skip=1).json()["hasMore"] is False


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("id", ["s-alpha", "s-beta", "s-gamma", "S-Delta", "s-eps"]),
        ("-id", ["s-eps", "S-Delta", "s-gamma", "s-beta", "s-alpha"]),
        ("created", ["s-alpha", "s-beta", "s-gamma", "S-Delta", "s-eps"]),
        ("-created", ["s-eps", "S-Delta", "s-gamma", "s-beta", "s-alpha"]),
        ("integrationId", ["S-Delta", "s-alpha", "s-beta", "s-eps", "s-gamma"]),
        ("-integrationId", ["s-gamma", "s-eps", "s-beta", "s-alpha", "S-Delta"]),
        ("total", ["s-eps", "s-beta", "S-Delta", "s-alpha", "s-gamma"]),
        ("-total", ["s-gamma", "s-alpha", "S-Delta", "s-beta", "s-eps"]),
        ("state", ["s-gamma", "s-alpha", "s-beta", "S-Delta", "s-eps"]),
        ("profileintegrationid", ["s-gamma", "s-alpha", "s-eps", "s-beta", "S-Delta"]),
    ],
)
def test_the_list_sorts(client: Client, shop: dict[str, int], sort: str, expected: list[str]) -> None:
    assert listed(client, sort=sort) == expected


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 1001}, "pageSize"),
        ({"pageSize": "x"}, "pageSize"),
        ({"skip": -1}, "skip"),
        ({"skip": "1.5"}, "skip"),
        ({"sort": "nope"}, "sort"),
        ({"sort": "-nope"}, "sort"),
        ({"state": "shipped"}, "state"),
        ({"createdBefore": "yesterday"}, "createdBefore"),
        ({"createdAfter": "2030-05-01T12:00:00"}, "createdAfter"),
        ({"partialMatch": "maybe"}, "partialMatch"),
        ({"partialMatch": True, "profile": "Alice", "coupon": "VIP"}, "partialMatch"),
    ],
)
def test_a_bad_list_parameter_is_a_400_naming_it(
    client: Client, shop: dict[str, int], params: dict[str, Any], parameter: str
) -> None:
    response = client.list_sessions(**params)
    assert response.status_code == 400
    assert source(response) == {"parameter": parameter}


def test_a_bad_application_or_session_id_is_a_400(client: Client) -> None:
    response = client.list_sessions(application_id="one")
    assert (response.status_code, source(response)) == (400, {"parameter": "applicationId"})
    response = client.application_session("first")
    assert (response.status_code, source(response)) == (400, {"parameter": "sessionId"})


def test_one_session_by_its_internal_id(client: Client, shop: dict[str, int]) -> None:
    alpha = client.application_session(shop["s-alpha"]).json()
    assert (alpha["integrationId"], alpha["profileintegrationid"], alpha["coupon"]) == (
        "s-alpha",
        "Alice",
        "SUMMER-10",
    )
    assert (alpha["state"], alpha["referral"], alpha["storeIntegrationId"]) == (
        "closed",
        "REF-ABC",
        "store-north",
    )
    assert isinstance(alpha["profileId"], int)
    gamma = client.application_session(shop["s-gamma"]).json()
    assert "profileId" not in gamma  # anonymous
    assert gamma["profileintegrationid"] == ""
    assert client.list_sessions(integrationId="s-alpha").json()["data"] == [alpha]


def test_applications_keep_their_sessions_apart(client: Client, fake: TalonFake) -> None:
    fake.app.config.api_keys["key-of-app-2"] = 2
    try:
        mine = session_of(client.update("shared-id", {"profileId": "gus"}))
        theirs = session_of(
            client.update("shared-id", {}, headers={"Authorization": "ApiKey-v1 key-of-app-2"})
        )
    finally:
        del fake.app.config.api_keys["key-of-app-2"]
    assert (mine["applicationId"], theirs["applicationId"]) == (1, 2)
    assert theirs["updateCount"] == 1  # the same integration ID, another session
    assert theirs["id"] != mine["id"]
    assert client.application_session(theirs["id"]).status_code == 404
    assert client.application_session(mine["id"], application_id=2).status_code == 404
    assert client.application_session(theirs["id"], application_id=2).json()["applicationId"] == 2
    assert listed(client) == ["shared-id"]
    assert [s["id"] for s in client.list_sessions(application_id=2).json()["data"]] == [theirs["id"]]


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


def effect(operation: str) -> dict[str, Any]:
    props = {"notificationType": "info", "title": operation, "body": "from the test's hook"}
    rule = {"campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "note"}
    return rule | {"effectType": "showNotification", "props": props}


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


def test_an_invalid_effect_is_a_500_and_check_errors_raises(client: Client, fake: TalonFake) -> None:
    fake.effects(lambda session, operation: [{"effectType": "showNotification"}])
    response = client.update("bad-fx", {})
    assert response.status_code == 500
    with pytest.raises(TalonFakesError, match="invalid effect"):
        fake.check_errors()
    fake.check_errors()  # raised once, then cleared


# -- concurrency -----------------------------------------------------------------------------


def update_in_thread(client: Client, session_id: str, body: dict[str, Any]) -> requests.Response:
    worker = client.spawn()
    try:
        return worker.update(session_id, body)
    finally:
        worker.close()


def test_a_second_update_while_one_is_in_flight_is_a_409(client: Client, fake: TalonFake) -> None:
    client.update("busy", {"cartItems": [SHOES]})
    fake.inject_fault(delay=0.5, operation="update_customer_session")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(update_in_thread, client, "busy", {"cartItems": [SOCKS]})
        time.sleep(0.2)  # the first update is now held for another 0.3 s
        second = client.update("busy", {"cartItems": [SHOES, SOCKS]})
        first_answer = first.result()
    assert second.status_code == 409, f"the overlapping update got {second.status_code}"
    assert session_of(first_answer)["updateCount"] == 2
    assert second.json()["message"] == "Too many requests are updating this session at the same time"
    assert second.json()["StatusCode"] == 409
    assert lines(client.stored("busy")["customerSession"]) == [("SOCK-1", 0, 2)]


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
