"""The transition table and the state-history check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import talon_fakes
from talon_fakes import Operation, State, check_state_history, rule_set
from talon_fakes.states import RULE_SETS, TRANSITIONS, states_reachable

O_, C, P, X = State.OPEN, State.CLOSED, State.PARTIALLY_RETURNED, State.CANCELLED
U, R, RO = Operation.UPDATE, Operation.RETURN, Operation.REOPEN


def test_three_rule_sets() -> None:
    assert sorted(RULE_SETS) == ["current", "legacy", "v1"]
    assert {row[0] for row in TRANSITIONS} == set(RULE_SETS)


def test_current_rules_follow_the_spec() -> None:
    current = rule_set("current")
    assert current.initial_states == {O_, C}
    assert current.allows(O_, C, U)
    assert current.allows(O_, X, U)
    assert current.allows(C, X, U)
    assert current.allows(P, X, U)
    # Only returns make closed -> partially_returned; only reopen makes closed -> open.
    assert current.allows(C, P, R)
    assert not current.allows(C, P, U)
    assert not current.allows(C, P, RO)
    assert current.allows(C, O_, RO)
    assert not current.allows(C, O_, U)
    assert not current.allows(C, O_, R)
    # A closed session cannot be edited, and partially_returned never goes back.
    assert not current.allows(C, C, U)
    assert not any(current.allows(P, target, op) for target in (O_, C) for op in Operation)


def test_v1_has_no_reopen_and_lets_updates_make_partial_returns() -> None:
    v1 = rule_set("v1")
    assert not any(t.operation is RO for t in v1.transitions)
    assert v1.allows(C, P, U)
    assert v1.allows(C, P, R)


def test_legacy_has_three_moves_from_open() -> None:
    legacy = rule_set("legacy")
    assert legacy.initial_states == {O_}
    moves = {(t.source, t.target) for t in legacy.transitions if t.source != t.target and t.source}
    assert moves == {(O_, C), (O_, X), (C, X)}
    assert states_reachable("legacy") == {O_, C, X}


@pytest.mark.parametrize("name", sorted(RULE_SETS))
def test_cancelled_is_terminal(name: str) -> None:
    assert rule_set(name).moves_from(X) == []


def test_unknown_rule_set_names_the_choices() -> None:
    with pytest.raises(talon_fakes.UnknownRuleSet, match="current, legacy, v1"):
        rule_set("v3")


def test_explain_names_from_to_operation_and_the_alternatives() -> None:
    message = rule_set("current").explain(C, P, U)
    assert "'closed'" in message
    assert "'partially_returned'" in message
    assert "via update" in message
    assert "only return may cause it" in message
    assert "open via reopen" in message


def walks(name: str) -> st.SearchStrategy[list[tuple[Operation, State]]]:
    """Random legal histories, read off the table."""
    table = rule_set(name)

    @st.composite
    def walk(draw: st.DrawFn) -> list[tuple[Operation, State]]:
        steps: list[tuple[Operation, State]] = []
        source: State | None = None
        for _ in range(draw(st.integers(1, 8))):
            moves = table.moves_from(source)
            if not moves:
                break
            move = draw(st.sampled_from(moves))
            steps.append((move.operation, move.target))
            source = move.target
        return steps

    return walk()


@pytest.mark.parametrize("name", sorted(RULE_SETS))
@given(data=st.data())
def test_legal_histories_are_accepted(name: str, data: st.DataObject) -> None:
    history = data.draw(walks(name))
    assert check_state_history(history, rules=name) == []
    assert check_state_history([state for _, state in history], rules=name) == []


@pytest.mark.parametrize("name", sorted(RULE_SETS))
@given(data=st.data())
def test_one_illegal_step_is_reported_at_its_index(name: str, data: st.DataObject) -> None:
    table = rule_set(name)
    history = data.draw(walks(name))
    last = history[-1][1]
    illegal = [(op, s) for op in Operation for s in State if not table.allows(last, s, op)]
    step = data.draw(st.sampled_from(illegal))
    found = check_state_history([*history, step], rules=name)
    assert [(v.path, v.rule) for v in found] == [(f"$[{len(history)}]", "transition")]
    assert f"via {step[0].value}" in found[0].message


def test_state_list_history_examples() -> None:
    assert check_state_history(["open", "closed", "partially_returned", "cancelled"]) == []
    assert check_state_history(["open", "closed", "open"]) == []  # reopen
    [violation] = check_state_history(["open", "closed", "open"], rules="v1")
    assert violation.path == "$[2]"
    assert "any operation" in violation.message
    [violation] = check_state_history(["closed"], rules="legacy")
    assert violation.path == "$[0]"
    assert "a new session" in violation.message


def test_garbage_steps_are_reported_not_raised() -> None:
    [violation] = check_state_history(["open", "shipped"])
    assert violation.path == "$[1]"
    assert violation.rule == "step"
    assert "shipped" in violation.message
