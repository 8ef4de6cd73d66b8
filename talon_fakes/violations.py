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


def short(value: Any, limit: int = 60) -> str:
    """A one-line, bounded rendering of a JSON value for messages."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
