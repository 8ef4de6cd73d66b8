"""The request journal as the control API and the dashboard show it: JSON rows, newest first,
each with the contract verdict of its response.

The verdict is worked out when the journal is *read*, from the stored response body, and kept
for the next read: answering a request never pays for it, and a dashboard polling every second
validates each response once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from talon_fakes.contracts.verdicts import verdict
from talon_fakes.fake.domain import wire
from talon_fakes.fake.web.journal import JournalEntry

_INTEGRATION_OPERATIONS = frozenset({"update_customer_session", "get_customer_session", "return_cart_items"})
_KEPT = 20_000  # verdicts kept; past that they are worked out again (entries long gone go with them)


class JournalView:
    """Renders journal entries as JSON, keeping each entry's verdict once worked out."""

    def __init__(self) -> None:
        self._verdicts: dict[int, tuple[JournalEntry, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget the verdicts (the journal was emptied)."""
        with self._lock:
            self._verdicts.clear()

    def rows(self, entries: Sequence[JournalEntry], limit: int | None = None) -> dict[str, Any]:
        """``{"total": N, "requests": [...]}``: the newest ``limit`` entries (all by default) first."""
        newest = list(reversed(entries))[:limit]
        return {"total": len(entries), "requests": [self.row(entry) for entry in newest]}

    def row(self, entry: JournalEntry) -> dict[str, Any]:
        """One entry: time, method, path, status, operation, bodies and the verdict."""
        return {
            "time": wire.timestamp(datetime.fromtimestamp(entry.at, UTC)),
            "method": entry.method,
            "path": entry.path,
            "status": entry.status,
            "operation": entry.operation,
            "injected": entry.injected,
            "request": entry.body,
            "response": response_of(entry),
            "verdict": self.verdict(entry),
        }

    def verdict(self, entry: JournalEntry) -> dict[str, Any]:
        """The contract verdict of an entry's response (:func:`talon_fakes.contracts.verdicts.verdict`)."""
        with self._lock:
            cached = self._verdicts.get(id(entry))
        if cached is not None and cached[0] is entry:  # the same entry, not one reusing its id
            return cached[1]
        result = verdict(entry.operation, entry.status, response_of(entry))
        if entry.injected:
            result["note"] = "an injected fault's answer: the test's body"
        with self._lock:
            if len(self._verdicts) >= _KEPT:
                self._verdicts.clear()
            self._verdicts[id(entry)] = (entry, result)
        return result


def last_effects(entries: Iterable[JournalEntry]) -> dict[str, list[Any]]:
    """Each session's effects in its latest 200 Integration API answer, by integration ID (given
    the entries newest first, one body is parsed per session)."""
    found: dict[str, list[Any]] = {}
    for entry in entries:
        if entry.status != 200 or entry.operation not in _INTEGRATION_OPERATIONS:
            continue
        integration_id = entry.path.split("/")[3]  # /v2/customer_sessions/{id}[/returns]
        if integration_id not in found:
            body = response_of(entry)
            found[integration_id] = body.get("effects", []) if isinstance(body, dict) else []
    return found


def response_of(entry: JournalEntry) -> Any:
    """The entry's response body, parsed (``None`` if it is not JSON)."""
    try:
        return entry.response
    except ValueError:
        return None
