"""What a PUT or a return answers, with and without ``responseContent``.

docs.talon.one "Customizing responses" (dev/integration-api/meta-response): a request without
``responseContent`` answers the ``customerSession``; each value of ``responseContent`` adds its
entity on top of it (the page's example for ``["customerProfile","event"]`` answers
``customerSession``, ``customerProfile`` and ``event``). Event types are those of docs.talon.one
"Events" (dev/concepts/events) and "Displaying events".

Every response goes through the ``client`` fixture, which checks its body against its contract in
strict mode.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fake_helpers import SHOES, SOCKS, T0

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake

ALWAYS = {"customerSession", "effects", "createdCoupons", "createdReferrals"}


def test_a_put_without_response_content_answers_the_session(client: Client) -> None:
    body = client.update("plain", {"profileId": "p1", "cartItems": [SHOES]}).json()
    assert set(body) == ALWAYS
    assert body["customerSession"]["integrationId"] == "plain"
    assert body["customerSession"]["total"] == 30.0


def test_a_return_without_response_content_answers_the_session_and_the_return(client: Client) -> None:
    client.update("ret", {"state": "closed", "cartItems": [SHOES, SOCKS]})
    body = client.return_items("ret", [{"position": 1, "quantity": 1}]).json()
    assert set(body) == ALWAYS | {"return"}
    assert body["customerSession"]["state"] == "partially_returned"
    assert body["customerSession"]["cartItems"][1]["returnedQuantity"] == 1


@pytest.mark.parametrize(
    ("content", "added"),
    [
        (["customerProfile", "event"], {"customerProfile", "event"}),
        (["customerProfile"], {"customerProfile"}),
        (["event"], {"event"}),
        (["coupons", "triggeredCampaigns", "loyalty"], {"coupons", "triggeredCampaigns", "loyalty"}),
        (["awardedGiveaways", "previousReturns"], {"awardedGiveaways", "previousReturns"}),
        (["customerSession"], set()),
    ],
)
def test_response_content_adds_its_entities_on_top_of_the_session(
    client: Client, content: list[str], added: set[str]
) -> None:
    body = client.update("extra", {"profileId": "p1", "cartItems": [SHOES]}, response_content=tuple(content))
    assert set(body.json()) == ALWAYS | added


def test_dry_run_only_entities_come_only_on_a_dry_run(client: Client) -> None:
    content = ("ruleFailureReasons", "campaignEligibility")
    wet = client.update("dry-only", {"cartItems": [SHOES]}, response_content=content).json()
    dry = client.update("dry-only", {"cartItems": [SOCKS]}, response_content=content, dry=True).json()
    assert set(wet) == ALWAYS
    assert set(dry) == ALWAYS | set(content)


def test_the_profile_has_no_deprecated_loyalty_memberships(client: Client) -> None:
    # The spec: loyaltyMemberships is "DEPRECATED. Always returns null".
    body = client.update("p", {"profileId": "p1"}, response_content=("customerProfile",)).json()
    assert "loyaltyMemberships" not in body["customerProfile"]
    assert body["customerProfile"]["integrationId"] == "p1"


def test_a_dry_run_does_not_move_the_profiles_last_activity(client: Client, fake: TalonFake) -> None:
    fake.clock.set(T0)
    made = client.update("act", {"profileId": "p1"}, response_content=("customerProfile",)).json()
    fake.clock.advance(timedelta(hours=1))
    dry = client.update("act", {"cartItems": [SHOES]}, dry=True, response_content=("customerProfile",))
    assert dry.json()["customerProfile"]["lastActivity"] == made["customerProfile"]["lastActivity"]
    wet = client.update("act", {"cartItems": [SHOES]}, response_content=("customerProfile",)).json()
    assert wet["customerProfile"]["lastActivity"] > made["customerProfile"]["lastActivity"]


def _event(client: Client, response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    event: dict[str, Any] = response.json()["event"]
    return event


def test_each_operation_answers_its_built_in_event(client: Client) -> None:
    content = ("event",)
    kinds = [
        _event(
            client, client.update("ev", {"profileId": "p1", "cartItems": [SHOES]}, response_content=content)
        ),
        _event(client, client.update("ev", {"cartItems": [SHOES, SOCKS]}, response_content=content)),
        _event(client, client.update("ev", {"state": "closed"}, response_content=content)),
        _event(client, client.return_items("ev", [{"position": 0, "quantity": 1}], response_content=content)),
        _event(client, client.update("ev", {"state": "cancelled"}, response_content=content)),
        _event(client, client.update("ev2", {"cartItems": [SOCKS]}, response_content=content)),
        _event(client, client.update("ev2", {"state": "cancelled"}, response_content=content)),
    ]
    assert [event["type"] for event in kinds] == [
        "talon_session_created",
        "talon_session_updated",
        "talon_session_closed",
        "talon_session_partially_returned",
        "talon_session_revoked",  # a closed (here partially returned) session cancelled
        "talon_session_created",
        "talon_session_cancelled",  # an open one
    ]
    ids = [event["id"] for event in kinds]
    assert ids == sorted(set(ids)), f"event IDs are not new and increasing: {ids}"
    assert {event["sessionId"] for event in kinds[:5]} == {"ev"}
    assert kinds[0]["profileId"] == "p1"


def test_a_reopen_is_an_event_too(client: Client) -> None:
    made = client.update("re", {"state": "closed", "cartItems": [SHOES]}, response_content=("event",))
    assert client.reopen("re").status_code == 200  # talon_session_reopened, not in its answer
    after = client.update("re", {"cartItems": [SOCKS]}, response_content=("event",)).json()["event"]
    assert after["type"] == "talon_session_updated"
    assert after["id"] == made.json()["event"]["id"] + 2


def test_a_dry_run_takes_no_event_id(client: Client) -> None:
    first = client.update("d", {"cartItems": [SHOES]}, response_content=("event",)).json()["event"]
    dry = client.update("d", {"cartItems": [SOCKS]}, dry=True, response_content=("event",)).json()["event"]
    wet = client.update("d", {"cartItems": [SOCKS]}, response_content=("event",)).json()["event"]
    assert dry["id"] == wet["id"] == first["id"] + 1
