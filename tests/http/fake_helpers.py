"""What the HTTP tests of the fake share: carts, times, and readers of answers.

A plain module (tests/http is on ``sys.path`` under pytest's default import mode), because test
modules cannot import a conftest reliably.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from talon_fakes import Operation, State

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

SHOES = {"sku": "SHOE-1", "name": "Runner", "quantity": 3, "price": 10.0}
SOCKS = {"sku": "SOCK-1", "quantity": 2, "price": 2.5}
T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
UPDATE, RETURN, REOPEN = Operation.UPDATE, Operation.RETURN, Operation.REOPEN
OPEN, CLOSED, RETURNED, CANCELLED = State.OPEN, State.CLOSED, State.PARTIALLY_RETURNED, State.CANCELLED


def source(response: requests.Response) -> dict[str, str]:
    """The ``source`` of the first error of a 400/401/404 body."""
    return response.json()["errors"][0]["source"]


def session_of(response: requests.Response) -> dict[str, Any]:
    """The ``customerSession`` of a 200 answer."""
    assert response.status_code == 200, response.text
    return response.json()["customerSession"]


def lines(session: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(sku, returnedQuantity, remainingQuantity) per cart item."""
    return [(i["sku"], i["returnedQuantity"], i["remainingQuantity"]) for i in session["cartItems"]]


def closed(client: Client, session_id: str, *cart: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A session created closed with ``cart``."""
    return session_of(client.update(session_id, {"state": "closed", "cartItems": list(cart), **fields}))


def effect(operation: str) -> dict[str, Any]:
    """A valid effect naming ``operation``, for effects hooks."""
    props = {"notificationType": "info", "title": operation, "body": "from the test's hook"}
    rule = {"campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "note"}
    return rule | {"effectType": "showNotification", "props": props}


def update_in_thread(client: Client, session_id: str, body: dict[str, Any]) -> requests.Response:
    """A PUT from a client of its own (for another thread)."""
    worker = client.spawn()
    try:
        return worker.update(session_id, body)
    finally:
        worker.close()
