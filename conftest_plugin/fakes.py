"""The fake as the plugin serves it: a :class:`~talon_fakes.fake.server.TalonFake` that reports to the run.

Imported only when a test asks for the fake (it imports the server, werkzeug and the app).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from talon_fakes.fake.server import TalonFake
from talon_fakes.states import Transition

from .checks import Observed


@dataclass
class Taken:
    """What a fake did since it was last asked: responses served, server-thread errors, moves."""

    responses: list[Observed] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    moves: Counter[Transition] = field(default_factory=Counter)


class PluginFake(TalonFake):
    """A :class:`TalonFake` whose ``reset()`` first hands what happened since to the plugin.

    So a test that resets it inside ``@given`` (once per example) loses nothing: every response is
    still checked against its contract, every server-thread error still fails the test, and the
    moves count for the transition coverage.
    """

    def __init__(self, *, on_reset: Callable[[PluginFake], None], **options: Any) -> None:
        super().__init__(**options)
        self._on_reset = on_reset
        self._seen = 0  # journal entries already taken
        self._counted: Counter[Transition] = Counter()

    @property
    def rules(self) -> str:
        """The name of the rule set this fake follows (``current``, ``v1`` or ``legacy``)."""
        return self.backend.rules.name

    def reset(self) -> None:
        """Hand the run what happened, then reset as :meth:`TalonFake.reset` does."""
        self._on_reset(self)
        super().reset()
        self._seen = 0
        self._counted = Counter()

    def take(self) -> Taken:
        """What happened since the last ``take()`` or reset."""
        taken = Taken()
        for entry in self.journal:
            # By number, not position: the journal drops its oldest entries past its byte budget.
            if entry.seq < self._seen:
                continue
            self._seen = entry.seq + 1
            # A fault's answer is the test's own, not the API's; a late one (begun before a reset)
            # the fake's refusal; a cut one cannot be read whole: none is checked.
            if entry.injected or entry.late or entry.response_truncated:
                continue
            taken.responses.append(
                Observed(entry.method, entry.path, entry.status, entry.response, entry.operation)
            )
        try:
            self.check_errors()  # raises the first error and forgets the rest
        except Exception as error:  # raised in the test by the plugin
            taken.errors.append(error)
        moves = self.transitions()
        taken.moves = moves - self._counted
        self._counted = moves
        return taken
