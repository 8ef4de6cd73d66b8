"""Fixtures for driving the fake over real HTTP.

One server per rule set starts once per test session and is reset before every test (and every
Hypothesis example resets it itself). ``client`` wraps a ``requests.Session`` and checks every
response body against its contract in strict mode, so no test can forget to.

There is deliberately no ``__init__.py`` here: a package named ``http`` would shadow the
standard library's ``http`` under pytest's default import mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import requests

import talon_fakes
from talon_fakes._plugin import operations
from talon_fakes._plugin.checks import contract_for
from talon_fakes._plugin.operations import Call, authorization, query_string
from talon_fakes.fake.server import TalonFake


def error_contract(status: int) -> str:
    """The contract of an error body: 400 has no status code in it; 401/404/409/5xx do."""
    return contract_for(None, status)  # the plugin's rule, so the two cannot drift apart


def assert_valid(body: Any, contract: str) -> None:
    """Zero violations (errors, drift warnings or invariants) in strict mode."""
    violations = talon_fakes.validate(body, contract, strict=True)
    assert violations == [], f"{contract}: " + "; ".join(map(str, violations))


def check(response: requests.Response, ok_contract: str) -> requests.Response:
    """Validate ``response``'s body: ``ok_contract`` for a 200, the error contract otherwise."""
    contract = ok_contract if response.status_code == 200 else error_contract(response.status_code)
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    assert_valid(response.json(), contract)
    return response


class Client:
    """One ``requests.Session`` against one fake; each call checks its response's contract.

    Each operation's request (path, query string, body, API) is the plugin's
    (:mod:`talon_fakes._plugin.operations`, which ``talon_client`` sends too); this class sends it
    with keep-alive and checks the answer. Not thread-safe (``requests.Session`` is not): give
    each thread its own with :meth:`spawn`.
    """

    def __init__(self, fake: TalonFake) -> None:
        self.fake = fake
        self.http = requests.Session()

    def spawn(self) -> Client:
        """A new client (its own connection pool) against the same fake."""
        return Client(self.fake)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    # The module's helpers, for test modules (they cannot import a conftest reliably).
    check = staticmethod(check)
    assert_valid = staticmethod(assert_valid)
    error_contract = staticmethod(error_contract)
    path = staticmethod(operations.session_path)

    def send(
        self,
        method: str,
        path: str,
        *,
        ok_contract: str,
        api: str = "integration",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Any request (``json=``, ``data=`` raw bytes, ...); ``headers`` replace the API's default
        authorization when given."""
        sent = authorization(api, self.fake) if headers is None else dict(headers)
        response = self.http.request(
            method, self.fake.url(path + query_string(params or {})), headers=sent, **kwargs
        )
        return check(response, ok_contract)

    def _send(self, call: Call, *, headers: Mapping[str, str] | None = None) -> requests.Response:
        # The call's own headers (Idempotency-Key) go with the authorization or its replacement.
        sent = {**(authorization(call.api, self.fake) if headers is None else headers), **call.headers}
        kwargs = {} if call.body is None else {"json": call.body}
        return self.send(call.method, call.target, ok_contract=call.ok_contract, headers=sent, **kwargs)

    # -- Integration API ---------------------------------------------------------------------

    def update(
        self,
        session_id: str,
        customer_session: Mapping[str, Any],
        *,
        response_content: tuple[str, ...] | None = None,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> requests.Response:
        """PUT /v2/customer_sessions/{id} (``dry=True``, ``now=...`` as query parameters).

        Without ``response_content`` the body has no ``responseContent``, as most shops send it.
        """
        call = operations.update_customer_session(
            session_id, customer_session, response_content=response_content, params=params
        )
        return self._send(call, headers=headers)

    def get(self, session_id: str, *, headers: Mapping[str, str] | None = None) -> requests.Response:
        """GET /v2/customer_sessions/{id}."""
        return self._send(operations.get_customer_session(session_id), headers=headers)

    def return_items(
        self,
        session_id: str,
        items: list[dict[str, Any]],
        *,
        key: str | None = None,
        response_content: tuple[str, ...] | None = None,
        **params: Any,
    ) -> requests.Response:
        """POST /v2/customer_sessions/{id}/returns, with an Idempotency-Key when ``key`` is given."""
        call = operations.return_cart_items(
            session_id, items, idempotency_key=key, response_content=response_content, params=params
        )
        return self._send(call)

    def reopen(self, session_id: str, *, headers: Mapping[str, str] | None = None) -> requests.Response:
        """PUT /v2/customer_sessions/{id}/reopen."""
        return self._send(operations.reopen_customer_session(session_id), headers=headers)

    def stored(self, session_id: str) -> Any:
        """The GET body of a session (``None`` when the fake answers 404)."""
        response = self.get(session_id)
        assert response.status_code in (200, 404), response.text
        return response.json() if response.status_code == 200 else None

    # -- Management API ----------------------------------------------------------------------

    def list_sessions(
        self,
        *,
        application_id: int | str | None = None,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> requests.Response:
        """GET /v1/applications/{appId}/sessions."""
        app = self.fake.application_id if application_id is None else application_id
        return self._send(operations.list_application_sessions(app, params), headers=headers)

    def application_session(
        self, session_id: int | str, *, application_id: int | None = None
    ) -> requests.Response:
        """GET /v1/applications/{appId}/sessions/{sessionId} (the internal ID)."""
        app = self.fake.application_id if application_id is None else application_id
        return self._send(operations.get_application_session(app, session_id))


@pytest.fixture(scope="session")
def fake_for() -> Iterator[Callable[[str], TalonFake]]:
    """A started server for a rule set; each one starts on first use and stops at the end."""
    servers: dict[str, TalonFake] = {}

    def start(rules: str) -> TalonFake:
        if rules not in servers:
            servers[rules] = TalonFake(rules=rules).start()
        return servers[rules]

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture
def fake(request: pytest.FixtureRequest, fake_for: Callable[[str], TalonFake]) -> Iterator[TalonFake]:
    """The fake of the rule set given by indirect parametrisation (``current`` otherwise), reset.

    Afterwards it re-raises what the server thread hit, so a broken fake never hides behind a 500.
    """
    server = fake_for(getattr(request, "param", "current"))
    server.reset()  # the clock too: a test that stopped it leaks nothing
    yield server
    server.check_errors()


@pytest.fixture
def client(fake: TalonFake) -> Iterator[Client]:
    """A contract-checking HTTP client of ``fake``."""
    http = Client(fake)
    yield http
    http.close()


@pytest.fixture(params=["in-process", "socket"])
def fake_in_each_mode(request: pytest.FixtureRequest) -> Iterator[TalonFake]:
    """A new fake, served in-process or on a socket (a test using it runs once in each mode);
    ``fake.url(...)`` points at it either way. Afterwards it re-raises what the server hit."""
    fake = TalonFake()
    if request.param == "socket":
        with fake:
            yield fake
    else:
        with fake.in_process():
            yield fake
    fake.check_errors()
