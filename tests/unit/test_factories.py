"""The factories: seeds, states, traits, overrides, errors, the Faker provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from faker import Faker

import talon_fakes
from talon_fakes.errors import (
    InvalidOverride,
    TalonFakesError,
    UnknownFactory,
    UnknownLocale,
    UnknownTrait,
    UnreachableState,
)
from talon_fakes.generators.factories import FACTORY_NAMES, OMIT, TRAITS, Factories, TalonProvider
from talon_fakes.generators.promotions import OUTCOME_TRAITS
from talon_fakes.states import State, states_reachable

REQUIRED = (
    "customer-session-v2",
    "new-customer-session-v2",
    "integration-request-v2",
    "integration-state-v2",
    "return-request",
    "application-session",
    "customer-session-v1",
    "new-customer-session-v1",
    "customer-session-v2-legacy",
    "cart-item",
    "additional-cost",
)


def dumps(docs: Any) -> str:
    return json.dumps(docs, sort_keys=True)


def clean(doc: Any, contract: str) -> None:
    violations = talon_fakes.validate(doc, contract, strict=True)
    assert violations == [], "; ".join(map(str, violations))


def test_every_contract_has_a_factory_and_a_method() -> None:
    """The README says every contract has a factory: a method on Factories and on the Faker provider."""
    assert set(REQUIRED) <= set(FACTORY_NAMES)
    assert set(FACTORY_NAMES) == set(talon_fakes.contract_names())
    fake = Faker()
    fake.add_provider(TalonProvider)
    fake.seed_instance(1)
    for maker in (Factories(seed=1), fake):
        for name in talon_fakes.contract_names():
            method = getattr(maker, name.replace("-", "_"))
            assert (method.__doc__ or "").strip()
            clean(method(), name)


# -- determinism --------------------------------------------------------------------------------

CALLS = """
import json, sys
from talon_fakes.generators.factories import FACTORY_NAMES, Factories
f = Factories(seed=7, locale=sys.argv[1])
docs = [f.build(name) for name in sorted(FACTORY_NAMES)]
docs += f.batch("customer-session-v2", 20, state="partially_returned", traits=["with_coupons"])
docs += f.batch("integration-state-v2", 10, customerSession__profileId="c-1")
sys.stdout.write(json.dumps(docs, sort_keys=True))
"""


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_same_seed_same_bytes_in_other_processes(locale: str) -> None:
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", CALLS, locale], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    [text] = outputs
    assert len(json.loads(text)) == len(FACTORY_NAMES) + 30


def test_same_seed_same_documents_here_and_other_seeds_differ() -> None:
    def run(seed: int) -> str:
        factories = Factories(seed=seed)
        return dumps([factories.build(name) for name in FACTORY_NAMES] + factories.batch("cart-item", 5))

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_a_random_seed_is_chosen_and_exposed() -> None:
    first = Factories()
    again = Factories(seed=first.seed)
    assert dumps(first.batch("customer-session-v2", 5)) == dumps(again.batch("customer-session-v2", 5))
    assert "seed=" in repr(first)


def test_stream_is_lazy_and_checks_its_options_at_once() -> None:
    factories = Factories(seed=5)
    with pytest.raises(UnreachableState):
        factories.stream("customer-session-v2", 10, state="nope")
    stream = factories.stream("customer-session-v2", 10**9)  # nothing is built until asked
    assert [next(stream)["state"] in {s.value for s in State} for _ in range(3)] == [True] * 3
    with pytest.raises(ValueError, match="count"):
        factories.batch("cart-item", -1)


def test_locale_changes_the_values() -> None:
    english = Factories(seed=2).batch("customer-session-v2", 30)
    german = Factories(seed=2, locale="de_DE").batch("customer-session-v2", 30)
    cities = {doc["attributes"]["ShippingCity"] for doc in english}
    assert cities != {doc["attributes"]["ShippingCity"] for doc in german}
    for doc in german:
        clean(doc, "customer-session-v2")
    with pytest.raises(UnknownLocale, match="xx_XX"):
        Factories(locale="xx_XX")


# -- states -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", ["current", "v1", "legacy"])
def test_sessions_in_every_reachable_state_are_consistent(rules: str) -> None:
    factories = Factories(seed=11, rules=rules)
    for state in sorted(states_reachable(rules)):
        for doc in factories.batch("customer-session-v2", 40, state=state):
            clean(doc, "customer-session-v2")
            assert doc["state"] == state.value
            returned = sum(item["returnedQuantity"] for item in doc["cartItems"])
            if state is State.PARTIALLY_RETURNED:
                assert returned >= 1
            if state is State.OPEN:
                assert returned == 0  # open sessions were never returned
            assert doc["created"] <= doc["updated"]


def test_a_state_the_rules_cannot_reach_is_refused_clearly() -> None:
    legacy = Factories(rules="legacy")
    with pytest.raises(
        UnreachableState, match=r"partially_returned.*legacy.*allowed: open, closed, cancelled"
    ):
        legacy.customer_session_v2(state="partially_returned")
    with pytest.raises(UnreachableState, match="only a return may cause it"):
        Factories().new_customer_session_v2(state="partially_returned")
    with pytest.raises(UnreachableState, match="contract does not allow"):
        Factories().customer_session_v2_legacy(state="partially_returned")
    with pytest.raises(UnreachableState, match="has no state"):
        Factories().build("cart-item", state="open")
    with pytest.raises(UnreachableState, match="unknown state 'shipped'"):
        Factories().build("customer-session-v2", state="shipped")
    assert issubclass(UnreachableState, TalonFakesError)
    assert issubclass(UnreachableState, ValueError)


def test_v1_requests_may_ask_for_partially_returned() -> None:
    doc = Factories(seed=1, rules="v1").new_customer_session_v2(state="partially_returned")
    assert doc["state"] == "partially_returned"


# -- traits -------------------------------------------------------------------------------------

CHECKS = {
    "anonymous": lambda s: s["profileId"] == "" and s["firstSession"] is True,
    "returning_customer": lambda s: s["profileId"] != "" and s["firstSession"] is False,
    "with_coupons": lambda s: 1 <= len(s["couponCodes"]) <= 3,
    "with_referral": lambda s: s["referralCode"].startswith("REF-"),
    "with_identifiers": lambda s: 1 <= len(s["identifiers"]) <= 5,
    "with_additional_costs": lambda s: (
        s["additionalCosts"] and all(i["additionalCosts"] for i in s["cartItems"])
    ),
    "with_price_adjustments": lambda s: all(i["selectedPriceType"] == "member" for i in s["cartItems"]),
    "catalog_prices": lambda s: all("price" not in i for i in s["cartItems"]),
    "empty_cart": lambda s: s["cartItems"] == [],
    "big_cart": lambda s: 50 <= len(s["cartItems"]) <= 200,
    "at_cart_limits": lambda s: (
        len(s["cartItems"]) == 1000 and sum(i["quantity"] for i in s["cartItems"]) == 10_000
    ),
}


@pytest.mark.parametrize("trait", sorted(CHECKS))
def test_session_traits_do_what_they_say(trait: str) -> None:
    factories = Factories(seed=21)
    count = 3 if trait == "at_cart_limits" else 25
    for doc in factories.batch("customer-session-v2", count, traits=[trait]):
        clean(doc, "customer-session-v2")
        assert CHECKS[trait](doc), trait


def test_integration_state_traits() -> None:
    factories = Factories(seed=4)
    for doc in factories.batch("integration-state-v2", 20, traits=["with_profile", "with_effects"]):
        clean(doc, "integration-state-v2")
        assert doc["customerProfile"]["integrationId"] == doc["customerSession"]["profileId"]
        assert doc["effects"]


def test_every_trait_is_described() -> None:
    assert set(TRAITS) == set(CHECKS) | {"with_profile", "with_effects"} | set(OUTCOME_TRAITS)
    assert all(description.strip() for description in TRAITS.values())


def test_bad_traits_are_refused_clearly() -> None:
    factories = Factories()
    with pytest.raises(UnknownTrait, match="unknown trait 'anonymus'; did you mean 'anonymous'"):
        factories.customer_session_v2(traits=["anonymus"])
    with pytest.raises(UnknownTrait, match="does not apply to additional-cost"):
        factories.build("additional-cost", traits=["big_cart"])
    with pytest.raises(UnknownTrait, match="contradict"):
        factories.customer_session_v2(traits=["anonymous", "returning_customer"])
    with pytest.raises(UnreachableState, match="partially_returned"):
        factories.customer_session_v2(state="partially_returned", traits=["empty_cart"])
    with pytest.raises(UnknownFactory, match="did you mean 'customer-session-v2'"):
        factories.build("customer-sesion-v2")
    assert str(UnknownFactory("plain")) == "plain"  # not KeyError's quoted repr


# -- overrides ----------------------------------------------------------------------------------


def test_overrides_nested_and_derived_fields_follow() -> None:
    factories = Factories(seed=8)
    doc = factories.customer_session_v2(
        state="closed",
        profileId="",
        cartItems=[{"sku": "A-1", "quantity": 3, "price": 2.5}, {"sku": "B-2", "quantity": 1, "price": 10.0}],
        additionalCosts={"shipping": {"price": 4.95}},
        attributes__Vip=True,
    )
    clean(doc, "customer-session-v2")
    assert doc["firstSession"] is True  # anonymous
    assert [i["position"] for i in doc["cartItems"]] == [0, 1]
    assert [i["remainingQuantity"] for i in doc["cartItems"]] == [3, 1]
    assert (doc["cartItemTotal"], doc["additionalCostTotal"], doc["total"]) == (17.5, 4.95, 22.45)
    assert doc["attributes"]["Vip"] is True

    item = factories.customer_session_v2(state="open", traits=["big_cart"], cartItems__3__quantity=7)
    assert item["cartItems"][3]["quantity"] == 7 == item["cartItems"][3]["remainingQuantity"]
    clean(item, "customer-session-v2")


def test_an_overridden_derived_field_is_kept() -> None:
    doc = Factories(seed=9).customer_session_v2(
        total=-1, cartItems=[{"sku": "A", "quantity": 1, "price": 2.0}]
    )
    assert doc["total"] == -1
    assert doc["cartItemTotal"] == 2.0
    assert [v.rule for v in talon_fakes.validate(doc, "customer-session-v2")] == ["totals"]


def test_overrides_inside_integration_states_and_omit() -> None:
    factories = Factories(seed=10)
    doc = factories.integration_state_v2(
        customerSession__cartItems=[{"sku": "X", "quantity": 2, "price": 1.25}]
    )
    assert doc["customerSession"]["cartItemTotal"] == 2.5
    clean(doc, "integration-state-v2")
    request = factories.new_customer_session_v2(state="closed", storeIntegrationId=OMIT, couponCodes=OMIT)
    assert "storeIntegrationId" not in request
    assert "couponCodes" not in request
    legacy = factories.customer_session_v2_legacy(additionalCosts={"x": {"price": 1.0}}, cartItems=[])
    assert legacy["total"] == 1.0
    clean(legacy, "customer-session-v2-legacy")


def test_overrides_are_copied_per_document() -> None:
    cart = [{"sku": "A", "quantity": 1, "price": 1.0}]
    docs = Factories(seed=1).batch("customer-session-v2", 2, cartItems=cart)
    docs[0]["cartItems"][0]["quantity"] = 99
    assert docs[1]["cartItems"][0]["quantity"] == 1
    assert cart == [{"sku": "A", "quantity": 1, "price": 1.0}]


def test_bad_override_paths_are_refused_clearly() -> None:
    factories = Factories(seed=3)
    with pytest.raises(InvalidOverride, match=r"no field 'profile_id'.*did you mean 'profileId'"):
        factories.customer_session_v2(profile_id="x")
    with pytest.raises(InvalidOverride, match=r"\$.cartItems\[5\] does not exist \(the list has 1 items\)"):
        factories.customer_session_v2(cartItems=[{"sku": "A", "quantity": 1}], cartItems__5__sku="B")
    with pytest.raises(InvalidOverride, match="customerProfile is not in this document"):
        factories.integration_state_v2(traits=["anonymous"], customerProfile__integrationId="x")
    with pytest.raises(InvalidOverride, match="not a list"):
        factories.customer_session_v2(state__0="x")
    assert issubclass(InvalidOverride, KeyError)
    assert issubclass(InvalidOverride, TalonFakesError)


# -- Faker provider -----------------------------------------------------------------------------


def test_faker_provider_is_seeded_by_faker() -> None:
    fake = Faker()
    fake.add_provider(TalonProvider)
    fake.seed_instance(5)
    first = [
        fake.customer_session_v2(state="closed"),
        fake.cart_item(),
        fake.talon_document("return-request"),
    ]
    fake.seed_instance(5)
    again = [
        fake.customer_session_v2(state="closed"),
        fake.cart_item(),
        fake.talon_document("return-request"),
    ]
    assert dumps(first) == dumps(again)
    assert first[0]["state"] == "closed"
    clean(first[0], "customer-session-v2")
    clean(first[2], "return-request")
    legacy = fake.talon_document("customer-session-v2", rules="legacy", state="cancelled", referralCode="R")
    assert legacy["referralCode"] == "R"
    with pytest.raises(UnreachableState):
        fake.talon_document("customer-session-v2", rules="legacy", state="partially_returned")


def test_faker_provider_uses_the_faker_locale() -> None:
    fake = Faker("fr_FR")
    fake.add_provider(TalonProvider)
    fake.seed_instance(1)
    clean(fake.integration_state_v2(), "integration-state-v2")
