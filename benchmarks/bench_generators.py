"""Speed of our customer-session-v2 factory and strategy next to polyfactory and hypothesis-jsonschema.

Run ``python -m benchmarks.bench_generators`` (needs the ``bench`` extra; see benchmarks/README.md).
It times, for ``customer-session-v2``:

* factories: ``Factories(seed).build(NAME)`` against polyfactory's ``ModelFactory.build()`` for
  a pydantic model that datamodel-code-generator makes from the strict contract at run time;
* strategies: ``customer_sessions_v2()`` against hypothesis-jsonschema's ``from_schema`` on the
  contract bundled into one document, both drawn by the same Hypothesis machinery (one ``@given``
  run of M examples, generate phase only, no database, health checks off, the whole run timed),
  here or, with ``--jsonschema-python``, in an interpreter where hypothesis-jsonschema works.

Each pair warms up, then takes turns for ``--repeats`` passes; the fastest pass of each is kept
(garbage collected before each pass, left enabled during it). Everything a kept pass made is
checked against the contract in strict mode, invariants included, and invalid documents are
counted. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import platform
import re
import subprocess
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

import talon_fakes
from benchmarks.baselines import Json, as_wire, bundle, polyfactory_build, pydantic_model

NAME = "customer-session-v2"
FACTORY_TARGET = 10.0  # the goal: the factory at least 10x polyfactory
STRATEGY_TARGET = 5.0  # and the strategy at least 5x hypothesis-jsonschema
WARM_UP = 200
_INDEX = re.compile(r"\[\d+\]")


@dataclass
class Run:
    """The fastest pass of one generator: how long it took and what it made."""

    seconds: float
    docs: list[Any]

    @property
    def rate(self) -> float:
        """Documents per second."""
        return len(self.docs) / self.seconds


@dataclass
class Row:
    """One generator's line of the table (plain numbers, so a row can come from another process)."""

    label: str
    count: int
    seconds: float
    invalid: int | None = None  # None: not checked (partial documents)
    problems: dict[str, int] = field(default_factory=dict)
    baseline: Row | None = field(default=None, repr=False)
    target: float | None = None

    @classmethod
    def of(cls, label: str, run: Run, checked: Sequence[Json] | None) -> Row:
        """The row of ``run``; ``checked`` are its documents as JSON (None: leave them unchecked)."""
        row = cls(label, len(run.docs), run.seconds)
        if checked is not None:
            row.invalid, problems = check(checked)
            row.problems = dict(problems.most_common(3))
        return row

    @property
    def rate(self) -> float:
        """Documents per second."""
        return self.count / self.seconds

    def cells(self) -> list[str]:
        """Generator, documents, docs/s, µs/doc, ratio to its baseline, target, met, invalid."""
        ratio = met = target = "-"
        if self.baseline is not None:
            times = self.rate / self.baseline.rate
            ratio = f"{times:,.1f}x"
            if self.target is not None:
                target = f">= {self.target:.0f}x"
                met = "met" if times >= self.target else "NOT met"
        invalid = "n/a" if self.invalid is None else f"{self.invalid:,}"
        rates = [f"{self.count:,}", f"{self.rate:,.0f}", f"{1e6 / self.rate:,.0f}"]
        return [self.label, *rates, ratio, target, met, invalid]


Pass = Callable[[], list[Any]]  # one full timed pass, returning what it made


def best_of(passes: Sequence[Pass], repeats: int) -> list[Run]:
    """Time every pass ``repeats`` times, taking turns, and keep the fastest of each.

    Taking turns (A, B, A, B, ...) rather than A, A, B, B gives each generator the same share of
    whatever else the machine is doing, so their ratio holds even when its load changes.
    """
    best: list[Run | None] = [None] * len(passes)
    for _ in range(repeats):
        for index, make in enumerate(passes):
            gc.collect()
            start = time.perf_counter()
            docs = make()
            run = Run(time.perf_counter() - start, docs)
            kept = best[index]
            if kept is None or run.seconds < kept.seconds:
                best[index] = run
    return [run for run in best if run is not None]


def factory_pass(build: Callable[[], Any], count: int) -> Pass:
    """A pass of ``count`` calls of ``build``, after ``WARM_UP`` calls now."""
    for _ in range(WARM_UP):
        build()
    return lambda: [build() for _ in range(count)]


def given_pass(strategy: st.SearchStrategy[Any], examples: int, seed_value: int) -> Pass:
    """A pass of one ``@given`` run drawing ``examples`` examples, after a short run now."""

    def drawn(max_examples: int) -> list[Any]:
        docs: list[Any] = []

        @seed(seed_value)
        @settings(
            max_examples=max_examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def collect(doc: Any) -> None:
            docs.append(doc)

        collect()
        return docs

    drawn(min(examples, 20))
    return lambda: drawn(examples)


def check(docs: Sequence[Json]) -> tuple[int, Counter[str]]:
    """How many of ``docs`` break the strict contract, and the commonest problems (path: rule)."""
    bad, problems = 0, Counter[str]()
    for doc in docs:
        errors = [v for v in talon_fakes.validate(doc, NAME, strict=True) if v.is_error]
        if errors:
            bad += 1
            # Array indices folded, so that one problem in many items counts as one kind.
            problems.update({f"{_INDEX.sub('[]', v.path)}: {v.rule}" for v in errors})
    return bad, problems


# -- hypothesis-jsonschema -----------------------------------------------------------------------


def jsonschema_pass(bundled: Json, examples: int, seed_value: int) -> tuple[Pass, str, str]:
    """hypothesis-jsonschema's pass on the whole contract or, if it cannot, on the fields it can make.

    Returns the pass, its label, and a note saying why it is partial ("" when it is whole).
    """
    from hypothesis_jsonschema import from_schema

    label = "hypothesis-jsonschema from_schema"
    try:
        return given_pass(from_schema(bundled), examples, seed_value), label, ""
    except Exception as error:
        why = f"{type(error).__name__}: {error}".splitlines()[0]
    # Measure it on what it can make: each top-level field alone, kept if a few draws succeed.
    root = bundled["components"]["schemas"][NAME]
    runnable: dict[str, st.SearchStrategy[Any]] = {}
    for key, sub in root["properties"].items():
        strategy = from_schema({**sub, "components": bundled["components"]})
        try:
            given_pass(strategy, 3, seed_value)
        except Exception:
            continue
        runnable[key] = strategy
    required = [key for key in root["required"] if key in runnable]
    partial = st.fixed_dictionaries(
        {key: runnable[key] for key in required},
        optional={key: s for key, s in runnable.items() if key not in required},
    )
    skipped = sorted(set(root["properties"]) - set(runnable))
    note = (
        f"hypothesis-jsonschema {version('hypothesis-jsonschema')} cannot generate the contract with "
        f"hypothesis {version('hypothesis')}: {why}\n"
        f"  so it is timed on the {len(runnable)} of {len(root['properties'])} top-level fields it can make "
        f"(without {', '.join(skipped)}),\n"
        "  combined by st.fixed_dictionaries: partial documents, less work than a whole session, so its\n"
        "  rate flatters it and the ratio understates ours; the partial documents are not checked.\n"
        "  For the whole contract, see --jsonschema-python in benchmarks/README.md."
    )
    return given_pass(partial, examples, seed_value), f"{label} (partial, see note)", note


def strategy_rows(examples: int, repeats: int, seed_value: int) -> tuple[list[Row], str]:
    """hypothesis-jsonschema, ours, and Hypothesis alone, drawn the same way; and a note, if any."""
    from talon_fakes.generators.strategies import customer_sessions_v2

    theirs, label, note = jsonschema_pass(bundle(NAME), examples, seed_value)
    ours = given_pass(customer_sessions_v2(), examples, seed_value)
    # Information: what @given costs per example when it draws almost nothing.
    alone = given_pass(st.integers(), examples, seed_value)
    runs = best_of([theirs, ours, alone], repeats)
    return [
        Row.of(label, runs[0], None if note else runs[0].docs),
        Row.of("talon_fakes customer_sessions_v2()", runs[1], runs[1].docs),
        Row.of("(Hypothesis alone: @given(st.integers()))", runs[2], None),
    ], note


def strategy_rows_in(python: str, examples: int, repeats: int, seed_value: int) -> tuple[list[Row], str]:
    """:func:`strategy_rows` run by another interpreter (one where hypothesis-jsonschema works)."""
    argv = [python, "-m", "benchmarks.bench_generators", "--strategies-json"]
    argv += ["--examples", str(examples), "--repeats", str(repeats), "--seed", str(seed_value)]
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{python} could not run the strategies:\n{done.stderr}")
    report = json.loads(done.stdout)
    rows = [Row(**row) for row in report["rows"]]
    note = f"strategies timed by {python}: {report['versions']}" + (
        f"\n{report['note']}" if report["note"] else ""
    )
    return rows, note


# -- the run -------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    """``rows`` as an aligned text table."""
    head = ["generator", "documents", "docs/s", "µs/doc", "vs baseline", "target", "met", "invalid (strict)"]
    lines = [head, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for number, line in enumerate(lines):
        out.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if number == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def versions() -> str:
    """The versions that matter here, on one line."""
    names = ("polyfactory", "pydantic", "datamodel-code-generator", "hypothesis", "hypothesis-jsonschema")
    found = [f"{name} {version(name)}" for name in names if importlib.util.find_spec(name.replace("-", "_"))]
    return (
        f"talon-fakes {talon_fakes.__version__}, {', '.join(found)}, "
        f"Python {platform.python_version()} on {platform.machine()}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Time the generators, check what they made, print the table."""
    from talon_fakes.generators.factories import Factories

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_generators", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--count", type=int, default=2_000, help="documents per factory pass (default 2000)")
    parser.add_argument(
        "--examples", type=int, default=None, help="examples per strategy pass (default: --count / 4)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed passes, best kept (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every generator (default 0)")
    parser.add_argument(
        "--jsonschema-python",
        metavar="PYTHON",
        help="time the strategies with this interpreter, one where hypothesis-jsonschema runs (see README)",
    )
    parser.add_argument("--show-model", action="store_true", help="also print the generated pydantic model")
    parser.add_argument("--strategies-json", action="store_true", help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args(argv)
    examples = max(1, args.count // 4) if args.examples is None else args.examples
    if min(args.count, args.repeats, examples) < 1:
        parser.error("--count, --examples and --repeats must be at least 1")
    if args.strategies_json:
        rows, note = strategy_rows(examples, args.repeats, args.seed)
        fields = ("label", "count", "seconds", "invalid", "problems")
        report = {
            "versions": versions(),
            "note": note,
            "rows": [{f: getattr(r, f) for f in fields} for r in rows],
        }
        print(json.dumps(report))
        return

    started = time.perf_counter()
    print(versions())
    print(
        f"{NAME}: {args.count:,} documents per factory pass, {examples:,} examples per strategy pass, "
        f"seed {args.seed}; best of {args.repeats} passes after a warm-up\n"
    )
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generator's notices about its future defaults
        model, source = pydantic_model(bundle(NAME), Path(folder))
    if args.show_model:
        print(source)

    factories = Factories(args.seed)
    poly, ours = best_of(
        [
            factory_pass(polyfactory_build(model, args.seed), args.count),
            factory_pass(lambda: factories.build(NAME), args.count),
        ],
        args.repeats,
    )
    poly_row = Row.of("polyfactory ModelFactory.build()", poly, [as_wire(doc) for doc in poly.docs])
    ours_row = Row.of("talon_fakes Factories.build()", ours, ours.docs)
    ours_row.baseline, ours_row.target = poly_row, FACTORY_TARGET

    if args.jsonschema_python:
        (theirs_row, drawn_row, alone), note = strategy_rows_in(
            args.jsonschema_python, examples, args.repeats, args.seed
        )
    else:
        (theirs_row, drawn_row, alone), note = strategy_rows(examples, args.repeats, args.seed)
    drawn_row.baseline, drawn_row.target = theirs_row, STRATEGY_TARGET

    rows = [poly_row, ours_row, theirs_row, drawn_row, alone]
    print(table(rows))
    if note:
        print(f"\nnote: {note}")
    for row in rows:
        if row.problems:
            common = ", ".join(f"{what} ({n:,})" for what, n in row.problems.items())
            print(f"\n{row.label}: {row.invalid:,} invalid; commonest violations: {common}")
    print(f"\nfinished in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
