"""Transition coverage: which (from, to, operation) moves of the rule set the suite made the fake do.

Counts are kept as plain strings and integers, so that xdist workers can send them to the
controller (``config.workeroutput``) and the JSON report needs no conversion.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from talon_fakes.states import Transition

# (rule set, source or "", target, operation); "" is the creation of a session.
Move = tuple[str, str, str, str]
NEW = "(new)"


class Coverage:
    """Moves made through the fake, with counts, for each rule set a fake of the run used."""

    def __init__(self) -> None:
        self.counts: Counter[Move] = Counter()
        self.rule_sets: set[str] = set()  # every rule set a test ran a fake under, moves or not

    def add(self, rules: str, moves: Counter[Transition]) -> None:
        """Count the moves one fake made (``TalonFake.transitions()``) under ``rules``."""
        self.rule_sets.add(rules)
        for move, count in moves.items():
            source = "" if move.source is None else move.source.value
            self.counts[(rules, source, move.target.value, move.operation.value)] += count

    # -- xdist: a worker sends its counts, the controller merges them ---------------------------

    def dump(self) -> dict[str, Any]:
        """A form execnet can send (lists, strings and integers only)."""
        return {
            "rule_sets": sorted(self.rule_sets),
            "counts": [[*move, count] for move, count in sorted(self.counts.items())],
        }

    def merge(self, dumped: dict[str, Any]) -> None:
        """Add what :meth:`dump` made in another process."""
        self.rule_sets.update(dumped["rule_sets"])
        for rules, source, target, operation, count in dumped["counts"]:
            self.counts[(rules, source, target, operation)] += count

    # -- reporting ------------------------------------------------------------------------------

    def report(self, seed: int) -> dict[str, Any]:
        """For each rule set used: every move of its table, exercised (with counts) or never."""
        from talon_fakes.states import rule_set

        sets: dict[str, Any] = {}
        for rules in sorted(self.rule_sets):
            table = sorted(rule_set(rules).transitions, key=str)
            rows = []
            for move in table:
                source = "" if move.source is None else move.source.value
                count = self.counts[(rules, source, move.target.value, move.operation.value)]
                rows.append(
                    {
                        "source": move.source.value if move.source else None,
                        "target": move.target.value,
                        "operation": move.operation.value,
                        "count": count,
                    }
                )
            sets[rules] = {
                "moves": len(rows),
                "exercised": [row for row in rows if row["count"]],
                "never_exercised": [row for row in rows if not row["count"]],
            }
        return {"seed": seed, "rule_sets": sets}

    def write(self, path: Path, seed: int) -> None:
        """Write :meth:`report` as JSON to ``path`` (its folder is made when missing)."""
        import json

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.report(seed), indent=2) + "\n", encoding="utf-8")

    def made(self, rules: str) -> Counter[Transition]:
        """The moves made under ``rules``, keyed as ``TalonFake.transitions()`` keys them."""
        from talon_fakes.states import Operation, State, Transition

        made: Counter[Transition] = Counter()
        for (name, source, target, operation), count in self.counts.items():
            if name == rules:
                move = Transition(State(source) if source else None, State(target), Operation(operation))
                made[move] += count
        return made

    def diagram(self, fmt: str) -> str:
        """Each rule set used, as its state diagram with the moves exercised marked: DOT
        (``fmt == "dot"``, one digraph per rule set) or Markdown with a Mermaid block per rule set."""
        from talon_fakes import diagram
        from talon_fakes.states import rule_set

        rule_sets = sorted(self.rule_sets)
        if fmt == "dot":
            return "".join(diagram.dot(rules, self.made(rules)) for rules in rule_sets)
        parts = ["# talon-fakes transition coverage\n"]
        for rules in rule_sets:
            made = self.made(rules)
            total = len(rule_set(rules).transitions)
            parts.append(
                f"\n## rules `{rules}`: {len(made)} of {total} moves exercised\n\n"
                f"```mermaid\n{diagram.mermaid(rules, made)}```\n"
            )
        return "".join(parts)

    def write_diagram(self, path: Path) -> None:
        """Write :meth:`diagram` to ``path``: DOT for ``.dot``/``.gv``, else Markdown with Mermaid."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fmt = "dot" if path.suffix in (".dot", ".gv") else "markdown"
        path.write_text(self.diagram(fmt), encoding="utf-8")

    def summary_lines(self, seed: int) -> list[str]:
        """The terminal summary: per rule set, the moves exercised with counts, then those never."""
        lines: list[str] = []
        for rules, data in self.report(seed)["rule_sets"].items():
            done = len(data["exercised"])
            lines.append(f"rules {rules!r}: {done} of {data['moves']} moves exercised against the fake")
            lines += [f"  {_label(row):<48} x{row['count']}" for row in data["exercised"]]
            if data["never_exercised"]:
                lines.append("  never exercised:")
                lines += [f"    {_label(row)}" for row in data["never_exercised"]]
        return lines


def _label(row: dict[str, Any]) -> str:
    return f"{row['source'] or NEW} -> {row['target']} via {row['operation']}"
