"""The contracts: JSON Schema files found beside the package, addressed by ``$id``.

One :class:`referencing.Registry` holds every contract, so ``$ref`` goes by id and nothing is
ever fetched. Strict mode is derived at load time (every object that lists ``properties`` is
closed with ``additionalProperties: false``), so no schema file is ever edited for it.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

from talon_fakes.errors import ContractsNotFound, UnknownContract

VERSION = "2026-11"
BASE_URI = f"https://talon-fakes.invalid/contracts/{VERSION}/"

_PACKAGE = Path(__file__).resolve().parents[1]
# The wheel carries a copy under the package; an editable install reads the checkout's folder.
_CANDIDATES = (_PACKAGE / "_contracts" / VERSION, _PACKAGE.parent / "contracts" / VERSION)

# Keywords whose value is one schema, a list of schemas, or a map of name -> schema.
_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames")
_MANY = ("prefixItems",)
_IN_PLACE_ONE = ("if", "then", "else")
_IN_PLACE_MANY = ("allOf", "anyOf", "oneOf")
_MAP = ("properties", "patternProperties", "$defs", "dependentSchemas")


#: An annotation keyword (validators ignore unknown keywords) on the objects strict mode closes.
CLOSED_BY_STRICT_MODE = "x-closed-by-strict-mode"


def contracts_dir() -> Path:
    """The folder the contract files are read from."""
    for candidate in _CANDIDATES:
        if (candidate / "customer-session-v2.json").is_file():
            return candidate
    looked = ", ".join(str(c) for c in _CANDIDATES)
    raise ContractsNotFound(
        f"no contract files found; looked in {looked}. Reinstall talon-fakes, "
        "or run from a checkout that has the contracts/ folder."
    )


@cache
def _documents() -> dict[str, dict[str, Any]]:
    folder = contracts_dir()
    docs = {}
    for path in sorted(folder.glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            docs[path.stem] = json.load(handle)
    return docs


def contract_names() -> list[str]:
    """The names every API of talon-fakes accepts as a contract, sorted."""
    return sorted(_documents())


def check_name(name: str) -> str:
    """Return ``name`` if it is a contract, else raise :class:`UnknownContract` with a hint."""
    if not isinstance(name, str):
        raise TypeError(f"a contract is named by a str, not {type(name).__name__}: {name!r}")
    if name in _documents():
        return name
    close = difflib.get_close_matches(name, contract_names(), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise UnknownContract(f"unknown contract {name!r}{hint} Known contracts: {', '.join(contract_names())}")


def describe(name: str) -> str:
    """The one-line description of a contract."""
    return str(_documents()[check_name(name)]["description"])


def contract_id(name: str) -> str:
    """The ``$id`` of a contract."""
    return BASE_URI + check_name(name) + ".json"


def close_objects(schema: Any, *, in_place: bool = False) -> Any:
    """A copy of ``schema`` in which every object definition listing ``properties`` is closed.

    Objects that already say what extra keys may hold (maps such as ``additionalCosts``) keep
    their ``additionalProperties``. Subschemas applied in place to the same object (``if``,
    ``then``, ``else``, ``allOf``, ``anyOf``, ``oneOf``) only refine their parent's fields, so they
    stay open: closing them would reject the parent's own fields.
    """
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _IN_PLACE_ONE:
            out[key] = close_objects(value, in_place=True)
        elif key in _IN_PLACE_MANY:
            out[key] = [close_objects(v, in_place=True) for v in value]
        elif key in _ONE:
            out[key] = close_objects(value)
        elif key in _MANY:
            out[key] = [close_objects(v) for v in value]
        elif key in _MAP:
            out[key] = {k: close_objects(v) for k, v in value.items()}
        else:
            out[key] = value
    if "properties" in out and "additionalProperties" not in out and not in_place:
        out["additionalProperties"] = False
        # Marks objects the spec leaves open, so that their extra fields count as drift; the spec
        # closes a few itself (a campaign's couponSettings), and extras there are plain errors.
        out[CLOSED_BY_STRICT_MODE] = True
    return out


@cache
def schemas(strict: bool) -> dict[str, dict[str, Any]]:
    """Every contract by name, closed when ``strict``."""
    docs = _documents()
    return {name: close_objects(doc) if strict else doc for name, doc in docs.items()}


def schema(name: str, *, strict: bool = False) -> dict[str, Any]:
    """The schema of one contract (closed when ``strict``); do not mutate it."""
    return schemas(strict)[check_name(name)]
