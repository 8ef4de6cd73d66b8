"""Throughput of talon_fakes.validate() against python-jsonschema, on one shared corpus.

Run ``python -m benchmarks.bench_contracts [--count N]``. For each contract it generates N valid
documents (:mod:`benchmarks.corpus`), and from a share of them drifting ones (one unknown field)
and invalid ones (one schema rule broken; :mod:`benchmarks.mutations`), then times, on the same
documents in the same process and the same mode (lenient, or strict for the drifting set's
second run):

* python-jsonschema: ``list(reference_validator(c).iter_errors(doc))``, every error, the
  equivalent of returning all violations;
* talon-fakes: ``talon_fakes.validate(doc, c)``, schema and invariants.

Each measurement warms up first, then reports the best of ``--repeats`` timed passes
(:func:`time.process_time`, this process's CPU time, so that other jobs on a shared machine
weigh less; garbage collected before each pass, left enabled during it). It
prints a table per set, the lowest ratio of each against the 50x goal, and the verdict agreement
on every document; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import platform
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import talon_fakes
from benchmarks.corpus import CONTRACTS, Json, documents
from benchmarks.mutations import Breaks, mutants
from talon_fakes.contracts.validation import reference_validator

TARGET = 50.0  # the goal for every set (valid, drifting, invalid): at least 50x python-jsonschema
WARM_UP = 200


@dataclass
class Timing:
    """The best pass of one engine over one set of documents, and that pass's results."""

    seconds: float
    results: list[Any]

    def rate(self, count: int) -> float:
        """Documents per second."""
        return count / self.seconds


def best_of(check: Callable[[Json], Any], docs: Sequence[Json], repeats: int) -> Timing:
    """Warm up on a few documents, then time ``repeats`` full passes and keep the fastest."""
    for doc in docs[:WARM_UP]:
        check(doc)
    passes = []
    for _ in range(repeats):
        gc.collect()
        # CPU time of this process: on a machine shared with other jobs, wall time measures them.
        start = time.process_time()
        results = [check(doc) for doc in docs]
        passes.append(Timing(time.process_time() - start, results))
    return min(passes, key=lambda timing: timing.seconds)


def schema_valid(violations: list[talon_fakes.Violation]) -> bool:
    """validate()'s schema verdict: invariants aside, no violation that is an error."""
    return not any(v.is_error and v.kind is not talon_fakes.Kind.INVARIANT for v in violations)


@dataclass
class Row:
    """One line of the table: both engines on the same documents."""

    label: str
    count: int
    python: Timing
    ours: Timing

    def cells(self) -> list[str]:
        """The line's cells: label, documents, both rates and their ratio."""
        python, ours = self.python.rate(self.count), self.ours.rate(self.count)
        return [self.label, f"{self.count:,}", f"{python:,.0f}", f"{ours:,.0f}", f"{ours / python:.1f}x"]


def measure(contract: str, docs: Sequence[Json], repeats: int, label: str, *, strict: bool = False) -> Row:
    """Time python-jsonschema and validate() on ``docs`` of ``contract``, both in the same mode."""
    checker = reference_validator(contract, strict=strict)

    def python(doc: Json) -> list[Any]:
        return list(checker.iter_errors(doc))

    def ours(doc: Json) -> list[talon_fakes.Violation]:
        return talon_fakes.validate(doc, contract, strict=strict)

    return Row(label, len(docs), best_of(python, docs, repeats), best_of(ours, docs, repeats))


def total(rows: list[Row], label: str) -> Row:
    """The sum of ``rows``: all their documents over all their time."""
    count = sum(row.count for row in rows)
    python = Timing(sum(row.python.seconds for row in rows), [])
    ours = Timing(sum(row.ours.seconds for row in rows), [])
    return Row(label, count, python, ours)


def table(title: str, rows: list[Row]) -> str:
    """``rows`` as an aligned text table under ``title``; the last row is the total."""
    head = ["contract", "documents", "python-jsonschema docs/s", "talon_fakes.validate docs/s", "ours/python"]
    lines = [head, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = [title]
    for number, line in enumerate(lines):
        out.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if number == 0 or number == len(lines) - 2:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def agreement(rows: list[Row], labels: list[list[str]]) -> tuple[int, int, Counter[str]]:
    """How many documents get the same verdict from both engines, and where they do not."""
    agree, seen, differ = 0, 0, Counter[str]()
    for row, names in zip(rows, labels, strict=True):
        for python, ours, name in zip(row.python.results, row.ours.results, names, strict=True):
            seen += 1
            if (not python) == schema_valid(ours):
                agree += 1
            else:
                verdict = "valid" if schema_valid(ours) else "invalid"
                differ[
                    f"{row.label} / {name}: validate() says {verdict}, python-jsonschema says the opposite"
                ] += 1
    return agree, seen, differ


def profile(docs: dict[str, list[Json]], count: int, top: int = 20) -> None:
    """cProfile talon_fakes.validate() over ``count`` valid documents, split across the contracts."""
    share = count // len(docs)
    work = [(doc, contract) for contract, valid in docs.items() for doc in valid[:share]]
    for doc, contract in work[:WARM_UP]:
        talon_fakes.validate(doc, contract)
    profiler = cProfile.Profile()
    profiler.enable()
    for doc, contract in work:
        talon_fakes.validate(doc, contract)
    profiler.disable()
    print(f"\ncProfile of talon_fakes.validate() on {len(work):,} valid documents (top {top} by own time):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main(argv: Sequence[str] | None = None) -> None:
    """Build the corpus, time both engines, print the tables and the verdict agreement."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_contracts", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--count", type=int, default=10_000, help="valid documents per contract (default 10000)"
    )
    parser.add_argument(
        "--mutated",
        type=int,
        default=None,
        help="drifting and invalid documents per contract, each (default count/20)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed passes, best kept (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="also cProfile validate() on N valid documents"
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.repeats < 1:
        parser.error("--count and --repeats must be at least 1")
    mutated_count = args.count // 20 if args.mutated is None else args.mutated

    started = time.perf_counter()
    valid = {contract: documents(contract, args.count, seed=args.seed) for contract in CONTRACTS}

    def named(contract: str, breaks: Breaks) -> list[tuple[str, Json]]:
        made = mutants(contract, valid[contract][:mutated_count], seed=args.seed, breaks=breaks)
        return [(mutation.name, doc) for mutation, doc in made]

    drifting = {contract: named(contract, "unknown_field") for contract in CONTRACTS}
    invalid = {contract: named(contract, "schema") for contract in CONTRACTS}
    print(
        f"talon-fakes {talon_fakes.__version__}, jsonschema-rs {version('jsonschema-rs')}, "
        f"jsonschema {version('jsonschema')}, Python {platform.python_version()} on {platform.machine()}"
    )
    print(
        f"corpus: seed {args.seed}, {args.count:,} valid documents per contract, and {mutated_count:,} each "
        "with one unknown field and with one schema rule broken "
        f"(built in {time.perf_counter() - started:.1f}s); best of {args.repeats} passes after a warm-up\n"
    )

    labels: list[list[str]] = []
    rows: list[Row] = []
    lowest: dict[str, float] = {}
    for title, strict, sets in (
        ("valid documents", False, {c: [("valid corpus", doc) for doc in valid[c]] for c in CONTRACTS}),
        ("one unknown field, lenient (a drift warning)", False, drifting),
        ("one unknown field, strict (an error)", True, drifting),
        ("invalid documents (one schema rule broken)", False, invalid),
    ):
        set_rows = [
            measure(c, [doc for _, doc in sets[c]], args.repeats, c, strict=strict)
            for c in CONTRACTS
            if sets[c]
        ]
        print(table(title, [*set_rows, total(set_rows, "all")]))
        worst = min(row.ours.rate(row.count) / row.python.rate(row.count) for row in set_rows)
        lowest[title] = worst
        verdict = "met" if worst >= TARGET else "NOT met"
        print(f"target: at least {TARGET:.0f}x python-jsonschema: {verdict} (lowest {worst:.1f}x)\n")
        rows += set_rows
        labels += [[f"{title}: {name}" for name, _ in sets[row.label]] for row in set_rows]

    print("summary, lowest ratio per set:")
    for title, worst in lowest.items():
        print(f"  {worst:>7.1f}x  {title}{'' if worst >= TARGET else '  (target NOT met)'}")

    agree, seen, differ = agreement(rows, labels)
    print(
        f"\nverdict agreement, validate() vs python-jsonschema in the same mode: "
        f"{agree:,}/{seen:,} documents agree"
    )
    for what, times in sorted(differ.items()):
        print(f"  {times:>4} x {what}")

    if args.profile:
        profile(valid, args.profile)
    print(f"\nfinished in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
