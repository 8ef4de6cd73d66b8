"""The fake over HTTP: the Management API's session list and single session.

Every response goes through the ``client`` fixture, which checks its body against its contract
in strict mode.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fake_helpers import SHOES, SOCKS, T0, session_of, source

from talon_fakes.states import State

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake

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
        ({"skip": str(2**63)}, "skip"),  # past 64 bits (was a 500)
        ({"pageSize": "1_0"}, "pageSize"),  # Python's int() reads 10
        ({"pageSize": " 5"}, "pageSize"),
        ({"pageSize": "\u0665"}, "pageSize"),  # an Arabic-Indic 5
        ({"pageSize": "1" * 5000}, "pageSize"),  # int() refuses it with a ValueError (was a 500)
        ({"createdBefore": "2030-05-01T12:00Z"}, "createdBefore"),  # no seconds: ISO 8601, not RFC 3339
        ({"createdAfter": "20300501T120000Z"}, "createdAfter"),
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


def test_an_application_the_fake_does_not_have_is_a_404_naming_it(client: Client, fake: TalonFake) -> None:
    client.update("mine", {"profileId": "gus"})
    for response in (
        client.list_sessions(application_id=99),
        client.application_session(1, application_id=99),
    ):
        assert response.status_code == 404, response.text
        assert source(response) == {"parameter": "applicationId"}
        assert "no Application 99" in response.json()["message"]
        assert "Application 1" in response.json()["message"]  # the one the fake has
    assert [s["integrationId"] for s in client.list_sessions().json()["data"]] == ["mine"]  # nothing lost


def test_an_application_with_seeded_sessions_is_listed_without_a_key(client: Client, fake: TalonFake) -> None:
    assert client.list_sessions(application_id=5).status_code == 404
    fake.backend.seed_session(5, "seeded", State.CLOSED)
    page = client.list_sessions(application_id=5).json()
    assert [(s["integrationId"], s["state"]) for s in page["data"]] == [("seeded", "closed")]
    assert client.list_sessions().json()["data"] == []  # the key's own Application: empty, not a 404


def test_the_largest_skip_is_an_empty_page(client: Client, shop: dict[str, int]) -> None:
    for sort in ("id", "total"):
        page = client.list_sessions(skip=2**63 - 1, sort=sort).json()
        assert (page["data"], page["hasMore"]) == ([], False)


@pytest.mark.parametrize("application_id", ["1_0", " 1", "+1"])
def test_an_application_id_is_plain_digits(client: Client, application_id: str) -> None:
    # The client percent-encodes path parameters as the SDKs do: " 1" goes as %201, "+1" as %2B1.
    response = client.list_sessions(application_id=application_id)
    if application_id == "+1":  # a sign is a number still, as Go's strconv reads it
        assert response.status_code == 200, response.text
    else:
        assert (response.status_code, source(response)) == (400, {"parameter": "applicationId"})
