"""The API surface the fake serves, as one table: every part that needs a route reads it.

Each :class:`Operation` is one endpoint of the Talon.One spec: its handler name (the verb of
every layer, ``update_customer_session``), the spec's ``operationId``, method, path template,
which API it belongs to (and so which credentials it takes), the contract of its request body,
and the contract of its answer body per status. The fake's router
(:data:`talon_fakes.fake.web.routes.ROUTES`), the OpenAPI document
(:mod:`talon_fakes.fake.web.openapi`), the plugin's response check, the recorded traffic checker
(:mod:`talon_fakes.contracts.traffic`) and the proxy all read it, so they cannot disagree on
which contract an exchange must follow.

Answer contracts follow the responses of each operation in Talon.One's API reference
(https://docs.talon.one/integration-api, https://docs.talon.one/management-api): ``200`` the
operation's own; ``400`` Talon.One's ``ErrorResponse`` (no status in it); ``401``, ``404`` and
``409`` its ``ErrorResponseWithStatus``. The fake's 404s where the spec declares none are said in
the OpenAPI document's descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import quote

Api = Literal["integration", "management"]

#: The contract of a 400 answer, and of every other error answer (any 4xx the table does not list).
BAD_REQUEST: Final = "error-response"
ERROR_WITH_STATUS: Final = "error-response-with-status"

_SESSION = "/v2/customer_sessions/{customerSessionId}"
_APP_SESSIONS = "/v1/applications/{applicationId}/sessions"


def _errors(*statuses: int) -> dict[int, str]:
    return {status: BAD_REQUEST if status == 400 else ERROR_WITH_STATUS for status in statuses}


@dataclass(frozen=True)
class Operation:
    """One endpoint: how a request reaches it and which contract each body follows."""

    name: str
    operation_id: str
    method: str
    path: str
    api: Api
    request: str | None
    answers: Mapping[int, str]
    #: The path as a regular expression; its named groups are the path parameters of ``path``.
    pattern: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path)
        object.__setattr__(self, "pattern", re.compile(pattern))

    def path_of(self, **values: object) -> str:
        """The path a client sends: the template's parameters filled with ``values``, each
        percent-encoded whole, so a ``/``, a space or a non-ASCII letter in an ID stays inside its
        segment (``path_of(customerSessionId="a b")`` is ``/v2/customer_sessions/a%20b``)."""
        names = set(self.pattern.groupindex)
        if set(values) != names:
            raise TypeError(
                f"{self.name} takes the path parameters {', '.join(sorted(names))}, "
                f"not {', '.join(sorted(values)) or 'none'}; pass each of them by name"
            )
        return re.sub(r"\{(\w+)\}", lambda found: quote(str(values[found[1]]), safe=""), self.path)

    def answer_contract(self, status: int) -> str | None:
        """The contract of this operation's answer with ``status`` (see :func:`answer_contract`)."""
        return answer_contract(self, status)


#: Every operation the fake serves, in the order of the spec's pages.
OPERATIONS: Final[tuple[Operation, ...]] = (
    Operation(
        "update_customer_session",
        "updateCustomerSessionV2",
        "PUT",
        _SESSION,
        "integration",
        "integration-request-v2",
        {200: "integration-state-v2", **_errors(400, 401, 404, 409)},
    ),
    Operation(
        "get_customer_session",
        "getCustomerSession",
        "GET",
        _SESSION,
        "integration",
        None,
        {200: "customer-session-response-v2", **_errors(400, 401, 404)},
    ),
    Operation(
        "return_cart_items",
        "returnCartItems",
        "POST",
        _SESSION + "/returns",
        "integration",
        "return-request",
        # Overlapping returns wait for each other; the spec declares 409 on the PUT only.
        {200: "integration-state-v2", **_errors(400, 401, 404)},
    ),
    Operation(
        "reopen_customer_session",
        "reopenCustomerSession",
        "PUT",
        _SESSION + "/reopen",
        "integration",
        None,
        {200: "reopen-response", **_errors(400, 401, 404)},
    ),
    Operation(
        "list_application_sessions",
        "getApplicationSessions",
        "GET",
        _APP_SESSIONS,
        "management",
        None,
        {200: "application-sessions-page", **_errors(400, 401, 404)},
    ),
    Operation(
        "get_application_session",
        "getApplicationSession",
        "GET",
        _APP_SESSIONS + "/{sessionId}",
        "management",
        None,
        {200: "application-session", **_errors(400, 401, 404)},
    ),
)

_BY_NAME: Final = {operation.name: operation for operation in OPERATIONS}


def operation(name: str) -> Operation:
    """The operation whose handler is ``name``; a ``KeyError`` naming the known ones otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no operation {name!r}; the fake's: {', '.join(_BY_NAME)}") from None


def route(method: str, path: str) -> Operation | None:
    """The operation a request of ``method`` to ``path`` (no query string) reaches, if any."""
    verb = method.upper()
    for candidate in OPERATIONS:
        if candidate.method == verb and candidate.pattern.fullmatch(path):
            return candidate
    return None


def answer_contract(operation: Operation | None, status: int) -> str | None:
    """The contract of an answer: the operation's for a status it declares; for any other 4xx
    (and any 4xx of a request no operation takes) Talon.One's error shape, since every error the
    API answers has it; ``None`` for anything else (a 5xx, an undeclared 2xx): no contract."""
    if operation is not None and status in operation.answers:
        return operation.answers[status]
    if 400 <= status < 500:
        return BAD_REQUEST if status == 400 else ERROR_WITH_STATUS
    return None


def error_response(
    message: str, *, pointer: str | None = None, parameter: str | None = None, title: str
) -> dict[str, Any]:
    """The 400 ``error-response`` body."""
    source = {"pointer": pointer} if pointer is not None else {"parameter": parameter or ""}
    return {"message": message, "errors": [{"title": title, "details": message, "source": source}]}


def error_with_status(
    message: str, status: int, *, title: str, parameter: str | None = None
) -> dict[str, Any]:
    """The 401/404/409 ``error-response-with-status`` body."""
    error: dict[str, Any] = {"title": title, "details": message, "source": {"parameter": parameter or ""}}
    return {"message": message, "errors": [error], "StatusCode": status}
