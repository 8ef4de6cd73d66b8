"""The OpenAPI document's operations: its ``paths``, and the parameters, responses, links and
security schemes they refer to under ``components``.

Which operations there are, and the request and answer contracts of each status, come from the
API table (:mod:`talon_fakes.api`); summaries, parameters, links and descriptions are this
module's. Parameters, status codes and security schemes are those of the Talon.One spec, plus
the 404s and 400s the fake answers where the spec declares none (said in each description).
The document (:mod:`talon_fakes.fake.web.openapi`) puts these together with the contracts
(:mod:`talon_fakes.fake.web.openapi_schemas`).
"""

from __future__ import annotations

from typing import Any, Final

from talon_fakes import api
from talon_fakes.fake.web.openapi_schemas import schema_ref

_JSON = "application/json"
# Security requirements: the Integration API key, or either Management API credential.
_INTEGRATION: Final[list[dict[str, list[str]]]] = [{"api_key_v1": []}]
_MANAGEMENT: Final[list[dict[str, list[str]]]] = [{"management_key": []}, {"manager_auth": []}]

# Links say which value of one call feeds the next (clients and stateful fuzzers follow them).
# link name -> operationId: every Integration API call on the session a call was about.
_SAME_SESSION_LINKS = {
    "UpdateCustomerSession": "updateCustomerSessionV2",
    "GetCustomerSession": "getCustomerSession",
    "ReturnCartItems": "returnCartItems",
    "ReopenCustomerSession": "reopenCustomerSession",
}
_SAME_SESSION = tuple(_SAME_SESSION_LINKS)

_LIST_PARAMETERS = (
    "applicationId",
    "pageSize",
    "skip",
    "sort",
    "partialMatch",
    "profile",
    "state",
    "createdBefore",
    "createdAfter",
    "coupon",
    "referral",
    "integrationId",
    "storeIntegrationId",
)


# -- paths ----------------------------------------------------------------------------------------


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {_JSON: {"schema": schema}}


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _ok(schema: str, *links: str, description: str = "OK") -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": _json(schema_ref(schema))}
    if links:
        response["links"] = {name: {"$ref": f"#/components/links/{name}"} for name in links}
    return response


_ERROR_RESPONSES: Final = {
    400: ("BadRequest", api.BAD_REQUEST),
    401: ("Unauthorized", api.ERROR_WITH_STATUS),
    404: ("NotFound", api.ERROR_WITH_STATUS),
    409: ("Conflict", api.ERROR_WITH_STATUS),
}


def _errors(operation: str, *statuses: int) -> dict[str, Any]:
    refs = {}
    for status in statuses:
        name, contract = _ERROR_RESPONSES[status]
        # The shared response must carry the contract the API table gives this status.
        if api.operation(operation).answers[status] != contract:
            raise ValueError(f"{operation}: {status} answers {contract!r} in the document, not the table's")
        refs[str(status)] = {"$ref": f"#/components/responses/{name}"}
    return refs


def document_paths() -> dict[str, Any]:
    """The document's ``paths``: one item a path, one operation a method, as the API table lists them."""
    integration = {"tags": ["Customer sessions"], "security": _INTEGRATION}
    management = {"tags": ["Customer data"], "security": _MANAGEMENT}
    session_id = _param("customerSessionId")
    operations: dict[str, dict[str, Any]] = {
        "updateCustomerSessionV2": {
            "summary": "Update a customer session (create it if new)",
            "parameters": [session_id, _param("dry"), _param("now")],
            "links": _SAME_SESSION,
            **integration,
        },
        "getCustomerSession": {
            "summary": "Get a customer session",
            "parameters": [session_id],
            "links": (*_SAME_SESSION, "GetApplicationSession"),
            **integration,
        },
        "returnCartItems": {
            "summary": "Return cart items of a closed session",
            "parameters": [session_id, _param("dry"), _param("runRuleEngine"), _param("Idempotency-Key")],
            "links": _SAME_SESSION,
            **integration,
        },
        "reopenCustomerSession": {
            "summary": "Reopen a closed customer session",
            "parameters": [session_id],
            "links": _SAME_SESSION,
            "ok": "OK: the rolled-back effects",
            **integration,
        },
        "getApplicationSessions": {
            "summary": "List Application sessions",
            "parameters": [_param(name) for name in _LIST_PARAMETERS],
            "links": ("FirstApplicationSession",),
            **management,
        },
        "getApplicationSession": {
            "summary": "Get an Application session",
            "parameters": [_param("applicationId"), _param("sessionId")],
            **management,
        },
    }
    paths: dict[str, Any] = {}
    for operation in api.OPERATIONS:
        # The request and answer contracts come from the API table; the rest is the document's.
        described = dict(operations[operation.operation_id])
        summary, parameters = described.pop("summary"), described.pop("parameters")
        links, ok = described.pop("links", ()), described.pop("ok", "OK")
        item: dict[str, Any] = {"operationId": operation.operation_id, "summary": summary}
        item["parameters"] = parameters
        if operation.request is not None:
            item["requestBody"] = {"required": True, "content": _json(schema_ref(operation.request))}
        errors = [status for status in operation.answers if status != 200]
        item["responses"] = {
            "200": _ok(operation.answers[200], *links, description=ok),
            **_errors(operation.name, *errors),
        }
        paths.setdefault(operation.path, {})[operation.method.lower()] = {**item, **described}
    return paths


# -- components -----------------------------------------------------------------------------------


def document_links() -> dict[str, Any]:
    """The document's ``components/links``: which value of one call feeds the next."""
    links: dict[str, Any] = {
        name: {
            "operationId": operation_id,
            "parameters": {"customerSessionId": "$request.path.customerSessionId"},
            "description": "The same session, by its integration ID.",
        }
        for name, operation_id in _SAME_SESSION_LINKS.items()
    }
    links["GetApplicationSession"] = {
        "operationId": "getApplicationSession",
        "parameters": {
            "applicationId": "$response.body#/customerSession/applicationId",
            "sessionId": "$response.body#/customerSession/id",
        },
        "description": "The same session through the Management API, by its internal ID.",
    }
    links["FirstApplicationSession"] = {
        "operationId": "getApplicationSession",
        "parameters": {
            "applicationId": "$request.path.applicationId",
            "sessionId": "$response.body#/data/0/id",
        },
        "description": "The first session of the page, alone.",
    }
    return links


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _exact(what: str) -> str:
    return (
        f"Only sessions with this {what}: exact match, or partial with `partialMatch=true` (3+ characters)."
    )


def document_parameters() -> dict[str, Any]:
    """The document's ``components/parameters``, by the names the operations refer to."""
    boolean = {"type": "boolean"}
    date_time = {"type": "string", "format": "date-time"}
    string = {"type": "string"}
    params = {
        "customerSessionId": {
            "name": "customerSessionId",
            "in": "path",
            "required": True,
            "description": "The integration ID of the session, chosen by the integration.",
            "schema": string,
        },
        "dry": _query("dry", boolean, "Evaluate without persisting anything."),
        "now": _query(
            "now",
            date_time,
            "Evaluate as of this time (RFC 3339, in the future; only with `dry=true`).",
        ),
        "runRuleEngine": _query(
            "runRuleEngine",
            boolean,
            "Re-evaluate the session after the return (campaigns with `reevaluateOnReturn`).",
        ),
        "Idempotency-Key": {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": (
                "Makes a retried return a no-op that answers like the first (typically a UUID), for "
                "24 hours; the same key with a different request is a 400. The spec describes it in "
                "prose only."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        },
        "applicationId": {
            "name": "applicationId",
            "in": "path",
            "required": True,
            "description": "The ID of the Application.",
            "schema": {"type": "integer"},
        },
        "sessionId": {
            "name": "sessionId",
            "in": "path",
            "required": True,
            "description": "The internal ID of the session (`id`, not `integrationId`).",
            "schema": {"type": "integer"},
        },
        "pageSize": _query(
            "pageSize",
            {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000},
            "The number of sessions in the page.",
        ),
        "skip": _query(
            "skip",
            {"type": "integer", "minimum": 0},
            "The number of sessions to skip (the spec sets no minimum; the fake answers 400 below 0).",
        ),
        "sort": _query(
            "sort",
            string,
            "The field to sort by, ascending; prefix `-` for descending. The fake sorts by `id`, "
            "`created`, `integrationId`, `state`, `total` and `profileintegrationid` (400 otherwise).",
        ),
        "partialMatch": _query(
            "partialMatch",
            {"type": "boolean", "default": False},
            "Match one text filter (integrationId, profile, coupon, referral or storeIntegrationId) "
            "anywhere in the value, ignoring case; shorter than 3 characters falls back to exact.",
        ),
        "profile": _query("profile", string, _exact("profile integration ID")),
        "state": _query(
            "state",
            {"type": "string", "enum": ["open", "closed", "partially_returned", "cancelled"]},
            "Only sessions in this state.",
        ),
        "createdBefore": _query("createdBefore", date_time, "Only sessions created before this time."),
        "createdAfter": _query("createdAfter", date_time, "Only sessions created after this time."),
        "coupon": _query("coupon", string, _exact("coupon code")),
        "referral": _query("referral", string, _exact("referral code")),
        "integrationId": _query("integrationId", string, _exact("integration ID")),
        "storeIntegrationId": _query("storeIntegrationId", string, _exact("store integration ID")),
    }
    return params


def document_responses() -> dict[str, Any]:
    """The document's ``components/responses``: the error answers operations share."""
    with_status = _json(schema_ref(api.ERROR_WITH_STATUS))
    return {
        "BadRequest": {
            "description": "Bad request: the body or a parameter, named by `source.pointer` or "
            "`source.parameter`; also an illegal state transition.",
            "content": _json(schema_ref(api.BAD_REQUEST)),
        },
        "Unauthorized": {"description": "Unauthorized - Invalid API key", "content": with_status},
        "NotFound": {
            "description": "No such session or Application (the spec declares no 404 here; the fake "
            "answers one).",
            "content": with_status,
        },
        "Conflict": {
            "description": "Too many requests are updating this session at the same time.",
            "content": with_status,
        },
    }


#: The document's ``components/securitySchemes``: the Integration key and both Management credentials.
SECURITY_SCHEMES: Final = {
    "api_key_v1": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The Integration API key of an Application: `Authorization: ApiKey-v1 <key>`.",
    },
    "management_key": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "A Management API key: `Authorization: ManagementKey-v1 <key>`.",
    },
    "manager_auth": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "A Management API token from `POST /v1/sessions`: `Authorization: Bearer <token>`.",
    },
}
