"""The fake, driven over HTTP by a Hypothesis state machine, against the transition table.

Every expected status comes from ``rule_set(name).allows(source, target, operation)``: nothing in
this file restates a rule. The model keeps, per session, the state, the update count, the
(operation, state) steps and the cart; every response body is checked against its contract in
strict mode (the ``client`` fixture does that), and every rejected request must leave the stored
session exactly as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, run_state_machine_as_test
from session_machine import SessionMachine

from talon_fakes import RULE_SETS, RuleSet, State, rule_set

if TYPE_CHECKING:
    from conftest import Client  # tests/http/conftest.py

    from talon_fakes.fake.server import TalonFake


# -- the same machine, with declared campaigns -------------------------------------------------------

#: A coupon for one use (10% off the session) and one for any number (10% off each SKU-A line).
CAMPAIGNS = {
    "campaigns": [
        {
            "id": 1,
            "name": "Once",
            "coupons": [{"value": "ONCE", "usageLimit": 1}],
            "rules": [
                {
                    "title": "10% off",
                    "conditions": [{"couponValid": True}],
                    "effects": [{"setDiscount": {"name": "once", "percent": 10}}],
                }
            ],
        },
        {
            "id": 2,
            "name": "Always",
            "coupons": [{"value": "ALWAYS"}],
            "rules": [
                {
                    "title": "10% off A",
                    "conditions": [{"couponValid": True}, {"cartItemSku": "SKU-A"}],
                    "effects": [{"setDiscountPerItem": {"name": "always", "percent": 10, "sku": "SKU-A"}}],
                }
            ],
        },
    ]
}


class CampaignMachine(SessionMachine):
    """Sessions with coupons against declared campaigns: the usage limit holds across sessions,
    cancelled sessions hold no effects, discounts are 10% of what they apply to, and every effect
    passes its contract in strict mode (the client checks every response)."""

    coupon_codes = st.none() | st.lists(st.sampled_from(["ONCE", "ALWAYS", "NOPE"]), max_size=2)

    def __init__(self, client: Client, rules: RuleSet) -> None:
        super().__init__(client, rules)
        client.fake.set_campaigns(CAMPAIGNS)  # after the reset in SessionMachine.__init__

    @invariant()
    def the_effects_follow_the_campaigns(self) -> None:
        redeemed = 0
        for session_id in self.model:
            body = self.client.get(session_id).json()
            session, effects = body["customerSession"], body["effects"]
            accepted = [e["props"]["value"] for e in effects if e["effectType"] == "acceptCoupon"]
            assert set(accepted) <= set(session["couponCodes"])
            if session["state"] == State.CANCELLED.value:
                assert effects == []  # rolled back, with what they undid (or never redeemed)
            if session["state"] in (State.CLOSED.value, State.PARTIALLY_RETURNED.value):
                redeemed += accepted.count("ONCE")
            for effect in effects:
                props = effect["props"]
                if effect["effectType"] == "setDiscount":  # 10% of the items left
                    assert props["value"] == pytest.approx(session["cartItemTotal"] / 10, abs=0.02)
                if effect["effectType"] == "setDiscountPerItem":
                    item = session["cartItems"][props["position"]]
                    assert item["sku"] == "SKU-A"
                    share = item["price"] * item["remainingQuantity"] / 10
                    assert props["value"] == pytest.approx(share, abs=0.02)
        assert redeemed <= 1, "the coupon ONCE was redeemed by more sessions than its usage limit"


@pytest.mark.parametrize(("fake", "rules"), [(name, name) for name in RULE_SETS], indirect=["fake"])
def test_sessions_with_coupons_against_declared_campaigns(
    fake: TalonFake, client: Client, rules: str
) -> None:
    run_state_machine_as_test(
        lambda: CampaignMachine(client, rule_set(rules)),
        settings=settings(max_examples=25, stateful_step_count=15, deadline=None),
    )


@pytest.mark.parametrize(("fake", "rules"), [(name, name) for name in RULE_SETS], indirect=["fake"])
def test_the_fake_follows_its_transition_table(fake: TalonFake, client: Client, rules: str) -> None:
    run_state_machine_as_test(
        lambda: SessionMachine(client, rule_set(rules)),
        settings=settings(max_examples=40, stateful_step_count=15, deadline=None),
    )
