"""What a contract check reports: one :class:`Violation` per problem."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Kind(StrEnum):
    """Where a violation comes from."""

    SCHEMA = "schema"  # the JSON Schema rejects the document
    INVARIANT = "invariant"  # a rule JSON Schema cannot express (totals, dates, limits, states)
    UNKNOWN_FIELD = "unknown_field"  # a field the contract does not define: drift


class Severity(StrEnum):
    """Whether a violation fails the check."""

    ERROR = "error"
    WARNING = "warning"  # unknown fields in lenient mode: reported, not failed


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem in a document: where, what value, what rule, how bad."""

    path: str
    value: Any
    message: str
    kind: Kind
    rule: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        """True unless this is a drift warning of lenient mode."""
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for ``--format json``)."""
        return {
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "kind": self.kind.value,
            "rule": self.rule,
            "severity": self.severity.value,
        }

    def __str__(self) -> str:
        label = "" if self.kind is Kind.SCHEMA else f" [{self.kind.value}]"
        if self.severity is Severity.WARNING:
            label += " (warning)"
        return f"{self.path}: {self.message}{label}"


def json_path(parts: Iterable[str | int], root: str = "$") -> str:
    """``['cartItems', 2, 'quantity']`` -> ``$.cartItems[2].quantity``."""
    out = [root]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.match(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(out)


@lru_cache(maxsize=4096)
def child(path: str, part: str | int) -> str:
    """The JSON path of ``part`` inside ``path``."""
    return json_path([part], root=path)


# json.dumps builds an encoder on every call made with options; messages reuse one.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def short(value: Any, limit: int = 60) -> str:
    """A one-line, bounded rendering of a JSON value for messages."""
    text = _ENCODER.encode(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_type(value: Any) -> str:
    """The JSON type name of a Python value (``unknown`` for anything JSON has not)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "integer" if isinstance(value, int) else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "unknown"


def schema_message(keyword: str, expected: Any, value: Any, text: str) -> str:
    """The message of a schema violation: ``value`` broke ``keyword``, whose value is ``expected``.

    Both engines word their reports through this one function, so that a document gets the same
    words whichever engine explained it; ``text`` (the reference's own words) is used for the
    keywords it has no wording of its own for.
    """
    if keyword == "type":
        return f"expected {expected}, got {json_type(value)} {short(value, 40)}"
    if keyword == "enum":
        return f"{short(value)} is not one of {', '.join(map(str, expected))}"
    if keyword == "const":
        return f"{short(value)} is not {short(expected)}"
    if keyword == "format":
        return f"{short(value)} is not a valid {expected}"
    if keyword in ("maxItems", "minItems"):
        bound = "most" if keyword == "maxItems" else "least"
        return f"{len(value)} items; at {bound} {expected} allowed"
    if keyword in ("maxLength", "minLength"):
        bound = "most" if keyword == "maxLength" else "least"
        return f"{len(value)} characters; at {bound} {expected} allowed"
    if keyword == "minimum":
        return f"{value} is less than the minimum {expected}"
    if keyword == "maximum":
        return f"{value} is more than the maximum {expected}"
    return text if len(text) <= 200 else text[:197] + "..."


def missing_field(path: str, name: str) -> Violation:
    """A required field ``name`` is missing from the object at ``path``."""
    return Violation(child(path, name), None, f"required field {name!r} is missing", Kind.SCHEMA, "required")


def unknown_field(path: str, name: str, value: Any, severity: Severity) -> Violation:
    """The object at ``path`` has a field ``name`` its contract does not define: drift."""
    message = f"unknown field {name!r}: the contract does not define it"
    return Violation(child(path, name), value, message, Kind.UNKNOWN_FIELD, "additionalProperties", severity)
