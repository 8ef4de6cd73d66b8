"""``talon_client``: a small HTTP client of the session endpoints, on the standard library only.

It talks to ``talon_target`` (the fake, or the live deployment), so one test runs in both modes;
the shipped ``talon_fakes._plugin.verified`` suite uses it, since the package's core dependencies
bring no HTTP client. Every response it receives is contract-checked by the plugin (the fake's
journal, or recorded here when live). One method per operation, named as the fake's handlers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import operations
from .observer import observed
from .operations import Call, authorization, query_string
from .state import RunState
from .target import Target


@dataclass(frozen=True)
class TalonResponse:
    """A response: the status, the JSON body (text when it is not JSON) and the headers."""

    status: int
    body: Any
    headers: Mapping[str, str]


class TalonClient:
    """Requests to ``talon_target``; the fake's handlers' names: ``update_customer_session``, ...

    Each operation's request (path, query string, body, API) is built by
    :mod:`~talon_fakes._plugin.operations`; this class only sends it.
    """

    def __init__(self, target: Target, run: RunState, *, timeout: float = 30.0) -> None:
        self.target, self._run, self.timeout = target, run, timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        api: str = "integration",
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> TalonResponse:
        """Any request; ``api`` (``integration`` or ``management``) picks the Authorization header."""
        sent = authorization(api, self.target)
        sent.update(headers or {})
        data = None if body is None else json.dumps(body).encode("utf-8")
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        sent.setdefault("Accept", "application/json")
        url = self.target.url(path) + query_string(params or {})
        request = urllib.request.Request(url, data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, raw, got = answer.status, answer.read(), dict(answer.headers)
        except urllib.error.HTTPError as error:  # 4xx/5xx: still an answer, with a body
            status, raw, got = error.code, error.read(), dict(error.headers)
        except (urllib.error.URLError, OSError) as error:  # no answer at all: say where it went
            reason = getattr(error, "reason", error)
            where = "TALON_BASE_URL" if self.target.live else "the fake's base URL"
            raise ConnectionError(
                f"talon_client: {method} {url} got no answer ({reason}); check {where}, "
                f"{self.target.base_url!r}"
            ) from None
        base_path = urlsplit(self.target.base_url).path.rstrip("/")
        seen = observed(method, urlsplit(url).path, status, raw, base_path)
        self._run.record(seen)  # live only: the fake's journal has its own
        return TalonResponse(status, seen.body, got)

    def _send(self, call: Call) -> TalonResponse:
        # The query string is the call's already: request() would encode params a second time.
        return self.request(call.method, call.target, api=call.api, body=call.body, headers=call.headers)

    # -- Integration API -------------------------------------------------------------------------

    session_path = staticmethod(operations.session_path)

    def update_customer_session(
        self,
        integration_id: str,
        customer_session: Mapping[str, Any],
        *,
        response_content: Sequence[str] | None = None,
        dry: bool | None = None,
    ) -> TalonResponse:
        """PUT /v2/customer_sessions/{id} (creates the session when new).

        ``response_content`` is sent only when given: the answer has the session either way.
        """
        return self._send(
            operations.update_customer_session(
                integration_id, customer_session, response_content=response_content, params={"dry": dry}
            )
        )

    def get_customer_session(self, integration_id: str) -> TalonResponse:
        """GET /v2/customer_sessions/{id}."""
        return self._send(operations.get_customer_session(integration_id))

    def return_cart_items(
        self,
        integration_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str | None = None,
        response_content: Sequence[str] | None = None,
    ) -> TalonResponse:
        """POST /v2/customer_sessions/{id}/returns (``items``: ``{"position": 0, "quantity": 1}``)."""
        return self._send(
            operations.return_cart_items(
                integration_id, items, idempotency_key=idempotency_key, response_content=response_content
            )
        )

    def reopen_customer_session(self, integration_id: str) -> TalonResponse:
        """PUT /v2/customer_sessions/{id}/reopen."""
        return self._send(operations.reopen_customer_session(integration_id))

    # -- Management API --------------------------------------------------------------------------

    def _application(self, application_id: int | None) -> int:
        app = self.target.application_id if application_id is None else application_id
        if app is None:
            raise ValueError(
                "no Application ID: pass application_id= (e.g. customerSession.applicationId of a response) "
                "or set TALON_APPLICATION_ID"
            )
        return app

    def list_application_sessions(self, *, application_id: int | None = None, **params: Any) -> TalonResponse:
        """GET /v1/applications/{appId}/sessions (``integrationId=``, ``state=``, ``pageSize=``, ...)."""
        return self._send(operations.list_application_sessions(self._application(application_id), params))

    def get_application_session(self, session_id: int, *, application_id: int | None = None) -> TalonResponse:
        """GET /v1/applications/{appId}/sessions/{sessionId} (the internal ``id``)."""
        return self._send(operations.get_application_session(self._application(application_id), session_id))
