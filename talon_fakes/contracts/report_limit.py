"""How much of a check run's report is shown: ``talon-fakes check --max-reports N``.

A run over a large capture that fails everywhere would print every document; with a cap, the
first ``N`` reports (a document with violations, or an input that cannot be read) are shown and
the rest are only counted: how many, of which kind, and their violations by rule, so the summary
still says what was left out. Every document is checked and counted either way: the cap changes
the output, never the verdict or the exit status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from talon_fakes.contracts.violations import Kind, Violation


def _rule(violation: Violation) -> str:
    # An unknown field's rule is additionalProperties, as for a field the spec itself forbids;
    # the summary tells the two apart.
    return "unknown field" if violation.kind is Kind.UNKNOWN_FIELD else violation.rule


def _counted(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


@dataclass
class ReportLimit:
    """Admits the first ``most`` reports (all when ``None``) and counts the ones left out."""

    most: int | None = None
    shown: int = 0
    invalid: int = 0  # left-out documents with an error
    with_warnings: int = 0  # left-out documents with drift warnings only
    unreadable: int = 0  # left-out inputs or lines that could not be read
    rules: Counter[str] = field(default_factory=Counter)  # left-out violations, by rule

    def _room(self) -> bool:
        if self.most is None or self.shown < self.most:
            self.shown += 1
            return True
        return False

    def admit(self, violations: Sequence[Violation]) -> bool:
        """Whether to show the report of a document with ``violations``; else count it."""
        if self._room():
            return True
        if any(v.is_error for v in violations):
            self.invalid += 1
        else:
            self.with_warnings += 1
        self.rules.update(_rule(v) for v in violations)
        return False

    def admit_unreadable(self) -> bool:
        """Whether to show that an input (or a line) could not be read; else count it."""
        if self._room():
            return True
        self.unreadable += 1
        return False

    @property
    def left_out(self) -> int:
        """How many reports were not shown."""
        return self.invalid + self.with_warnings + self.unreadable

    def as_dict(self) -> dict[str, Any]:
        """The reports left out, by kind, and their violations by rule (most frequent first)."""
        return {
            "reports": self.left_out,
            "invalid": self.invalid,
            "with_warnings": self.with_warnings,
            "unreadable": self.unreadable,
            "rules": dict(self.rules.most_common()),
        }

    def __str__(self) -> str:
        parts = [
            _counted(count, one, many)
            for count, one, many in (
                (self.invalid, "invalid document", "invalid documents"),
                (
                    self.with_warnings,
                    "document with drift warnings only",
                    "documents with drift warnings only",
                ),
                (self.unreadable, "unreadable input", "unreadable inputs"),
            )
            if count
        ]
        reports = _counted(self.left_out, "more report", "more reports")
        text = f"{reports} not shown (--max-reports {self.most}): {', '.join(parts)}"
        if self.rules:
            text += "; their violations by rule: " + ", ".join(
                f"{rule} {count:,}" for rule, count in self.rules.most_common()
            )
        return text
