"""Derive the spec-derived contracts from Talon.One's OpenAPI path files.

The OpenAPI files inline every schema (no ``$ref``) and compose objects with ``allOf``.
:func:`build` takes each entity's subtree, merges the ``allOf`` parts into one object (so that
strict mode can close it with ``additionalProperties: false``), drops annotations, replaces the
shared parts (cart item, additional cost, effect, the session itself) with ``$ref`` by ``$id``, and
applies the deviations listed in :data:`DEVIATIONS` (each one is also explained in
contracts/README.md).

Two users: ``tools/build_contracts.py`` writes the committed contracts from the vendored spec
(``spec/talon-openapi/``), and ``talon-fakes spec-diff`` builds them in memory from a newer copy
of the spec to say what would change. The contracts derived from the SDK seeds (V1 and the legacy
.NET model) are written by hand and are not touched here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from talon_fakes.contracts.loading import BASE_URI as BASE
from talon_fakes.errors import TalonFakesError

# libyaml's loader when PyYAML was built with it: the three session files take 5 s in pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecError(TalonFakesError, ValueError):
    """A folder that is not a copy of the published spec this tool reads, or one it cannot read."""


SESSION = "integration-api/paths/v2-customer_sessions-{customerSessionId}.yaml"
RETURNS = "integration-api/paths/v2-customer_sessions-{customerSessionId}-returns.yaml"
REOPEN = "integration-api/paths/v2-customer_sessions-{customerSessionId}-reopen.yaml"
MGMT_LIST = "management-api/paths/v1-applications-{applicationId}-sessions.yaml"
MGMT_ONE = "management-api/paths/v1-applications-{applicationId}-sessions-{sessionId}.yaml"

JSON_BODY = "content/application~1json/schema"
PUT_200 = f"/put/responses/200/{JSON_BODY}"

# name -> (file, JSON pointer, title, description). Order matters: parts before wholes.
SOURCES: dict[str, tuple[str, str, str, str]] = {
    "additional-cost": (
        SESSION,
        f"{PUT_200}/allOf/1/properties/customerSession/allOf/3/allOf/3/properties/additionalCosts/additionalProperties",
        "AdditionalCost",
        "An additional cost (session level or cart item level), keyed by its name in a map.",
    ),
    "cart-item": (
        SESSION,
        f"{PUT_200}/allOf/1/properties/customerSession/allOf/3/allOf/3/properties/cartItems/items",
        "CartItem",
        "A cart item, as sent in a session update and returned in every session shape.",
    ),
    "effect": (
        SESSION,
        f"{PUT_200}/allOf/0/properties/effects/items",
        "Effect",
        "A rule engine effect; `props` is checked against the schema of its `effectType`.",
    ),
    "new-customer-session-v2": (
        SESSION,
        f"/put/requestBody/{JSON_BODY}/properties/customerSession",
        "NewCustomerSessionV2",
        "The `customerSession` of a PUT /v2/customer_sessions/{id} request.",
    ),
    "customer-session-v2": (
        SESSION,
        f"{PUT_200}/allOf/1/properties/customerSession",
        "CustomerSessionV2",
        "The customer session in Integration API V2 responses.",
    ),
    "integration-request-v2": (
        SESSION,
        f"/put/requestBody/{JSON_BODY}",
        "IntegrationRequest",
        "The whole body of PUT /v2/customer_sessions/{id}.",
    ),
    "integration-state-v2": (
        SESSION,
        PUT_200,
        "IntegrationStateV2",
        "The 200 body of PUT /v2/customer_sessions/{id} and of POST .../returns.",
    ),
    "customer-session-response-v2": (
        SESSION,
        f"/get/responses/200/{JSON_BODY}",
        "CustomerSessionResponse",
        "The 200 body of GET /v2/customer_sessions/{id}.",
    ),
    "return-request": (
        RETURNS,
        f"/post/requestBody/{JSON_BODY}",
        "IntegrationRequestReturn",
        "The body of POST /v2/customer_sessions/{id}/returns.",
    ),
    "reopen-response": (
        REOPEN,
        PUT_200,
        "ReopenSessionResponse",
        "The 200 body of PUT /v2/customer_sessions/{id}/reopen: the rolled-back effects.",
    ),
    "application-session": (
        MGMT_ONE,
        f"/get/responses/200/{JSON_BODY}",
        "ApplicationSession",
        "A session as the Management API returns it (list item and single GET).",
    ),
    "application-sessions-page": (
        MGMT_LIST,
        f"/get/responses/200/{JSON_BODY}",
        "ApplicationSessionsPage",
        "The 200 body of GET /v1/applications/{applicationId}/sessions.",
    ),
    "error-response": (
        SESSION,
        f"/put/responses/400/{JSON_BODY}",
        "ErrorResponse",
        "The 400 body of every Integration API session operation.",
    ),
    "error-response-with-status": (
        SESSION,
        f"/put/responses/401/{JSON_BODY}",
        "ErrorResponseWithStatus",
        "The 401, 404 and 409 body (note the capital S of StatusCode).",
    ),
}

# Parts replaced by a $ref wherever their (normalised) schema appears inside another contract.
SHARED_PARTS = (
    "additional-cost",
    "cart-item",
    "effect",
    "new-customer-session-v2",
    "customer-session-v2",
    "application-session",
)

ANNOTATIONS = {"description", "example", "examples", "title", "externalDocs", "deprecated"}

# Each deviation from the published spec, applied after extraction. The same list, with the
# reasons, is in contracts/README.md; tests/contract/test_spec_sync.py keeps the two in step.
DEVIATIONS = {
    "customer-session-v2": "drop `coupon` and `referral` from `required` (V1 leftovers, never defined in V2)",
    "effect": "dispatch `props` on `effectType` instead of the unsatisfiable 35-branch `oneOf`; "
    "drop the undefined `previousExpirationDate` from extendLoyaltyPointsExpiryDate's `required`",
    "*": "drop the meaningless `format: string` on `integrationId`",
}


def pointer_get(document: Any, pointer: str) -> Any:
    """Follow a JSON pointer (RFC 6901) into a document."""
    node = document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def merge_all_of(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge object schemas composed with ``allOf`` into one object schema."""
    merged: dict[str, Any] = {"type": "object"}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for part in parts:
        for key, value in part.items():
            if key == "properties":
                for name, schema in value.items():
                    if name in properties and properties[name] != schema:
                        raise ValueError(f"allOf parts disagree on property {name!r}")
                    properties[name] = schema
            elif key == "required":
                required += [name for name in value if name not in required]
            elif key == "type":
                if value != "object":
                    raise ValueError(f"allOf part of type {value!r} cannot be merged")
            elif key in merged and merged[key] != value:
                raise ValueError(f"allOf parts disagree on {key!r}")
            else:
                merged[key] = value
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def normalise(schema: Any) -> Any:
    """Drop annotations, merge ``allOf`` and normalise recursively."""
    if isinstance(schema, list):
        return [normalise(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: normalise(v) for k, v in schema.items() if k not in ANNOTATIONS and not k.startswith("x-")}
    if "properties" in out:
        out["properties"] = {name: normalise(s) for name, s in schema["properties"].items()}
    if out.get("format") == "string":
        del out["format"]
    if "allOf" in out:
        parts = out.pop("allOf")
        out = merge_all_of([*parts, out] if out else parts)
    return out


def effect_schema(raw: dict[str, Any]) -> dict[str, Any]:
    """The effect contract: envelope fields plus ``props`` dispatched on ``effectType``."""
    envelope, props_part = raw["allOf"]
    branches = props_part["properties"]["props"]["oneOf"]
    effect: dict[str, Any] = normalise(envelope)
    effect["required"] = [*effect["required"], "props"]
    effect["properties"]["props"] = {"type": "object"}
    defs: dict[str, Any] = {}
    for branch in branches:
        props = normalise(branch)
        if branch["title"] == "extendLoyaltyPointsExpiryDate":
            props["required"] = [r for r in props["required"] if r in props["properties"]]
        defs[branch["title"]] = props
    effect["allOf"] = [
        {
            "if": {"properties": {"effectType": {"const": name}}, "required": ["effectType"]},
            "then": {"properties": {"props": {"$ref": f"#/$defs/{name}"}}},
        }
        for name in defs
    ]
    effect["$defs"] = defs
    return effect


def substitute(schema: Any, parts: dict[str, Any], *, skip: str) -> Any:
    """Replace every subtree equal to a shared part with a ``$ref`` to that part's ``$id``."""
    for name, part in parts.items():
        if name != skip and schema == part:
            return {"$ref": BASE + name + ".json"}
    if isinstance(schema, dict):
        return {k: substitute(v, parts, skip=skip) for k, v in schema.items()}
    if isinstance(schema, list):
        return [substitute(v, parts, skip=skip) for v in schema]
    return schema


def path_file_spellings(file: str) -> list[str]:
    """The names one path file has had in t1-openapi-specs: ``v2-a-{b}.yaml``, ``v2_a_{b}.yaml``
    and ``v2/a/{b}.yaml`` (the repository has used all three; the vendored copy uses the first)."""
    folder, name = file.rsplit("/", 1)
    parts = name.split("-")
    return [f"{folder}/{separator.join(parts)}" for separator in ("-", "_", "/")]


def load_path_file(spec: Path, file: str) -> Any:
    """One OpenAPI path file of the spec folder, parsed; a :class:`SpecError` names what is missing."""
    found = [spec / name for name in path_file_spellings(file) if (spec / name).is_file()]
    if not found:
        raise SpecError(
            f"{spec} has no {file} (nor {' or '.join(path_file_spellings(file)[1:])}); give the folder "
            "that holds integration-api/ and management-api/ (the layout of "
            "github.com/talon-one/t1-openapi-specs)"
        )
    path = found[0]
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as error:
        raise SpecError(f"{path} is not valid YAML: {error}") from error


def spec_subtree(document: Any, file: str, pointer: str) -> Any:
    """The schema at ``pointer`` in ``file``; a :class:`SpecError` when the spec moved it."""
    try:
        return pointer_get(document, pointer)
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise SpecError(
            f"{file} has nothing at {pointer} (missing: {error}); the spec moved a schema the "
            "contracts are derived from: update SOURCES in talon_fakes/contracts/spec_derivation.py"
        ) from error


def build(spec: Path) -> dict[str, dict[str, Any]]:
    """Build every spec-derived contract from the spec folder; returns name -> schema document."""
    files: dict[str, Any] = {}
    normalised: dict[str, Any] = {}
    for name, (file, pointer, _, _) in SOURCES.items():
        if file not in files:
            files[file] = load_path_file(spec, file)
        raw = spec_subtree(files[file], file, pointer)
        normalised[name] = normalise(raw)
        if name == "effect":
            # Matched against the normalised spec subtree, written out as the dispatching form.
            effect = effect_schema(raw)
    shared: dict[str, Any] = {}
    contracts: dict[str, dict[str, Any]] = {}
    for name, (_, _, title, description) in SOURCES.items():
        body = effect if name == "effect" else substitute(normalised[name], shared, skip=name)
        if name in SHARED_PARTS:
            # Matching is top-down on the plain normalised forms, so the largest part wins.
            shared[name] = normalised[name]
        if name == "customer-session-v2":
            body["required"] = [r for r in body["required"] if r not in ("coupon", "referral")]
        contracts[name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE + name + ".json",
            "title": title,
            "description": description,
            "$comment": "Generated by tools/build_contracts.py from the Talon.One OpenAPI spec; "
            "edit the tool, not this file. Deviations: contracts/README.md.",
            **body,
        }
    return contracts
