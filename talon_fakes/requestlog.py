"""``talon-fakes serve --log``: one line per request, and a response outside its contract loudly.

An :data:`~talon_fakes.app.Observer` of the app: told of every answered request (the control
API's own calls are not the API and are not logged), it writes
``2030-01-01T00:00:00.123Z PUT /v2/customer_sessions/s1 200 update_customer_session 1.4 ms``.
A response that breaks its contract (an injected fault's body, say) is followed by a
``CONTRACT FAILURE`` line naming the contract and every error, since a client in another language
would otherwise just see a payload its SDK cannot read.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TextIO

from talon_fakes.calls import JournalEntry
from talon_fakes.verdicts import verdict
from talon_fakes.wire import timestamp


class RequestLog:
    """Writes each request the app answers to ``stream`` (the server's threads share it)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, entry: JournalEntry, seconds: float) -> None:
        """Log one answered request that took ``seconds``."""
        when = timestamp(datetime.fromtimestamp(entry.at, UTC))
        operation = entry.operation or "-"
        lines = [f"{when} {entry.method} {entry.path} {entry.status} {operation} {seconds * 1000:.1f} ms"]
        try:
            body = entry.response
        except ValueError:
            body = None
        result = verdict(entry.operation, entry.status, body)
        if result["valid"] is False:
            injected = " (an injected fault's body)" if entry.injected else ""
            lines.append(
                f"!!! CONTRACT FAILURE{injected}: {entry.method} {entry.path} -> {entry.status} "
                f"does not match {result['contract']!r}:"
            )
            lines += [f"!!!   {error}" for error in result["errors"]]
        with self._lock:
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
