"""The transition coverage summary and JSON report, in one process and merged across xdist workers."""

from __future__ import annotations

import json

import pytest

SUITE = """
import pytest

@pytest.mark.parametrize("n", range({n}))
def test_close(talon_client, n):
    assert talon_client.update_customer_session(f"s{{n}}", {{}}).status == 200  # (new) -> open
    assert talon_client.update_customer_session(f"s{{n}}", {{"state": "closed"}}).status == 200
    assert talon_client.reopen_customer_session(f"s{{n}}").status == 200

def test_dry_runs_and_rejections_do_not_count(talon_client, talon_fake):
    talon_fake.seed_session("seeded", "closed")  # seeds do not count either
    assert talon_client.update_customer_session("d", {{"state": "closed"}}, dry=True).status == 200
    assert talon_client.update_customer_session("seeded", {{"state": "open"}}).status == 400
"""


def _counts(report: dict[str, object]) -> dict[str, int]:
    current = report["rule_sets"]["current"]  # type: ignore[index]
    return {f"{r['source']}->{r['target']}:{r['operation']}": r["count"] for r in current["exercised"]}


def test_summary_and_json_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE.format(n=3))
    result = pytester.runpytest_inprocess(
        "--talon-transition-report", "out/coverage.json", "--talon-seed", "7"
    )
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*= talon-fakes transition coverage =*",
            "rules 'current': 3 of 10 moves exercised against the fake",
            "  (new) -> open via update * x3",
            "  closed -> open via reopen * x3",
            "  open -> closed via update * x3",
            "  never exercised:",
            "    (new) -> closed via update",
        ]
    )
    report = json.loads((pytester.path / "out" / "coverage.json").read_text())
    assert report["seed"] == 7
    assert _counts(report) == {"None->open:update": 3, "open->closed:update": 3, "closed->open:reopen": 3}
    assert len(report["rule_sets"]["current"]["never_exercised"]) == 7


def test_moves_of_every_hypothesis_example_count(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
from hypothesis import given, settings, strategies as st

examples = []

@settings(max_examples=20, database=None, deadline=None)
@given(st.integers(1, 100))
def test_examples(talon_client, talon_fake, quantity):
    talon_fake.reset()  # hands the previous example's moves to the plugin first
    cart = [{"sku": "A", "quantity": quantity, "price": 1}]
    assert talon_client.update_customer_session("s", {"cartItems": cart}).status == 200
    examples.append(quantity)

def test_count():
    print("EXAMPLES", len(examples))
"""
    )
    result = pytester.runpytest_inprocess("--talon-transition-report", "c.json", "-s")
    result.assert_outcomes(passed=2)
    examples = int(result.stdout.str().split("EXAMPLES ", 1)[1].split()[0])
    assert examples > 5
    assert _counts(json.loads((pytester.path / "c.json").read_text())) == {"None->open:update": examples}


def test_xdist_workers_get_the_run_seed_and_their_coverage_is_merged(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE.format(n=8))
    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "no:cacheprovider", "--talon-seed", "99", "--talon-transition-report", "cov.json"
    )
    result.assert_outcomes(passed=9)
    result.stdout.fnmatch_lines(["talon-fakes: --talon-seed=99,*", "*(new) -> open via update * x8"])
    report = json.loads((pytester.path / "cov.json").read_text())
    assert report["seed"] == 99
    assert _counts(report) == {"None->open:update": 8, "open->closed:update": 8, "closed->open:reopen": 8}


def test_coverage_as_the_state_diagram_with_the_moves_exercised_marked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE.format(n=2))
    result = pytester.runpytest_inprocess(
        "--talon-coverage-diagram", "out/coverage.md", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["state diagram: out/coverage.md"])
    text = (pytester.path / "out" / "coverage.md").read_text()
    assert "## rules `current`: 3 of 10 moves exercised" in text
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    from talon_fakes.diagram import mermaid  # the same drawing as `talon-fakes diagram`, marked

    bare = [line.split(" (")[0] for line in block.splitlines()]
    assert bare == mermaid("current").splitlines()
    assert "    [*] --> open: update (x2)" in block.splitlines()
    assert "    closed --> open: reopen (x2)" in block.splitlines()
    assert "    open --> cancelled: update (never)" in block.splitlines()

    result = pytester.runpytest_inprocess(
        "--talon-coverage-diagram", "coverage.dot", "-p", "no:cacheprovider"
    )
    dot = (pytester.path / "coverage.dot").read_text()
    assert dot.startswith('digraph "current" {')
    assert '"closed" -> "open" [label="reopen (x2)", style=bold];' in dot
    assert '"open" -> "cancelled" [label="update (never)", style=dashed];' in dot
