"""Every contract accepts its valid documents and rejects each one-rule mutation at the right path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import talon_fakes
from talon_fakes.generators.mutations import RULES, mutations

VALID = Path(__file__).parent / "data" / "valid"
CONTRACTS = talon_fakes.contract_names()


def valid_document(contract: str) -> Any:
    return json.loads((VALID / f"{contract}.json").read_text(encoding="utf-8"))


def test_every_contract_has_a_valid_document() -> None:
    assert sorted(p.stem for p in VALID.glob("*.json")) == CONTRACTS


@pytest.mark.parametrize("contract", CONTRACTS)
@pytest.mark.parametrize("strict", [False, True])
def test_valid_document_is_clean(contract: str, strict: bool) -> None:
    assert talon_fakes.validate(valid_document(contract), contract, strict=strict) == []


@pytest.mark.parametrize("contract", CONTRACTS)
def test_each_mutation_is_rejected_at_its_path(contract: str) -> None:
    found = list(mutations(valid_document(contract), contract))
    assert found, f"no mutation derived for {contract}"
    for mutation in found:
        # One place broken: every error is at the mutation's path, and its rule is among them
        # (a number where an enum string belongs breaks both `type` and `enum` there).
        strict = [v for v in talon_fakes.validate(mutation.document, contract, strict=True) if v.is_error]
        assert {v.path for v in strict} == {mutation.path}, mutation.description
        assert mutation.rule in {v.rule for v in strict}, mutation.description
        lenient = talon_fakes.validate(mutation.document, contract)
        if mutation.strict_only:
            assert [(v.path, v.kind, v.is_error) for v in lenient] == [
                (mutation.path, talon_fakes.Kind.UNKNOWN_FIELD, False)
            ], mutation.description
        else:
            assert [(v.path, v.rule) for v in lenient if v.is_error] == [(v.path, v.rule) for v in strict], (
                mutation.description
            )


@pytest.mark.parametrize("contract", CONTRACTS)
def test_every_contract_has_type_and_unknown_field_mutations(contract: str) -> None:
    rules = {m.rule for m in mutations(valid_document(contract), contract)}
    assert {"type", "additionalProperties"} <= rules
    if contract != "additional-cost" and contract != "error-response-with-status":
        assert "required" in rules or contract in ("new-customer-session-v1", "new-customer-session-v2")


def test_mutations_cover_every_rule_kind_across_contracts() -> None:
    rules = {m.rule for c in CONTRACTS for m in mutations(valid_document(c), c)}
    assert rules == set(RULES)


@pytest.mark.parametrize(
    ("contract", "rule", "path"),
    [
        ("customer-session-v2", "type", "$.cartItems[0].quantity"),
        ("customer-session-v2", "required", "$.updateCount"),
        ("customer-session-v2", "enum", "$.state"),
        ("customer-session-v2", "format", "$.updated"),
        ("customer-session-v2", "maxItems", "$.identifiers"),
        ("customer-session-v2", "maxItems", "$.loyaltyCards"),
        ("customer-session-v2", "maxLength", "$.couponCodes[0]"),
        ("customer-session-v2", "minimum", "$.cartItems[0].quantity"),
        ("integration-state-v2", "format", "$.customerSession.cartItems[0].adjustmentReferenceId"),
        ("integration-state-v2", "required", "$.effects[0].props.value"),
        ("integration-request-v2", "minLength", "$.customerSession.storeIntegrationId"),
        ("application-session", "type", "$.profileId"),
        ("customer-session-v2-legacy", "enum", "$.state"),
    ],
)
def test_spec_rules_are_among_the_mutations(contract: str, rule: str, path: str) -> None:
    """The rules the issue names are really enforced (not only whatever the walk found)."""
    assert (rule, path) in {(m.rule, m.path) for m in mutations(valid_document(contract), contract)}


def test_legacy_state_rejects_partially_returned() -> None:
    doc = valid_document("customer-session-v2-legacy") | {"state": "partially_returned"}
    assert [(v.path, v.rule) for v in talon_fakes.validate(doc, "customer-session-v2-legacy")] == [
        ("$.state", "enum")
    ]
