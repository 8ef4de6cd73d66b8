"""validate / assert_contract as a user calls them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import talon_fakes

VALID = Path(__file__).parent / "data" / "valid"


def session() -> dict:  # type: ignore[type-arg]
    return json.loads((VALID / "customer-session-v2.json").read_text(encoding="utf-8"))


def test_unknown_contract_suggests_the_closest_name() -> None:
    with pytest.raises(talon_fakes.UnknownContract, match="did you mean 'customer-session-v2'"):
        talon_fakes.validate({}, "customer-sesion-v2")


def test_an_unknown_name_and_the_known_ones_are_separated() -> None:
    with pytest.raises(talon_fakes.UnknownContract) as error:
        talon_fakes.validate({}, "nosuch")
    assert str(error.value).startswith("unknown contract 'nosuch'. Known contracts: additional-cost, ")
    with pytest.raises(talon_fakes.UnknownContract) as error:
        talon_fakes.validate({}, "customer-sesion-v2")
    assert "; did you mean 'customer-session-v2'? Known contracts: " in str(error.value)


def test_assert_contract_lists_every_problem_readably() -> None:
    doc = session()
    doc["state"] = "shipped"
    doc["cartItems"][0]["quantity"] = "2"
    with pytest.raises(talon_fakes.ContractViolation) as raised:
        talon_fakes.assert_contract(doc, "customer-session-v2")
    text = str(raised.value)
    assert "2 problems" in text
    assert '$.state: "shipped" is not one of open, closed, partially_returned, cancelled' in text
    assert '$.cartItems[0].quantity: expected integer, got string "2"' in text
    assert isinstance(raised.value, AssertionError)
    assert [v.path for v in raised.value.violations] == ["$.cartItems[0].quantity", "$.state"]


def test_drift_is_reported_but_passes_in_lenient_mode() -> None:
    doc = session() | {"loyaltyTier": "gold"}
    [warning] = talon_fakes.validate(doc, "customer-session-v2")
    assert (warning.path, warning.value, warning.is_error) == ("$.loyaltyTier", "gold", False)
    talon_fakes.assert_contract(doc, "customer-session-v2")
    with pytest.raises(talon_fakes.ContractViolation, match="unknown field 'loyaltyTier'"):
        talon_fakes.assert_contract(doc, "customer-session-v2", strict=True)


def test_invariants_are_reported_separately_from_schema_errors() -> None:
    doc = session()
    doc["total"] = doc["total"] + 1
    doc["updated"] = "2020-01-01T00:00:00Z"
    found = talon_fakes.validate(doc, "customer-session-v2")
    assert {(v.path, v.kind, v.rule) for v in found} == {
        ("$.total", talon_fakes.Kind.INVARIANT, "totals"),
        ("$.updated", talon_fakes.Kind.INVARIANT, "created-before-updated"),
    }
    assert talon_fakes.validate(doc, "customer-session-v2", invariants=False) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: d.update(cartItemTotal=d["cartItemTotal"] + 0.01), "totals"),
        (lambda d: d.update(additionalCostTotal=0), "totals"),
        (lambda d: d.update(cartItemAdditionalCostTotal=0), "totals"),
        (lambda d: d["cartItems"][1].update(returnedQuantity=2), "returned-quantities"),
        (lambda d: d.update(profileId="", firstSession=False), "anonymous-first-session"),
        (lambda d: d.update(cartItems=d["cartItems"] * 501), "cart-items-limit"),
        (lambda d: d["cartItems"][0].update(quantity=10_001), "cart-quantity-limit"),
    ],
)
def test_each_invariant_fires(change, rule) -> None:  # type: ignore[no-untyped-def]
    doc = session()
    change(doc)
    rules = {v.rule for v in talon_fakes.validate(doc, "customer-session-v2") if v.kind == "invariant"}
    assert rule in rules


def test_half_a_cent_of_rounding_is_tolerated() -> None:
    doc = session()
    doc["total"] = round(doc["total"] + 0.004, 3)
    assert talon_fakes.validate(doc, "customer-session-v2") == []


def test_date_times_are_really_checked() -> None:
    doc = session() | {"created": "2026-02-30T10:00:00Z"}
    assert [(v.path, v.rule) for v in talon_fakes.validate(doc, "customer-session-v2")] == [
        ("$.created", "format")
    ]


def test_non_object_documents_get_a_type_error_not_a_crash() -> None:
    for junk in (None, [], "text", 3):
        [violation] = talon_fakes.validate(junk, "customer-session-v2")
        assert (violation.path, violation.rule) == ("$", "type")


def test_huge_integers_are_reported_not_raised() -> None:
    doc = session()
    for item in doc["cartItems"]:
        item.pop("returnedQuantity")
        item.pop("remainingQuantity")
    doc["cartItems"][0]["quantity"] = 10**400
    rules = {(v.path, v.rule) for v in talon_fakes.validate(doc, "customer-session-v2")}
    assert ("$", "totals") in rules


def test_contracts_use_no_applicator_that_closing_objects_could_flip() -> None:
    """validate() finds schema errors and unknown fields in one strict pass; this keeps that sound."""
    from talon_fakes.contracts.loading import schemas

    text = json.dumps(schemas(False))
    for keyword in ('"anyOf"', '"oneOf"', '"not"', '"unevaluatedProperties"'):
        assert keyword not in text


@pytest.mark.parametrize(
    "value",
    ["2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z", "2025-03-30T02:30:00Z\n", "2021-02-29T00:00:00Z"],
)
def test_date_time_edge_cases_get_the_reference_verdict(value: str) -> None:
    from talon_fakes.contracts.validation import reference_validator

    doc = session() | {"created": value}
    ours = not any(v.kind == "schema" for v in talon_fakes.validate(doc, "customer-session-v2"))
    assert ours == reference_validator("customer-session-v2").is_valid(doc)


@pytest.mark.parametrize(
    "counts",
    [
        {"returnedQuantity": 3},
        {"returnedQuantity": -2},
        {"remainingQuantity": -2},
        {"remainingQuantity": 7},
        {"returnedQuantity": 1, "remainingQuantity": 1},
    ],
)
def test_returned_and_remaining_are_each_checked(counts: dict[str, int]) -> None:
    item = {"sku": "A", "quantity": 1} | counts
    assert [v.rule for v in talon_fakes.validate(item, "cart-item")] == ["returned-quantities"]


def test_nan_totals_do_not_pass() -> None:
    doc = session() | {"total": float("nan")}
    assert ("$.total", "totals") in {
        (v.path, v.rule) for v in talon_fakes.validate(doc, "customer-session-v2")
    }


def test_decimal_money_is_checked_like_floats() -> None:
    from decimal import Decimal

    text = json.dumps(session())
    assert talon_fakes.validate(json.loads(text, parse_float=Decimal), "customer-session-v2") == []
    broken = json.loads(text.replace('"total": ', '"total": 1', 1), parse_float=Decimal)
    assert [v.rule for v in talon_fakes.validate(broken, "customer-session-v2")] == ["totals"]


def test_spec_closed_objects_fail_even_in_lenient_mode() -> None:
    """The spec itself closes a campaign's couponSettings: an extra field there is an error."""
    doc = json.loads((VALID / "integration-state-v2.json").read_text(encoding="utf-8"))
    campaign = {
        "id": 4, "created": "2026-01-01T00:00:00Z", "applicationId": 322, "userId": 1, "name": "Summer",
        "description": "", "state": "enabled", "tags": [], "features": [], "limits": [], "type": "advanced",
        "frontendState": "running", "storesImported": False, "reevaluateOnReturn": False,
        "couponSettings": {"validCharacters": ["A"], "couponPattern": "SUMMER-####"},
    }  # fmt: skip
    doc["triggeredCampaigns"] = [campaign]
    assert talon_fakes.validate(doc, "integration-state-v2") == []
    campaign["couponSettings"]["extra"] = 1
    [violation] = talon_fakes.validate(doc, "integration-state-v2")
    assert (violation.path, violation.kind, violation.is_error) == (
        "$.triggeredCampaigns[0].couponSettings",
        talon_fakes.Kind.SCHEMA,
        True,
    )


def test_drift_in_lenient_mode_is_listed_by_the_fast_engine_like_the_reference() -> None:
    from talon_fakes.contracts.reference import explain as _explain

    doc = session() | {"loyaltyTier": "gold"}
    doc["cartItems"][1]["colour"] = "red"
    fast = talon_fakes.validate(doc, "customer-session-v2", invariants=False)
    assert fast == sorted(_explain(doc, "customer-session-v2", False), key=lambda v: v.path)
    assert [v.path for v in fast] == ["$.cartItems[1].colour", "$.loyaltyTier"]


def test_bad_arguments_get_clear_type_errors() -> None:
    with pytest.raises(TypeError, match="contract must be a contract name"):
        talon_fakes.validate({}, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="history must be a list"):
        talon_fakes.check_state_history("open")


def test_violations_are_in_document_order() -> None:
    doc = session()
    doc["cartItems"] = doc["cartItems"] * 6
    for item in doc["cartItems"]:
        item["quantity"] = "1"
    paths = [v.path for v in talon_fakes.validate(doc, "customer-session-v2")]
    assert paths == [f"$.cartItems[{i}].quantity" for i in range(12)]
