"""An OpenAPI 3.1 document of exactly the endpoints the fake serves, built from the contracts.

::

    doc = talon_fakes.fake.openapi.document()  # or: talon-fakes openapi > talon-fakes.openapi.json

Every request and response body is one of our contracts, embedded under ``components/schemas``
by name (OpenAPI 3.1 schemas are JSON Schema 2020-12). Their ``$ref`` by ``$id`` become
``#/components/schemas/<name>`` pointers and the ``$id`` goes, so the document is
self-contained: no tool ever resolves a reference over the network. Parameters, status codes and
security schemes are those of the Talon.One spec, plus the 404s and 400s the fake answers where the
spec declares none (said in each description).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Final

from talon_fakes import __version__, api
from talon_fakes.contracts.loading import BASE_URI, VERSION, check_name, schemas

OPENAPI_VERSION: Final = "3.1.0"

_JSON = "application/json"
# Security requirements: the Integration API key, or either Management API credential.
_INTEGRATION: Final[list[dict[str, list[str]]]] = [{"api_key_v1": []}]
_MANAGEMENT: Final[list[dict[str, list[str]]]] = [{"management_key": []}, {"manager_auth": []}]

# Keywords whose values are data, not schemas: a "$ref" key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples", "example"})

#: (method, path, operationId as in the Talon.One spec, handler), read from :mod:`talon_fakes.api`.
OPERATIONS: Final[tuple[tuple[str, str, str, str], ...]] = tuple(
    (operation.method.lower(), operation.path, operation.operation_id, operation.name)
    for operation in api.OPERATIONS
)

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


def document(*, strict: bool = False) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the fake (a new dict each call: mutate it freely).

    With ``strict``, the embedded contracts are the strict ones: every object listing its
    properties is closed (see :func:`talon_fakes.contracts.loading.close_objects`).
    """
    doc = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "talon-fakes: Talon.One customer sessions",
            "version": __version__,
            "summary": "The Talon.One customer-session endpoints that talon-fakes serves.",
            "description": (
                f"Bodies are the talon-fakes contracts {VERSION} (JSON Schema 2020-12), "
                f"{'strict' if strict else 'lenient'} mode. Run the fake with `talon-fakes serve`."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "tags": [
            {"name": "Customer sessions", "description": "Integration API"},
            {"name": "Customer data", "description": "Management API"},
        ],
        "paths": _paths(),
        "components": {
            "schemas": {name: embed(name, strict=strict) for name in sorted(schemas(strict))},
            "parameters": _parameters(),
            "responses": _responses(),
            "links": _links(),
            "securitySchemes": _SECURITY_SCHEMES,
        },
    }
    return copy.deepcopy(doc)  # nothing shared between parts, calls or the contracts cache


def schema_ref(name: str) -> dict[str, str]:
    """A ``$ref`` to the contract ``name`` in the document."""
    return {"$ref": "#/components/schemas/" + _escape(check_name(name))}


def embed(name: str, *, strict: bool = False) -> dict[str, Any]:
    """The contract ``name`` as a schema of the document: no ``$id`` or ``$schema``, and every
    ``$ref`` (to another contract by ``$id``, or within itself) a pointer into the document."""
    contract = schemas(strict)[check_name(name)]
    body = {key: value for key, value in contract.items() if key not in ("$id", "$schema")}
    rewritten: dict[str, Any] = _rewrite(body, lambda ref: _pointer(ref, name))
    return rewritten


def _pointer(ref: str, owner: str) -> str:
    base, hash_sign, fragment = ref.partition("#")
    if hash_sign and fragment and not fragment.startswith("/"):
        raise ValueError(f"contract {owner!r}: $ref {ref!r} uses an anchor; only JSON pointers are embedded")
    if not base:
        target = owner
    elif base.startswith(BASE_URI) and base.endswith(".json"):
        target = check_name(base.removeprefix(BASE_URI).removesuffix(".json"))
    else:
        raise ValueError(
            f"contract {owner!r}: $ref {ref!r} points outside the contracts ({BASE_URI}...); "
            "the document must resolve without the network"
        )
    return f"#/components/schemas/{_escape(target)}{fragment}"


def _rewrite(node: Any, pointer: Callable[[str], str]) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, pointer) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = pointer(value)
        elif key == "$id" and isinstance(value, str):
            raise ValueError(f"a nested $id ({value!r}) cannot be embedded: refs would resolve against it")
        elif key in _DATA_KEYWORDS:
            out[key] = value
        else:
            out[key] = _rewrite(value, pointer)
    return out


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


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


def _paths() -> dict[str, Any]:
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


def _links() -> dict[str, Any]:
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


def _parameters() -> dict[str, Any]:
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


def _responses() -> dict[str, Any]:
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


_SECURITY_SCHEMES: Final = {
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
