"""Everything the factories and strategies make passes its contract in strict mode, invariants
included; every ``invalid_payloads`` document fails its contract for the rule it names.

Thousands of documents in all: every factory under every rule set and in every state it allows,
every strategy, every trait; the sessions' histories are checked against the transition table.
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import talon_fakes
from talon_fakes.generators import strategies as ts
from talon_fakes.generators.entities import ENTITIES
from talon_fakes.generators.factories import FACTORY_NAMES, TRAITS, Factories
from talon_fakes.generators.mutations import Mutation
from talon_fakes.generators.traits import TRAIT_ENTITIES, allowed_states
from talon_fakes.states import RULE_SETS, State, states_reachable

RULES = sorted(RULE_SETS)
CASES = [
    (name, rules, state)
    for name in FACTORY_NAMES
    for rules in RULES
    for state in (None, *allowed_states(ENTITIES[name], RULE_SETS[rules]))
]
SESSION_STRATEGIES = {
    "customer-session-v2": ts.customer_sessions_v2,
    "new-customer-session-v2": ts.new_customer_sessions_v2,
    "integration-request-v2": ts.integration_requests_v2,
    "integration-state-v2": ts.integration_states_v2,
    "application-session": ts.application_sessions,
    "customer-session-v1": ts.customer_sessions_v1,
    "new-customer-session-v1": ts.new_customer_sessions_v1,
    "customer-session-v2-legacy": ts.customer_sessions_v2_legacy,
}
OTHER_STRATEGIES = {
    "return-request": ts.return_requests(),
    "cart-item": ts.cart_items(),
    "additional-cost": ts.additional_costs(),
}


def assert_clean(doc: Any, contract: str) -> None:
    violations = talon_fakes.validate(doc, contract, strict=True)
    assert violations == [], f"{contract}: " + "; ".join(map(str, violations))


def session_of(doc: dict[str, Any]) -> dict[str, Any]:
    inner: dict[str, Any] = doc.get("customerSession", doc)
    return inner


def states_in(doc: dict[str, Any]) -> set[str]:
    """The states of the sessions in ``doc`` (a Management page holds several)."""
    sessions = doc["data"] if "data" in doc else [session_of(doc)]
    return {session["state"] for session in sessions}


@pytest.mark.parametrize(("name", "rules", "state"), CASES, ids=lambda v: str(v))
def test_factory_documents_are_clean(name: str, rules: str, state: State | None) -> None:
    factories = Factories(seed=zlib.crc32(f"{name}/{rules}/{state}".encode()), rules=rules)
    for doc in factories.batch(name, 40, state=state):
        assert_clean(doc, name)
        if state is not None:
            assert states_in(doc) <= {state.value}


def test_thousands_of_sessions_in_one_sized_run() -> None:
    factories = Factories(seed=2026)
    docs = factories.batch("integration-state-v2", 2000)
    for doc in docs:
        assert_clean(doc, "integration-state-v2")
    states = {doc["customerSession"]["state"] for doc in docs}
    assert states == {s.value for s in states_reachable("current")}


@pytest.mark.parametrize("name", sorted(SESSION_STRATEGIES))
@pytest.mark.parametrize("rules", RULES)
def test_session_strategies_are_clean(name: str, rules: str) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(SESSION_STRATEGIES[name](rules=rules, max_items=6))
    def check(doc: dict[str, Any]) -> None:
        assert_clean(doc, name)
        assert session_of(doc).get("state", "open") in {s.value for s in states_reachable(rules)}

    check()


@pytest.mark.parametrize("name", sorted(OTHER_STRATEGIES))
def test_other_strategies_are_clean(name: str) -> None:
    @settings(max_examples=150, deadline=None)
    @given(OTHER_STRATEGIES[name])
    def check(doc: dict[str, Any]) -> None:
        assert_clean(doc, name)

    check()


@pytest.mark.parametrize("name", [n for n in FACTORY_NAMES if n not in SESSION_STRATEGIES | OTHER_STRATEGIES])
def test_documents_strategy_covers_the_remaining_contracts(name: str) -> None:
    @settings(max_examples=60, deadline=None)
    @given(ts.documents(name))
    def check(doc: Any) -> None:
        assert_clean(doc, name)

    check()


@pytest.mark.parametrize("rules", RULES)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_session_objects_follow_the_rules(rules: str, data: st.DataObject) -> None:
    session = data.draw(ts.sessions(rules=rules, max_items=5))
    steps = [(operation.value, state.value) for operation, state in session.history]
    assert talon_fakes.check_state_history(steps, rules=rules) == []
    assert session.history[-1][1] is session.state
    assert session.update_count == len(session.history)
    assert session.created <= session.updated
    returns = sum(1 for _, state in session.history if state is State.PARTIALLY_RETURNED)
    assert len(session.returns) == returns
    assert sum(item.returned_quantity for item in session.cart_items) >= returns


@pytest.mark.parametrize("trait", sorted(TRAITS))
def test_every_trait_is_clean_in_strategies_and_factories(trait: str) -> None:
    applies = TRAIT_ENTITIES[trait]
    for name in sorted(applies):
        count = 1 if trait in ("at_cart_limits", "big_cart") else 10
        for doc in Factories(seed=5).batch(name, count, traits=[trait]):
            assert_clean(doc, name)
    name = min(applies)
    strategy = ts.documents(name, traits=[trait])

    @settings(
        max_examples=5 if trait in ("at_cart_limits", "big_cart") else 40,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(doc: Any) -> None:
        assert_clean(doc, name)

    check()


# -- invalid payloads -----------------------------------------------------------------------------


def assert_breaks(mutation: Mutation, contract: str, *, strict: bool) -> None:
    errors = [v for v in talon_fakes.validate(mutation.document, contract, strict=strict) if v.is_error]
    assert errors, f"{mutation.description}: the contract accepts it"
    assert {v.path for v in errors} == {mutation.path}, mutation.description
    assert mutation.rule in {v.rule for v in errors}, mutation.description


@pytest.mark.parametrize("contract", FACTORY_NAMES)
@pytest.mark.parametrize("strict", [True, False])
def test_invalid_payloads_break_the_rule_they_name(contract: str, strict: bool) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ts.invalid_payloads(contract, strict=strict))
    def check(mutation: Mutation) -> None:
        if not strict:
            assert not mutation.strict_only
        assert_breaks(mutation, contract, strict=strict)
        assert talon_fakes.is_valid(mutation.document, contract, strict=strict) is False

    check()
