"""An OpenAPI 3.1 document of exactly the endpoints the fake serves, built from the contracts.

::

    doc = talon_fakes.fake.web.openapi.document()  # or: talon-fakes openapi > talon-fakes.openapi.json

Every request and response body is one of our contracts, embedded under ``components/schemas``
by name (OpenAPI 3.1 schemas are JSON Schema 2020-12). Their ``$ref`` by ``$id`` become
``#/components/schemas/<name>`` pointers and the ``$id`` goes, so the document is
self-contained: no tool ever resolves a reference over the network. Parameters, status codes and
security schemes are those of the Talon.One spec, plus the 404s and 400s the fake answers where the
spec declares none (said in each description). This module puts the document together; the
contracts as schemas are :mod:`talon_fakes.fake.web.openapi_schemas`, the paths and the components
they refer to :mod:`talon_fakes.fake.web.openapi_operations`. The CLI's ``openapi`` command and the
tests (Schemathesis) read it.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from talon_fakes import __version__, api
from talon_fakes.contracts.loading import VERSION, schemas
from talon_fakes.fake.web.openapi_operations import (
    SECURITY_SCHEMES,
    document_links,
    document_parameters,
    document_paths,
    document_responses,
)
from talon_fakes.fake.web.openapi_schemas import embed, schema_ref

__all__ = ["OPENAPI_VERSION", "OPERATIONS", "document", "embed", "schema_ref"]

OPENAPI_VERSION: Final = "3.1.0"

#: (method, path, operationId as in the Talon.One spec, handler), read from :mod:`talon_fakes.api`.
OPERATIONS: Final[tuple[tuple[str, str, str, str], ...]] = tuple(
    (operation.method.lower(), operation.path, operation.operation_id, operation.name)
    for operation in api.OPERATIONS
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
        "paths": document_paths(),
        "components": {
            "schemas": {name: embed(name, strict=strict) for name in sorted(schemas(strict))},
            "parameters": document_parameters(),
            "responses": document_responses(),
            "links": document_links(),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
    return copy.deepcopy(doc)  # nothing shared between parts, calls or the contracts cache
