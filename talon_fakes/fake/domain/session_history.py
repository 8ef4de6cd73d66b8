"""How the store writes a session's history: one step more for each operation, and for a seeded
session a shortest legal path to its state.

Pure Python, between the model (:class:`~talon_fakes.fake.domain.model.History`) and the transition
table (:mod:`talon_fakes.states`) below and the store (:mod:`talon_fakes.fake.domain.backend`) above,
which calls these.
"""

from __future__ import annotations

from collections.abc import Sequence

from talon_fakes.fake.domain.model import History, Step
from talon_fakes.states import Operation, RuleSet, State


def grown(history: Sequence[Step], step: Step) -> History:
    """``history`` and one more step (in constant time, once it is a :class:`History`)."""
    return (history if isinstance(history, History) else History(history)).plus(step)


def shortest_history(rules: RuleSet, state: State) -> tuple[tuple[Operation, State], ...]:
    """A shortest history the ``rules`` allow from creation to ``state`` (breadth first); one
    update step when none exists."""
    frontier: list[tuple[State | None, tuple[tuple[Operation, State], ...]]] = [(None, ())]
    seen: set[State | None] = {None}
    while frontier:
        source, path = frontier.pop(0)
        for move in rules.moves_from(source):
            step = (*path, (move.operation, move.target))
            if move.target is state:
                return step
            if move.target not in seen:
                seen.add(move.target)
                frontier.append((move.target, step))
    return ((Operation.UPDATE, state),)
