"""The contracts as the OpenAPI document's ``components/schemas``: embedded by name, refs rewritten.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so a contract goes in as it is, but for its
``$id`` and ``$schema``; every ``$ref`` to another contract by ``$id`` (or within itself)
becomes a ``#/components/schemas/<name>`` pointer, so the document is self-contained: no tool
ever resolves a reference over the network. Reads the contracts
(:mod:`talon_fakes.contracts.loading`); the document (:mod:`talon_fakes.fake.web.openapi`) and its
operations (:mod:`talon_fakes.fake.web.openapi_operations`) use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from talon_fakes.contracts.loading import BASE_URI, check_name, schemas

# Keywords whose values are data, not schemas: a "$ref" key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples", "example"})


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
