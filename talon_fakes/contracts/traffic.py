"""Checking recorded traffic by route: each exchange's request and answer against their contracts.

The contract of an exchange comes from its method, path and status through the API table
(:mod:`talon_fakes.api`), the one the fake routes by: the operation's request contract for the
request body of an accepted (2xx) request, and its answer contract for the status. A request the
API refused (4xx) is not checked itself: its answer says what was wrong, and that answer is
checked against Talon.One's error shape. Exchanges of routes the table does not have, and answers
of a status no contract describes (a 5xx from a gateway), are counted and listed, never failed.

``talon-fakes check --exchanges FILE...`` and the proxy (:mod:`talon_fakes.contracts.proxy`) both use
:func:`check_exchange`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

import orjson

from talon_fakes import api
from talon_fakes.contracts.exchanges import Exchange, Unreadable, read_exchanges
from talon_fakes.contracts.validation import validate
from talon_fakes.contracts.violations import Kind, Violation, short

Part = Literal["request", "answer"]


@dataclass(frozen=True)
class Finding:
    """One violation in a part of an exchange, with the contract it broke."""

    part: Part
    contract: str
    violation: Violation

    def __str__(self) -> str:
        v = self.violation
        label = "" if v.is_error else " (warning)"
        where = f"{self.part} ({self.contract}): {v.path} = {short(v.value)}"
        return f"{where}: {v.message} [rule {v.rule}]{label}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the violation's fields with ``part`` and ``contract``."""
        return {"part": self.part, "contract": self.contract, **self.violation.as_dict()}


@dataclass(frozen=True)
class Verdict:
    """What the check of one exchange found."""

    exchange: Exchange
    operation: api.Operation | None
    findings: list[Finding] = field(default_factory=list)
    #: Why the exchange (or its answer) was not checked; ``None`` when it was.
    unchecked: str | None = None

    @property
    def broken(self) -> bool:
        """Whether a request or answer breaks its contract (drift warnings do not)."""
        return any(f.violation.is_error for f in self.findings)

    @property
    def warned(self) -> bool:
        """Whether a drift warning (an unknown field in lenient mode) was found."""
        return any(not f.violation.is_error for f in self.findings)

    @property
    def word(self) -> str:
        """``broken``, ``unchecked``, ``drift`` or ``ok``: the verdict in one word."""
        if self.broken:
            return "broken"
        if self.unchecked:
            return "unchecked"
        return "drift" if self.warned else "ok"

    def headline(self) -> str:
        """``FILE#3 PUT /v2/customer_sessions/s1 -> 200 (update_customer_session)``."""
        name = "no operation" if self.operation is None else self.operation.name
        return f"{self.exchange.where} {self.exchange.describe()} ({name})"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``--format json``)."""
        exchange = self.exchange
        return {
            "source": exchange.source,
            "index": exchange.index,
            "method": exchange.method,
            "path": exchange.path,
            "status": exchange.status,
            "operation": None if self.operation is None else self.operation.name,
            "verdict": self.word,
            "unchecked": self.unchecked,
            "violations": [f.as_dict() for f in self.findings],
        }


def check_exchange(exchange: Exchange, *, strict: bool = False) -> Verdict:
    """Check ``exchange``'s request and answer against the contracts of its route and status."""
    operation = api.route(exchange.method, exchange.path)
    if operation is None:
        return Verdict(exchange, None, unchecked="no contract for this route; not checked")
    findings: list[Finding] = []
    accepted = 200 <= exchange.status < 300
    if operation.request is not None and accepted:
        findings += _check("request", exchange.request_body, operation.request, strict)
    contract = operation.answer_contract(exchange.status)
    if contract is None:
        note = f"no contract for a {exchange.status} answer; answer not checked"
        return Verdict(exchange, operation, findings, unchecked=note)
    findings += _check("answer", exchange.response_body, contract, strict)
    return Verdict(exchange, operation, findings)


def _check(part: Part, data: bytes | None, contract: str, strict: bool) -> list[Finding]:
    if not data:
        problem = _not_json(None, f"no body; the {part} must be a {contract} JSON document")
        return [Finding(part, contract, problem)]
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        problem = _not_json(data.decode("utf-8", "replace"), f"not JSON ({error}); {contract} is JSON")
        return [Finding(part, contract, problem)]
    return [Finding(part, contract, v) for v in validate(document, contract, strict=strict)]


def _not_json(value: Any, message: str) -> Violation:
    return Violation("$", value, message, Kind.SCHEMA, "json")


@dataclass
class TrafficTally:
    """The counts of one run of ``check --exchanges``."""

    exchanges: int = 0
    ok: int = 0
    broken: int = 0
    with_warnings: int = 0
    unchecked: int = 0
    unreadable: int = 0

    def add(self, verdict: Verdict) -> None:
        """Count one exchange."""
        self.exchanges += 1
        if verdict.broken:
            self.broken += 1
        elif verdict.unchecked:
            self.unchecked += 1
        else:
            self.ok += 1
        self.with_warnings += verdict.warned

    @property
    def exit_code(self) -> int:
        """2 if a file or entry could not be read, else 1 if an exchange is broken, else 0."""
        if self.unreadable:
            return 2
        return 1 if self.broken else 0

    def as_dict(self) -> dict[str, int]:
        """The counts, by name."""
        return dict(vars(self))

    def __str__(self) -> str:
        noun = "exchange" if self.exchanges == 1 else "exchanges"
        text = (
            f"checked {self.exchanges} {noun}: {self.ok} ok, {self.broken} broken, "
            f"{self.with_warnings} with drift warnings, {self.unchecked} not checked "
            "(no contract for their route or status)"
        )
        if self.unreadable:
            text += f"; {self.unreadable} unreadable (see stderr)"
        return text


def _text(verdict: Verdict) -> str:
    lines = [verdict.headline() + (f": {verdict.unchecked}" if verdict.unchecked else ":")]
    lines += [f"  {finding}" for finding in verdict.findings]
    if verdict.findings or verdict.unchecked:
        return "\n".join(lines)
    return ""


def check_exchange_files(
    names: Iterable[str], *, strict: bool = False, fmt: str = "text", out: TextIO, err: TextIO
) -> TrafficTally:
    """Check every exchange of the files ``names``, writing the report to ``out`` as it goes.

    Reported: every exchange with a violation or a drift warning, and every one not (fully)
    checked, each naming its file and position, method, path, status and operation; then a summary.
    """
    tally = TrafficTally()
    for item in read_exchanges(names):
        if isinstance(item, Unreadable):
            tally.unreadable += 1
            print(item, file=err)
            if fmt == "json":
                record = {"source": item.source, "index": item.index, "error": item.message}
                print(orjson.dumps(record).decode(), file=out)
            continue
        verdict = check_exchange(item, strict=strict)
        tally.add(verdict)
        if fmt == "json":
            if verdict.findings or verdict.unchecked:
                print(orjson.dumps(verdict.as_dict(), default=str).decode(), file=out)
        elif text := _text(verdict):
            print(text, file=out)
    if tally.exchanges == 0 and not tally.unreadable:
        tally.unreadable += 1  # an empty recording must not pass a CI check: nothing was checked
        print("no exchanges to check: every input was empty", file=err)
    if fmt == "json":
        print(orjson.dumps({"summary": {"strict": strict, **tally.as_dict()}}).decode(), file=out)
    else:
        print(tally, file=out)
    return tally
