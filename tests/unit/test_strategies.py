"""The Hypothesis strategies: house style (options checked at once), shrinking, type registration."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import talon_fakes
from talon_fakes.fake.domain.model import CartItem, Session
from talon_fakes.generators import strategies as ts
from talon_fakes.states import RULE_SETS, Operation, State, Transition, rule_set


def minimal(strategy: st.SearchStrategy[Any]) -> Any:
    """Hypothesis's smallest example (derandomized: the same one every run)."""
    return find(
        strategy, lambda _: True, settings=settings(database=None, derandomize=True, max_examples=300)
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ts.customer_sessions_v2(states="open"), r"pass a list of states"),
        (lambda: ts.customer_sessions_v2(states=["shipped"]), r"unknown state 'shipped'"),
        (lambda: ts.customer_sessions_v2(rules="v9"), r"unknown rule set 'v9'"),
        (lambda: ts.customer_sessions_v2(rules="legacy", states=["partially_returned"]), r"legacy"),
        (lambda: ts.customer_sessions_v2(min_items=-1), r"min_items=-1"),
        (lambda: ts.customer_sessions_v2(min_items=3, max_items=2), r"more than max_items"),
        (lambda: ts.customer_sessions_v2(max_items=True), r"max_items=True"),
        (lambda: ts.customer_sessions_v2(traits=["nope"]), r"unknown trait 'nope'"),
        (lambda: ts.customer_sessions_v2(traits=["big_cart"], max_items=10), r"no cart size fits"),
        (lambda: ts.cart_items(traits=["anonymous"]), r"does not apply to cart-item"),
        (lambda: ts.new_customer_sessions_v2(states=["partially_returned"]), r"only a return"),
        (lambda: ts.documents("customer-sesion-v2"), r"did you mean 'customer-session-v2'"),
        (lambda: ts.session_histories(min_steps=3, max_steps=2), r"min_steps=3 is more than max_steps=2"),
        (lambda: ts.session_histories(max_steps=0), r"max_steps=0"),
        (lambda: ts.illegal_transitions(rules="nope"), r"unknown rule set"),
        (lambda: ts.invalid_payloads("nope"), r"no factory for 'nope'"),
        (lambda: ts.invalid_payloads("cart-item", strict="yes"), r"strict='yes'"),
    ],
)
def test_bad_options_raise_invalid_argument_at_once(make: Any, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        make()


def test_every_public_strategy_is_documented() -> None:
    for name in ts.__all__:
        assert (getattr(ts, name).__doc__ or "").strip(), name
        assert getattr(ts, name).__name__ == name


def test_sessions_shrink_to_a_first_update_with_an_empty_cart() -> None:
    session = minimal(ts.customer_sessions_v2())
    assert session["cartItems"] == []
    assert session["couponCodes"] == []
    assert session["updateCount"] <= 2  # the shrinker stops at a short history, not always the shortest


def test_a_wanted_property_shrinks_to_a_small_example() -> None:
    closed_with_items = minimal(ts.customer_sessions_v2(states=["closed"], min_items=2))
    quantities = [item["quantity"] for item in closed_with_items["cartItems"]]
    # Small, not always the smallest: in a full parallel run the shrinker has stopped at [2, 2].
    assert len(quantities) == 2
    assert all(1 <= quantity <= 2 for quantity in quantities), quantities
    returned = minimal(ts.customer_sessions_v2(states=["partially_returned"]))
    assert len(returned["cartItems"]) == 1
    assert returned["cartItems"][0]["returnedQuantity"] == 1


def test_histories_shrink_to_one_creation() -> None:
    [(operation, body)] = minimal(ts.session_histories())
    assert operation is Operation.UPDATE
    assert body["customerSession"]["cartItems"] == []


def test_illegal_transitions_shrink_to_a_short_history() -> None:
    history, (operation, body) = minimal(ts.illegal_transitions())
    assert len(history) <= 1
    assert operation is Operation.UPDATE
    assert set(body["customerSession"]) <= {"state", "attributes"}


@settings(max_examples=200, deadline=None)
@given(ts.session_histories(rules="v1", min_steps=3, max_steps=6))
def test_histories_have_the_asked_length_and_follow_the_rules(history: list[Any]) -> None:
    assert 3 <= len(history) <= 6
    state: State | None = None
    steps = []
    for operation, body in history:
        if operation is Operation.UPDATE:
            asked = body["customerSession"].get("state")
            state = State(asked) if asked else (state or State.OPEN)
        else:
            state = State.PARTIALLY_RETURNED if operation is Operation.RETURN else State.OPEN
            assert (body is None) is (operation is Operation.REOPEN)
        steps.append((operation.value, state.value))
    assert talon_fakes.check_state_history(steps, rules="v1") == []


@given(st.from_type(Session), st.from_type(CartItem), st.from_type(Transition), st.from_type(State))
@settings(max_examples=50, deadline=None)
def test_domain_types_resolve_with_from_type(
    session: Session, item: CartItem, move: Transition, state: State
) -> None:
    assert isinstance(session, Session)
    assert item.quantity >= 1
    assert item.sku
    assert any(table.allows(move.source, move.target, move.operation) for table in RULE_SETS.values())
    assert isinstance(state, State)


@given(ts.transitions(rules="legacy"))
def test_transitions_of_a_rule_set_are_its_moves(move: Transition) -> None:
    assert rule_set("legacy").allows(move.source, move.target, move.operation)


def test_type_strategies_register_from_the_hook_alone() -> None:
    code = (
        "from hypothesis import strategies as st\n"
        "from talon_fakes._hypothesis import _hypothesis_setup_hook\n"
        "import sys\n"
        "_hypothesis_setup_hook()\n"
        "assert 'talon_fakes.generators.strategies' not in sys.modules, 'the hook loaded the generators'\n"
        "from talon_fakes.fake.domain.model import Session\n"
        "s = st.from_type(Session).example()\n"
        "assert isinstance(s, Session)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=100, deadline=None)
@given(ts.cart_lines(traits=["catalog_prices"]))
def test_cart_lines_follow_traits(item: CartItem) -> None:
    assert item.price is None
    assert item.returned_quantity == 0
