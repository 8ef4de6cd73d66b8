"""Every example payload of the published spec passes its contract, or fails exactly as documented.

The examples are copied from the spec by tools/build_contracts.py. Each expected failure below is
a known defect of the spec's generated examples, listed with its reason in contracts/README.md
("Spec examples that fail"); any other failure, or one of these going away, fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import talon_fakes

EXAMPLES = Path(__file__).parent / "data" / "spec-examples"
README = Path(__file__).resolve().parents[2] / "contracts" / "README.md"


def contract_for(file_name: str) -> str:
    operation, status = file_name.split("__")[:2]
    if status == "400":
        return "error-response"
    if status in ("401", "409"):
        return "error-response-with-status"
    return {
        ("updateCustomerSessionV2", "request"): "integration-request-v2",
        ("updateCustomerSessionV2", "200"): "integration-state-v2",
        ("returnCartItems", "request"): "return-request",
        ("returnCartItems", "200"): "integration-state-v2",
        ("getCustomerSession", "200"): "customer-session-response-v2",
        ("reopenCustomerSession", "200"): "reopen-response",
        ("getApplicationSession", "200"): "application-session",
        ("getApplicationSessions", "200"): "application-sessions-page",
    }[(operation, status)]


STALE_SESSION = {  # generated before updateCount and cartItemAdditionalCostTotal existed
    ("$.customerSession.updateCount", "required"),
    ("$.customerSession.cartItemAdditionalCostTotal", "required"),
}
PROPS_MISMATCH = {  # effectType rejectCoupon paired with acceptCoupon-shaped props
    ("$.effects[0].props.rejectionReason", "required"),
}
QUANTITIES = "returned-quantities"  # returnedQuantity 1 + remainingQuantity 1 for quantity 1

EXPECTED_ERRORS: dict[str, set[tuple[str, str]]] = {
    "getApplicationSession__200__postman.json": {
        ("$.cartItems[0]", QUANTITIES),
        ("$.cartItems[1]", QUANTITIES),
    },
    "getApplicationSessions__200__postman.json": {
        (f"$.data[{s}].cartItems[{i}]", QUANTITIES) for s in (0, 1) for i in (0, 1)
    },
    "getCustomerSession__200__postman.json": STALE_SESSION
    | PROPS_MISMATCH
    | {("$.effects[1].props.rejectionReason", "required")},
    "reopenCustomerSession__200__postman.json": PROPS_MISMATCH
    | {("$.effects[1].props.rejectionReason", "required")},
    "returnCartItems__200__postman.json": STALE_SESSION
    | PROPS_MISMATCH
    | {("$.triggeredCampaigns[0].reevaluateOnReturn", "required")},
    "updateCustomerSessionV2__200__postman.json": STALE_SESSION
    | PROPS_MISMATCH
    | {("$.triggeredCampaigns[0].reevaluateOnReturn", "required")},
    "updateCustomerSessionV2__409__postman.json": {("$.errors[0]", "type"), ("$.errors[1]", "type")},
    "updateCustomerSessionV2__request__postman.json": {
        ("$.customerSession.cartItems[0]", QUANTITIES),
        ("$.customerSession.cartItems[1]", QUANTITIES),
    },
}

PAYLOADS = sorted(p.name for p in EXAMPLES.glob("*.json") if not p.name.startswith("effect-props"))


def load(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def test_the_examples_are_there() -> None:
    # 16 Postman payloads about sessions and the 5 named request examples of the PUT.
    assert len(PAYLOADS) == 22
    assert sum(name.endswith("__named.json") for name in PAYLOADS) == 5


@pytest.mark.parametrize("name", PAYLOADS)
def test_example_passes_or_fails_as_documented(name: str) -> None:
    violations = talon_fakes.validate(load(name), contract_for(name))
    errors = {(v.path, v.rule) for v in violations if v.is_error}
    assert errors == EXPECTED_ERRORS.get(name, set())


@pytest.mark.parametrize("name", PAYLOADS)
def test_unknown_fields_in_examples_are_only_drift_warnings(name: str) -> None:
    """Lenient mode reports, never fails, the fields the contracts do not define."""
    for violation in talon_fakes.validate(load(name), contract_for(name)):
        if violation.kind is talon_fakes.Kind.UNKNOWN_FIELD:
            assert not violation.is_error
            # The only undefined fields in the examples: PriceDetail's dates, spelled without
            # the `adjustment` prefix that the spec's schema uses.
            assert violation.path.rsplit(".", 1)[-1] in ("effectiveFrom", "effectiveUntil")


@pytest.mark.parametrize("effect_type", sorted(load("effect-props__named.json")))
def test_every_effect_props_example_passes_the_effect_contract(effect_type: str) -> None:
    props = load("effect-props__named.json")[effect_type]
    effect = {"campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "rule", "effectType": effect_type}
    assert talon_fakes.validate(effect | {"props": props}, "effect", strict=True) == []


def test_effect_props_are_checked_against_their_own_type() -> None:
    props = load("effect-props__named.json")
    effect = {"campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "rule"}
    wrong = effect | {"effectType": "setDiscount", "props": props["acceptCoupon"]}
    errors = {(v.path, v.rule) for v in talon_fakes.validate(wrong, "effect") if v.is_error}
    assert errors == {("$.props.name", "required"), ("$.props.value", "type")}


def test_every_expected_failure_is_documented() -> None:
    readme = README.read_text(encoding="utf-8")
    for name in EXPECTED_ERRORS:
        assert name.removesuffix(".json") in readme, f"{name} is not explained in contracts/README.md"
