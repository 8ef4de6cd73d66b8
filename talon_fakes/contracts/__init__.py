"""Contracts: the JSON Schema files and every check of a document against them.

``loading`` finds and loads the schemas (the packaged copy or the checkout's ``contracts/``);
``validation`` checks documents, fast through ``compiled`` (jsonschema-rs) and worded and decided
as ``reference`` (python-jsonschema) would; ``invariants`` checks what a schema cannot say;
``violations`` is the report's shape and ``report_limit`` caps it; ``documents`` reads JSON and
JSON Lines inputs. For recorded HTTP traffic: ``exchanges`` reads HAR, VCR.py and proxy
recordings, ``traffic`` and ``verdicts`` check each exchange by its route, and ``proxy`` records
and checks live traffic on its way. ``spec_derivation`` derives the contracts from Talon.One's
OpenAPI files and ``spec_diff`` compares two derivations. The contracts never import the fake or
the generators. ``loading``'s names are importable from here too, the path they had before the
package was laid out in parts.
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
