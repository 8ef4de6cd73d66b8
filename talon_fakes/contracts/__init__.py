"""Contracts: the JSON Schema files and the checks JSON Schema cannot express.

``loading`` finds and loads the schemas (the packaged copy or the checkout's ``contracts/``),
``validation`` checks documents (compiled fast path, python-jsonschema reference), ``invariants``
the rules a schema cannot say, ``violations`` the report's shape, ``documents`` reads inputs.
The contracts never import the fake or the generators.
"""

from talon_fakes.contracts.loading import (
    BASE_URI,
    CLOSED_BY_STRICT_MODE,
    VERSION,
    check_name,
    close_objects,
    contract_id,
    contract_names,
    contracts_dir,
    describe,
    schema,
    schemas,
)

__all__ = [
    "BASE_URI",
    "CLOSED_BY_STRICT_MODE",
    "VERSION",
    "check_name",
    "close_objects",
    "contract_id",
    "contract_names",
    "contracts_dir",
    "describe",
    "schema",
    "schemas",
]
