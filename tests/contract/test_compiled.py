"""The compiled engine's report is the reference's, word for word, on every kind of document.

validate() explains every document from jsonschema-rs's errors (talon_fakes.contracts.compiled);
reference_violations() gets the same report from python-jsonschema alone. These tests hold the
two equal (paths, values, messages, kinds, rules, severities and order), in lenient and strict
mode, on generated valid documents, on documents that break one rule
(talon_fakes.generators.strategies.invalid_payloads), on documents with unknown fields added anywhere, on
Hypothesis-chosen faults, and on the values the engines read differently. They also check that
the compiled engine explained the document itself: a silent fall-back to the reference would
keep the reports equal and lose the speed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from talon_fakes.contracts import compiled
from talon_fakes.contracts.loading import contract_names
from talon_fakes.contracts.validation import reference_violations, validate
from talon_fakes.contracts.violations import Kind
from talon_fakes.generators import strategies

VALID = Path(__file__).parent / "data" / "valid"
# Contracts the strategies generate (the shared parts are covered through the documents).
GENERATED = [name for name in contract_names() if name in strategies.ENTITIES]
contracts = st.sampled_from(GENERATED)
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_report(doc: Any, contract: str) -> None:
    """validate() and the reference agree in both modes, and jsonschema-rs did the explaining."""
    for strict in (False, True):
        ours = validate(doc, contract, strict=strict)
        theirs = reference_violations(doc, contract, strict=strict)
        assert [v.as_dict() for v in ours] == [v.as_dict() for v in theirs], f"strict={strict}"
        assert ours == theirs
        if not has_empty_key(doc):  # jsonschema-rs drops "" from instance paths: those fall back
            assert compiled.explain(doc, contract, strict) is not None, "fell back to the reference"


def has_empty_key(node: Any) -> bool:
    if isinstance(node, dict):
        return "" in node or any(has_empty_key(value) for value in node.values())
    return isinstance(node, list) and any(has_empty_key(value) for value in node)


def test_the_strategies_cover_the_session_contracts() -> None:
    assert {"customer-session-v2", "integration-state-v2", "integration-request-v2"} <= set(GENERATED)


@SLOW
@given(st.data())
def test_valid_documents_get_the_reference_report(data: st.DataObject) -> None:
    contract = data.draw(contracts)
    doc = data.draw(strategies.documents(contract))
    assert_same_report(doc, contract)
    assert not any(v.is_error for v in validate(doc, contract, strict=True))


@SLOW
@given(st.data())
def test_documents_breaking_one_rule_get_the_reference_report(data: st.DataObject) -> None:
    contract = data.draw(contracts)
    broken = data.draw(strategies.invalid_payloads(contract))
    note(broken.description)
    assert_same_report(broken.document, contract)
    assert any(v.is_error for v in validate(broken.document, contract, strict=True))


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
    for child in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
        yield from _objects(child)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=5,
)


@SLOW
@given(st.data())
def test_unknown_fields_anywhere_get_the_reference_report(data: st.DataObject) -> None:
    contract = data.draw(contracts)
    doc = data.draw(strategies.documents(contract))
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(list(_objects(doc))))
        target[data.draw(st.text(min_size=1, max_size=8))] = data.draw(json_values)
    assert_same_report(doc, contract)


@SLOW
@given(st.data())
def test_replaced_and_removed_values_get_the_reference_report(data: st.DataObject) -> None:
    contract = data.draw(contracts)
    doc = data.draw(strategies.documents(contract))
    places = [(obj, key) for obj in _objects(doc) for key in obj]
    for _ in range(data.draw(st.integers(1, 3))):
        if not places:
            break
        obj, key = data.draw(st.sampled_from(places))
        if key not in obj:
            continue
        if data.draw(st.booleans()):
            obj[key] = data.draw(json_values)
        else:
            del obj[key]
    assert_same_report(doc, contract)


def session() -> dict[str, Any]:
    return dict(json.loads((VALID / "customer-session-v2.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created", "2016-12-31T23:59:60Z"),  # a leap second: only jsonschema-rs accepts it
        ("created", "0000-13-01T00:00:00Z"),  # year 0000 and month 13: both engines' checks fail
        ("created", "2025-03-30T02:30:00Z\n"),  # trailing newline: rejected by both, after our fix
        ("created", "{uuid}"),
        ("total", float("nan")),  # jsonschema-rs takes NaN for no number; the reference does
        ("total", float("inf")),
        ("total", 10**400),
        ("profileId", None),
        ("cartItems", [{"sku": "", "quantity": 0}]),
        ("state", "pending"),
    ],
)
def test_values_the_engines_read_differently_get_the_reference_report(field: str, value: Any) -> None:
    doc = session() | {field: value}
    for strict in (False, True):
        assert validate(doc, "customer-session-v2", strict=strict) == reference_violations(
            doc, "customer-session-v2", strict=strict
        )


def with_campaign(coupon_settings: dict[str, Any]) -> dict[str, Any]:
    """The valid integration state with one triggered campaign holding ``coupon_settings``."""
    doc = json.loads((VALID / "integration-state-v2.json").read_text(encoding="utf-8"))
    doc["triggeredCampaigns"] = [
        {
            "id": 4, "created": "2026-01-01T00:00:00Z", "applicationId": 322, "userId": 1,
            "name": "Summer", "description": "", "state": "enabled", "tags": [], "features": [],
            "limits": [], "type": "advanced", "frontendState": "running", "storesImported": False,
            "reevaluateOnReturn": False,
            "couponSettings": coupon_settings,
        }
    ]  # fmt: skip
    return dict(doc)


@pytest.mark.parametrize("text", ["S-####\n", "S ####", "S-####", "\u015e-####"])
def test_a_pattern_is_read_as_python_reads_it(text: str) -> None:
    """Python's ``$`` matches before a final newline, jsonschema-rs's does not: the reference wins."""
    doc = with_campaign({"validCharacters": ["A"], "couponPattern": text})
    assert_same_report(doc, "integration-state-v2")
    rules = [v.rule for v in validate(doc, "integration-state-v2")]
    assert rules == ([] if text.startswith("S-") else ["pattern"])


def test_spec_closed_objects_are_worded_as_the_reference_words_them() -> None:
    doc = with_campaign({"validCharacters": ["A"], "couponPattern": "S-####", "b": 1, "a": 2})
    assert_same_report(doc, "integration-state-v2")
    [violation] = validate(doc, "integration-state-v2")
    assert violation.message == "Additional properties are not allowed ('a', 'b' were unexpected)"


@pytest.mark.parametrize("key", ["0", "12", "", "a/b", "~0", "é", "x y"])
def test_odd_keys_keep_their_paths(key: str) -> None:
    """jsonschema-rs gives "0" as 0 and leaves "" out of its paths; reports keep the keys."""
    doc = session()
    doc["additionalCosts"] = {key: {"price": "1"}}
    doc["attributes"] = {key: 1}
    doc[key or "_"] = {key: 1}
    doc["cartItems"][0][key] = 2
    for strict in (False, True):
        assert validate(doc, "customer-session-v2", strict=strict) == reference_violations(
            doc, "customer-session-v2", strict=strict
        )
    paths = {v.path for v in validate(doc, "customer-session-v2")}
    assert f"$.additionalCosts[{json.dumps(key, ensure_ascii=False)}].price" in paths


@example(depth=5_000)
@settings(max_examples=5, deadline=None)
@given(depth=st.integers(1, 50))
def test_documents_too_deep_for_jsonschema_rs_get_the_reference_report(depth: int) -> None:
    nested: Any = []
    for _ in range(depth):
        nested = [nested]
    doc = session() | {"extra": nested, "total": "1"}
    for strict in (False, True):
        ours = validate(doc, "customer-session-v2", strict=strict)
        assert ours == reference_violations(doc, "customer-session-v2", strict=strict)
        assert {v.kind for v in ours} == {Kind.SCHEMA, Kind.UNKNOWN_FIELD}


@pytest.mark.parametrize("value", [None, "x", {"a": 1}])
def test_an_object_key_that_looks_like_a_number_is_a_key(value: Any) -> None:
    # jsonschema-rs reports the key "0" of an object as the integer 0; it is a key all the same
    # (a Hypothesis run found a KeyError here).
    doc = json.loads((VALID / "application-session.json").read_text())
    doc["discounts"] = {"0": value, "12": 1.5}
    assert_same_report(doc, "application-session")
    paths = {v.path for v in validate(doc, "application-session", strict=True)}
    assert all("[0]" not in path for path in paths), paths
