"""The customer-session life cycle, as the Integration and Management APIs answer it today.

Run against the fake (default) and a real deployment (``--talon-live``); see the package docstring.
Only behaviour the real API documents is asserted, so a failure under ``--talon-live`` means the
fake, the contracts or these assumptions have drifted from the deployment.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    # Annotations only: run from a checkout, pytest imports this file under the folder's own name
    # (conftest_plugin.verified), and the fixtures come from the plugin (talon_fakes._plugin).
    from ..client import TalonClient, TalonResponse
    from ..target import Target

pytestmark = pytest.mark.talon_verified

CART = [
    {"sku": "SKU-SHOE", "name": "Shoe", "quantity": 2, "price": 49.5},
    {"sku": "SKU-SOCK", "name": "Sock", "quantity": 3, "price": 4.0},
]
STATE_POINTERS = ("/customerSession/state", "customerSessionId")


@pytest.fixture(autouse=True)
def _current_rules(talon_target: Target) -> None:
    if talon_target.rules != "current":
        pytest.skip(
            f"the life-cycle suite asserts the current rules; the fake follows {talon_target.rules!r}"
        )


def new_id() -> str:
    """An integration ID no earlier run used (a real deployment keeps every session)."""
    return f"talon-fakes-{uuid.uuid4().hex}"


def ok(response: TalonResponse) -> dict[str, Any]:
    """The body of a 200 (the contract check of the plugin has run on it)."""
    assert response.status == 200, f"expected 200, got {response.status}: {response.body}"
    assert isinstance(response.body, dict)
    return response.body


def session_of(response: TalonResponse) -> dict[str, Any]:
    """``customerSession`` of a 200 body."""
    session = ok(response)["customerSession"]
    assert isinstance(session, dict)
    return session


def rejected(response: TalonResponse) -> str:
    """A 400 for an illegal move: its first error names the state (or the session) as the culprit."""
    assert response.status == 400, f"expected 400, got {response.status}: {response.body}"
    source = response.body["errors"][0].get("source") or {}
    culprit = source.get("pointer") or source.get("parameter")
    assert culprit in STATE_POINTERS, f"the 400 names {culprit!r}, not the session state: {response.body}"
    return str(response.body["message"])


def open_session(client: TalonClient, integration_id: str) -> dict[str, Any]:
    """Create an open session with :data:`CART`."""
    return session_of(
        client.update_customer_session(
            integration_id, {"profileId": integration_id + "-p", "cartItems": CART}
        )
    )


def closed_session(client: TalonClient, integration_id: str) -> dict[str, Any]:
    """Create an open session, then close it."""
    open_session(client, integration_id)
    return session_of(client.update_customer_session(integration_id, {"state": "closed"}))


def test_a_new_session_is_open_with_its_cart_totalled(talon_client: TalonClient) -> None:
    integration_id = new_id()
    session = open_session(talon_client, integration_id)
    assert session["integrationId"] == integration_id
    assert session["state"] == "open"
    assert session["cartItemTotal"] == pytest.approx(2 * 49.5 + 3 * 4.0)
    assert [item["sku"] for item in session["cartItems"]] == ["SKU-SHOE", "SKU-SOCK"]


def test_an_update_changes_the_cart_and_get_reads_it_back(talon_client: TalonClient) -> None:
    integration_id = new_id()
    open_session(talon_client, integration_id)
    cart = [{**CART[0], "quantity": 1}]
    updated = session_of(talon_client.update_customer_session(integration_id, {"cartItems": cart}))
    assert updated["state"] == "open"
    assert updated["cartItemTotal"] == pytest.approx(49.5)
    stored = ok(talon_client.get_customer_session(integration_id))["customerSession"]
    assert stored["cartItemTotal"] == pytest.approx(49.5)
    assert stored["id"] == updated["id"]


def test_a_closed_session_takes_a_return(talon_client: TalonClient) -> None:
    integration_id = new_id()
    closed = closed_session(talon_client, integration_id)
    assert closed["state"] == "closed"
    returned = session_of(talon_client.return_cart_items(integration_id, [{"position": 0, "quantity": 1}]))
    assert returned["state"] == "partially_returned"
    assert returned["cartItems"][0]["quantity"] == 2  # the quantity stays; returnedQuantity counts


def test_a_closed_session_can_be_reopened(talon_client: TalonClient) -> None:
    integration_id = new_id()
    closed_session(talon_client, integration_id)
    assert "effects" in ok(talon_client.reopen_customer_session(integration_id))
    assert ok(talon_client.get_customer_session(integration_id))["customerSession"]["state"] == "open"


@pytest.mark.parametrize("start", ["open", "closed"])
def test_open_and_closed_sessions_can_be_cancelled(talon_client: TalonClient, start: str) -> None:
    integration_id = new_id()
    (open_session if start == "open" else closed_session)(talon_client, integration_id)
    cancelled = session_of(talon_client.update_customer_session(integration_id, {"state": "cancelled"}))
    assert cancelled["state"] == "cancelled"


def test_illegal_moves_are_rejected(talon_client: TalonClient) -> None:
    integration_id = new_id()
    open_session(talon_client, integration_id)
    # Only a return may make a session partially_returned, and only of a closed one.
    rejected(talon_client.update_customer_session(integration_id, {"state": "partially_returned"}))
    rejected(talon_client.reopen_customer_session(integration_id))  # only a closed session reopens
    talon_client.update_customer_session(integration_id, {"state": "cancelled"})
    rejected(talon_client.update_customer_session(integration_id, {"state": "open"}))  # cancelled is final
    stored = ok(talon_client.get_customer_session(integration_id))["customerSession"]
    assert stored["state"] == "cancelled"


def test_unknown_sessions_and_wrong_keys_are_errors(talon_client: TalonClient) -> None:
    assert talon_client.get_customer_session(new_id()).status == 404
    wrong_key = {"Authorization": "ApiKey-v1 talon-fakes-not-a-key"}
    assert talon_client.request("GET", talon_client.session_path(new_id()), headers=wrong_key).status == 401


def test_management_api_lists_and_gets_the_session(talon_client: TalonClient) -> None:
    integration_id = new_id()
    session = closed_session(talon_client, integration_id)
    application_id = session["applicationId"]
    page = ok(
        talon_client.list_application_sessions(application_id=application_id, integrationId=integration_id)
    )
    assert [s["integrationId"] for s in page["data"]] == [integration_id]
    listed = page["data"][0]
    assert listed["id"] == session["id"]
    assert listed["state"] == "closed"
    one = ok(talon_client.get_application_session(listed["id"], application_id=application_id))
    assert one["integrationId"] == integration_id
    assert one["total"] == pytest.approx(session["total"])
