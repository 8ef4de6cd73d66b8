"""Session states and the transition rules, as one table.

Every other part of talon-fakes (the fake, the generators, the state-history check, the CLI)
asks this table whether a move is legal; nothing else decides it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from talon_fakes.errors import UnknownRuleSet


class State(StrEnum):
    """A customer session state, spelled as on the wire."""

    OPEN = "open"
    CLOSED = "closed"
    PARTIALLY_RETURNED = "partially_returned"
    CANCELLED = "cancelled"


class Operation(StrEnum):
    """The API operation that causes a move."""

    UPDATE = "update"  # PUT /v2/customer_sessions/{id}; also creates the session
    RETURN = "return"  # POST /v2/customer_sessions/{id}/returns
    REOPEN = "reopen"  # PUT /v2/customer_sessions/{id}/reopen


@dataclass(frozen=True, slots=True)
class Transition:
    """One legal move; ``source`` is ``None`` for the creation of a session."""

    source: State | None
    target: State
    operation: Operation

    def __str__(self) -> str:
        source = "(new)" if self.source is None else self.source.value
        return f"{source} -> {self.target.value} via {self.operation.value}"


_O, _C, _P, _X = State.OPEN, State.CLOSED, State.PARTIALLY_RETURNED, State.CANCELLED
_U, _R, _RO = Operation.UPDATE, Operation.RETURN, Operation.REOPEN

#: (rule set, from, to, operation). ``None`` as "from" is the creation of a session.
#: current: the spec today. Only returns make closed -> partially_returned, only reopen makes
#:          closed -> open; a later return keeps a session partially_returned (inferred from
#:          ``previousReturns``). A closed session cannot be edited, only cancelled or reopened.
#: v1:      the older SDK docs' list (seeds 000, 002, 004): no reopen, and returns not yet singled
#:          out: an update may also make closed -> partially_returned.
#: legacy:  the .NET seed (003): every session starts open; three moves.
TRANSITIONS: tuple[tuple[str, State | None, State, Operation], ...] = (
    ("current", None, _O, _U),
    ("current", None, _C, _U),
    ("current", _O, _O, _U),
    ("current", _O, _C, _U),
    ("current", _O, _X, _U),
    ("current", _C, _X, _U),
    ("current", _C, _P, _R),
    ("current", _P, _P, _R),
    ("current", _P, _X, _U),
    ("current", _C, _O, _RO),
    ("v1", None, _O, _U),
    ("v1", None, _C, _U),
    ("v1", _O, _O, _U),
    ("v1", _O, _C, _U),
    ("v1", _O, _X, _U),
    ("v1", _C, _X, _U),
    ("v1", _C, _P, _U),
    ("v1", _C, _P, _R),
    ("v1", _P, _P, _R),
    ("v1", _P, _X, _U),
    ("legacy", None, _O, _U),
    ("legacy", _O, _O, _U),
    ("legacy", _O, _C, _U),
    ("legacy", _O, _X, _U),
    ("legacy", _C, _X, _U),
)

RULE_SET_DESCRIPTIONS = {
    "current": "the Integration API today: created open or closed, returns and reopen gated",
    "v1": "the older SDK docs: no reopen; closed -> partially_returned by update or return",
    "legacy": "the old .NET SDK: created open; open -> closed, open -> cancelled, closed -> cancelled",
}


@dataclass(frozen=True)
class RuleSet:
    """The legal moves of one rule set, read from :data:`TRANSITIONS`."""

    name: str
    transitions: frozenset[Transition]

    @property
    def description(self) -> str:
        """One line on where these rules come from."""
        return RULE_SET_DESCRIPTIONS[self.name]

    @property
    def initial_states(self) -> frozenset[State]:
        """The states a session may be created in."""
        return frozenset(t.target for t in self.transitions if t.source is None)

    @property
    def states(self) -> frozenset[State]:
        """Every state this rule set knows."""
        return frozenset(t.target for t in self.transitions)

    def allows(self, source: State | None, target: State, operation: Operation) -> bool:
        """Whether ``operation`` may move a session from ``source`` to ``target``."""
        return Transition(source, target, operation) in self.transitions

    def moves_from(self, source: State | None, operation: Operation | None = None) -> list[Transition]:
        """The legal moves out of ``source`` (by ``operation`` only, when given), sorted."""
        moves = [
            t
            for t in self.transitions
            if t.source == source and (operation is None or t.operation == operation)
        ]
        return sorted(moves, key=str)

    def explain(self, source: State | None, target: State, operation: Operation | None = None) -> str:
        """Why a move is illegal (by ``operation``, or by any when ``None``), and what is allowed."""
        here = "a new session" if source is None else f"{source.value!r}"
        allowed = ", ".join(f"{t.target.value} via {t.operation.value}" for t in self.moves_from(source))
        by_other = [t.operation.value for t in self.transitions if (t.source, t.target) == (source, target)]
        hint = f" (only {' or '.join(sorted(by_other))} may cause it)" if by_other and operation else ""
        via = "any operation" if operation is None else operation.value
        return (
            f"cannot move {here} to {target.value!r} via {via}{hint} "
            f"under the {self.name!r} rules; allowed from {here}: {allowed or 'none'}"
        )


def _build() -> dict[str, RuleSet]:
    rows: dict[str, set[Transition]] = {}
    for name, source, target, operation in TRANSITIONS:
        rows.setdefault(name, set()).add(Transition(source, target, operation))
    return {name: RuleSet(name, frozenset(moves)) for name, moves in rows.items()}


RULE_SETS: dict[str, RuleSet] = _build()


def rule_set(rules: str | RuleSet) -> RuleSet:
    """Look up a rule set by name (``current``, ``v1`` or ``legacy``)."""
    if isinstance(rules, RuleSet):
        return rules
    try:
        return RULE_SETS[rules]
    except KeyError:
        known = ", ".join(sorted(RULE_SETS))
        raise UnknownRuleSet(f"unknown rule set {rules!r}; choose one of: {known}") from None


def states_reachable(rules: str | RuleSet) -> frozenset[State]:
    """Every state some history reaches under ``rules``."""
    table = rule_set(rules)
    seen: set[State] = set(table.initial_states)
    frontier: Iterable[State] = list(seen)
    while frontier:
        nxt = {t.target for s in frontier for t in table.moves_from(s)} - seen
        seen |= nxt
        frontier = nxt
    return frozenset(seen)
