"""The request of each session operation, built once for every client that sends one.

:mod:`talon_fakes.api` says where an operation lives (method, path template, API, contracts);
this module turns a call's arguments into the request itself: the path with its IDs
percent-encoded, the query string (booleans as Talon.One's ``true``/``false``, ``None`` left
out), the JSON body's envelope, the extra headers, and which API's key authorizes it.
``talon_client`` sends these over the standard library's ``urllib``; the project's own HTTP tests
send the same ones over ``requests`` (keep-alive, one pool per thread) and check each answer
strictly. Neither knows a path or an encoding of its own, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from talon_fakes.api import Api, Operation, operation


class Keys(Protocol):
    """What holds the keys of both APIs: the fake, or the plugin's ``talon_target``."""

    @property
    def integration_headers(self) -> Mapping[str, str]:
        """``Authorization: ApiKey-v1 <key>``."""

    @property
    def management_headers(self) -> Mapping[str, str]:
        """``Authorization: ManagementKey-v1 <key>``."""


def authorization(api: str, keys: Keys) -> dict[str, str]:
    """The headers that authorize a request to ``api`` (``integration`` or ``management``)."""
    if api == "integration":
        return dict(keys.integration_headers)
    if api == "management":
        return dict(keys.management_headers)
    raise ValueError(f"api must be 'integration' or 'management', not {api!r}")


def query_string(params: Mapping[str, Any]) -> str:
    """``?name=value&...`` of ``params``, or ``""`` when none is left.

    Booleans are ``true``/``false`` as Talon.One reads them (Python's ``True`` is not), and a
    ``None`` leaves its parameter out, so a keyword's default sends nothing.
    """
    pairs = [
        (name, ("true" if value else "false") if isinstance(value, bool) else str(value))
        for name, value in params.items()
        if value is not None
    ]
    return "?" + urlencode(pairs) if pairs else ""


@dataclass(frozen=True)
class Call:
    """One request to one operation, before any transport sends it."""

    operation: Operation
    #: The path, its IDs percent-encoded; no query string.
    path: str
    #: ``""`` or ``?name=value&...`` (see :func:`query_string`).
    query: str = ""
    #: The JSON body, ``None`` for a request without one.
    body: Any = None
    #: Headers besides the API's authorization (``Idempotency-Key``).
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """``GET``, ``PUT``, ``POST``."""
        return self.operation.method

    @property
    def api(self) -> Api:
        """Which API's key authorizes the request."""
        return self.operation.api

    @property
    def target(self) -> str:
        """The path and the query string: what follows the base URL."""
        return self.path + self.query

    @property
    def ok_contract(self) -> str:
        """The contract of the operation's 200 answer."""
        return self.operation.answers[200]


def _call(
    name: str,
    path_values: Mapping[str, object],
    *,
    params: Mapping[str, Any] | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Call:
    found = operation(name)
    return Call(found, found.path_of(**path_values), query_string(params or {}), body, dict(headers or {}))


def _with_content(body: dict[str, Any], response_content: Sequence[str] | None) -> dict[str, Any]:
    # Sent only when given, as most shops send it: the answer has the session either way.
    if response_content is not None:
        body["responseContent"] = list(response_content)
    return body


def session_path(integration_id: str) -> str:
    """The path of a customer session, its integration ID percent-encoded (spaces, ``/``, non-ASCII)."""
    return operation("get_customer_session").path_of(customerSessionId=integration_id)


# -- Integration API -----------------------------------------------------------------------------


def update_customer_session(
    integration_id: str,
    customer_session: Mapping[str, Any],
    *,
    response_content: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Call:
    """PUT /v2/customer_sessions/{id} (``params``: ``dry``, ``now``)."""
    body = _with_content({"customerSession": dict(customer_session)}, response_content)
    return _call("update_customer_session", {"customerSessionId": integration_id}, params=params, body=body)


def get_customer_session(integration_id: str) -> Call:
    """GET /v2/customer_sessions/{id}."""
    return _call("get_customer_session", {"customerSessionId": integration_id})


def return_cart_items(
    integration_id: str,
    items: Sequence[Mapping[str, Any]],
    *,
    idempotency_key: str | None = None,
    response_content: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Call:
    """POST /v2/customer_sessions/{id}/returns (``items``: ``{"position": 0, "quantity": 1}``),
    with an ``Idempotency-Key`` when ``idempotency_key`` is given (``params``: ``dry``)."""
    body = _with_content({"return": {"returnedCartItems": [dict(item) for item in items]}}, response_content)
    headers = {} if idempotency_key is None else {"Idempotency-Key": idempotency_key}
    return _call(
        "return_cart_items", {"customerSessionId": integration_id}, params=params, body=body, headers=headers
    )


def reopen_customer_session(integration_id: str) -> Call:
    """PUT /v2/customer_sessions/{id}/reopen."""
    return _call("reopen_customer_session", {"customerSessionId": integration_id})


# -- Management API ------------------------------------------------------------------------------


def list_application_sessions(application_id: int | str, params: Mapping[str, Any] | None = None) -> Call:
    """GET /v1/applications/{appId}/sessions (``params``: ``integrationId``, ``state``, ``pageSize``, ...)."""
    return _call("list_application_sessions", {"applicationId": application_id}, params=params)


def get_application_session(application_id: int | str, session_id: int | str) -> Call:
    """GET /v1/applications/{appId}/sessions/{sessionId} (the session's internal ``id``)."""
    return _call("get_application_session", {"applicationId": application_id, "sessionId": session_id})
