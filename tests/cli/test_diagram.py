"""``talon-fakes diagram``: every edge is a row of the transitions table, and the README's
diagrams are the command's output."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from talon_fakes.cli import main
from talon_fakes.diagram import move_id
from talon_fakes.states import RULE_SETS, TRANSITIONS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
RULES = sorted(RULE_SETS)


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, ["diagram", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _table(rules: str) -> set[tuple[str, str, str]]:
    """The (source, target, operation) rows of ``rules`` in TRANSITIONS, the start spelled ``new``."""
    return {
        ("new" if source is None else source.value, target.value, operation.value)
        for name, source, target, operation in TRANSITIONS
        if name == rules
    }


@pytest.mark.parametrize("rules", RULES)
def test_the_readme_shows_each_rule_set_as_the_command_draws_it(rules: str) -> None:
    marker = f"<!-- talon-fakes diagram --rules {rules} -->"
    assert marker in README, f"the README has no diagram of the {rules!r} rules"
    block = README.split(marker, 1)[1].split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == _run("--rules", rules)


@pytest.mark.parametrize("rules", RULES)
def test_mermaid_edges_are_the_transitions_table(rules: str) -> None:
    lines = _run("--rules", rules, "--format", "mermaid").splitlines()
    assert lines[0] == "stateDiagram-v2"
    edges = [re.fullmatch(r" {4}(\S+) --> (\S+): (\w+)", line) for line in lines[1:]]
    assert all(edges), lines
    rows = [(m[1].replace("[*]", "new"), m[2], m[3]) for m in edges if m]
    assert len(rows) == len(set(rows))  # one edge per row, none twice
    assert set(rows) == _table(rules)


@pytest.mark.parametrize("rules", RULES)
def test_dot_edges_are_the_transitions_table(rules: str) -> None:
    text = _run("--rules", rules, "--format", "dot")
    rows = re.findall(r'"([^"]+)" -> "([^"]+)" \[label="(\w+)"\];', text)
    assert text.startswith(f'digraph "{rules}" {{')
    assert text.rstrip().endswith("}")
    assert len(rows) == len(_table(rules))
    assert {(s.replace("(new)", "new"), t, o) for s, t, o in rows} == _table(rules)


@pytest.mark.parametrize("rules", RULES)
def test_the_svg_is_well_formed_with_one_edge_per_move(rules: str) -> None:
    root = ElementTree.fromstring(_run("--rules", rules, "--format", "svg"))
    moves = [g.get("data-move") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("data-move")]
    assert sorted(moves) == sorted(move_id(move) for move in RULE_SETS[rules].transitions)


def test_an_unknown_rule_set_or_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["diagram", "--rules", "v2"])
    assert (result.exit_code, "'v2' is not one of 'current', 'v1', 'legacy'" in result.output) == (2, True)
    result = CliRunner().invoke(main, ["diagram", "--format", "png"])
    assert result.exit_code == 2
