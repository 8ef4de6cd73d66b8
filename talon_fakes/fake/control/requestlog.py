"""``talon-fakes serve --log``: one line per request, and a response outside its contract loudly.

An :data:`~talon_fakes.fake.web.app.Observer` of the app: told of every answered request (the control
API's own calls are not the API and are not logged), it writes
``2030-01-01T00:00:00.123Z PUT /v2/customer_sessions/s1 200 update_customer_session 1.4 ms``.
A response that breaks its contract (an injected fault's body, say) is followed by
``!!! CONTRACT FAILURE`` lines naming the contract and every error, since a client in another
language would otherwise just see a payload its SDK cannot read.

The request thread only hands the entry over: a writer thread checks and writes it, so the log
costs a request a queue put, not a contract check and a write to a terminal.
"""

from __future__ import annotations

import atexit
import queue
import threading
from datetime import UTC, datetime
from typing import TextIO

from talon_fakes.contracts.verdicts import conforms, verdict
from talon_fakes.fake.domain.wire import timestamp
from talon_fakes.fake.web.journal import JournalEntry

_DONE = None


class RequestLog:
    """Writes each request the app answers to ``stream``, in order, from its own thread."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._queue: queue.SimpleQueue[tuple[JournalEntry, float] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_all, name="talon-fakes-log", daemon=True)
        self._writer.start()
        atexit.register(self.close)  # what is queued is written before the process ends

    def __call__(self, entry: JournalEntry, seconds: float) -> None:
        """Log one answered request that took ``seconds``."""
        self._queue.put((entry, seconds))

    def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._writer.is_alive():
            self._queue.put(_DONE)
            self._writer.join()

    def _write_all(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            entry, seconds = item
            try:
                self.stream.write(lines(entry, seconds))
                self.stream.flush()
            except (OSError, ValueError):  # the reader went away: stop logging, keep serving
                return


def lines(entry: JournalEntry, seconds: float) -> str:
    """The log's line for one request, and its contract failure if any."""
    when = timestamp(datetime.fromtimestamp(entry.at, UTC))
    operation = entry.operation or "-"
    out = [f"{when} {entry.method} {entry.path} {entry.status} {operation} {seconds * 1000:.1f} ms"]
    try:
        body = entry.response
    except ValueError:
        body = None
    # The compiled validator clears a good answer at once; only a failure is explained.
    if not conforms(entry.operation, entry.status, body):
        result = verdict(entry.operation, entry.status, body)
        injected = " (an injected fault's body)" if entry.injected else ""
        out.append(
            f"!!! CONTRACT FAILURE{injected}: {entry.method} {entry.path} -> {entry.status} "
            f"does not match {result['contract']!r}:"
        )
        out += [f"!!!   {error}" for error in result["errors"]]
    return "\n".join(out) + "\n"
