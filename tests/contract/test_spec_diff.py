"""``talon-fakes spec-diff`` on modified copies of the vendored spec (made in tmp_path)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from spec_copies import SESSION, SPEC, spec_copy

from talon_fakes.cli import main
from talon_fakes.contracts.spec_diff import Change, spec_diff

SPEC_FILES = [str(p.relative_to(SPEC)) for p in sorted(SPEC.glob("*/paths/*.yaml"))]


def mappings(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a parsed YAML document (the spec inlines each schema wherever it is used)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from mappings(value)
    elif isinstance(node, list):
        for value in node:
            yield from mappings(value)


def everywhere(edit: Callable[[dict[str, Any]], None]) -> dict[str, Callable[[Any], None]]:
    """An edit applied to every mapping of every path file, as a regenerated spec would change it."""

    def apply(document: Any) -> None:
        for mapping in list(mappings(document)):
            edit(mapping)

    return dict.fromkeys(SPEC_FILES, apply)


def newer_spec(mapping: dict[str, Any]) -> None:
    """What a newer spec might say: one change of each kind the report names."""
    properties = mapping.get("properties")
    if isinstance(properties, dict) and {"sku", "quantity", "returnedQuantity"} <= properties.keys():
        properties["giftWrap"] = {"type": "boolean", "description": "Wrap it."}
        properties["sku"]["maxLength"] = 64
    if isinstance(properties, dict) and {"firstSession", "updateCount"} <= properties.keys():
        # The session's last allOf part lists what a session answer must hold.
        mapping["required"] = [*mapping.get("required", []), "storeIntegrationId"]
    if isinstance(properties, dict) and {"campaignRevisionVersionId", "effectType"} <= properties.keys():
        del properties["campaignRevisionVersionId"]
    enum = mapping.get("enum")
    if isinstance(enum, list) and "partially_returned" in enum:
        enum.append("archived")


@pytest.fixture(scope="module")
def newer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return spec_copy(tmp_path_factory.mktemp("spec"), everywhere(newer_spec))


def test_the_vendored_spec_changes_nothing() -> None:
    assert spec_diff(SPEC) == []
    result = CliRunner().invoke(main, ["spec-diff", str(SPEC)])
    assert result.exit_code == 0, result.output
    assert result.output == "no changes: the new spec derives the same contracts\n"


def test_each_kind_of_change_is_named_in_its_contract(newer: Path) -> None:
    changes = set(spec_diff(newer))
    assert {
        Change("cart-item", "$.giftWrap", "field added"),
        Change("cart-item", "$.sku", "limit changed", "maxLength: (none) -> 64"),
        Change("customer-session-v2", "$.storeIntegrationId", "newly required"),
        Change("customer-session-v2", "$.state", "enum values added", '"archived"'),
        Change("effect", "$.campaignRevisionVersionId", "field removed"),
    } <= changes


def test_a_shared_part_reports_its_change_once(newer: Path) -> None:
    """The session refers to the cart item by $ref: the new field is the cart item's change only."""
    gift_wrap = {change.contract for change in spec_diff(newer) if "giftWrap" in change.path}
    assert gift_wrap == {"cart-item"}


def test_the_report_is_a_block_per_contract(newer: Path) -> None:
    result = CliRunner().invoke(main, ["spec-diff", str(newer)])
    assert result.exit_code == 1, result.output
    blocks = {line.split(" (")[0] for line in result.output.splitlines() if not line.startswith(" ")}
    assert {"cart-item", "customer-session-v2", "effect"} <= blocks
    assert any(line.split() == ["$.giftWrap", "field", "added"] for line in result.output.splitlines())


def test_json_output_and_a_base_spec(newer: Path) -> None:
    result = CliRunner().invoke(main, ["spec-diff", str(SPEC), "--base", str(newer), "--format", "json"])
    assert result.exit_code == 1, result.output
    records = json.loads(result.output)
    # Seen from the newer spec, the vendored one takes the changes back.
    assert {"contract": "cart-item", "path": "$.giftWrap", "kind": "field removed", "detail": ""} in records
    assert {
        "contract": "customer-session-v2",
        "path": "$.state",
        "kind": "enum values removed",
        "detail": '"archived"',
    } in records


def test_a_schema_the_derivation_cannot_find_is_named(tmp_path: Path) -> None:
    def move_the_request(document: Any) -> None:
        del document["put"]["requestBody"]

    spec = spec_copy(tmp_path, {SESSION: move_the_request})
    result = CliRunner().invoke(main, ["spec-diff", str(spec)])
    assert result.exit_code == 2
    assert "/put/requestBody" in result.output
    assert SESSION in result.output


def test_a_folder_that_is_not_a_spec_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["spec-diff", str(tmp_path)])
    assert result.exit_code == 2
    assert "integration-api/" in result.output
    assert str(tmp_path) in result.output


def test_a_part_that_no_longer_matches_its_shared_contract_is_compared_through_it(tmp_path: Path) -> None:
    """A cart item changed in one path file only: that answer no longer refers to `cart-item`."""
    management = "management-api/paths/v1-applications-{applicationId}-sessions-{sessionId}.yaml"

    def wrap_gifts(document: Any) -> None:
        for mapping in list(mappings(document)):
            properties = mapping.get("properties")
            if isinstance(properties, dict) and {"sku", "quantity", "returnedQuantity"} <= properties.keys():
                properties["giftWrap"] = {"type": "boolean"}

    changes = spec_diff(spec_copy(tmp_path, {management: wrap_gifts}))
    assert (
        Change("application-session", "$.cartItems[*]", "reference changed", "cart-item -> (inline schema)")
        in changes
    )
    assert Change("application-session", "$.cartItems[*].giftWrap", "field added") in changes
    assert not [change for change in changes if change.contract == "cart-item"]


@pytest.mark.parametrize("separator", ["_", "/"])
def test_the_other_file_names_the_spec_repository_has_used(tmp_path: Path, separator: str) -> None:
    """t1-openapi-specs has named path files v2-a-{b}.yaml, v2_a_{b}.yaml and v2/a/{b}.yaml."""
    spec = spec_copy(tmp_path, {})
    for path in sorted(spec.glob("*/paths/*.yaml")):
        renamed = path.parent / separator.join(path.name.split("-"))
        renamed.parent.mkdir(parents=True, exist_ok=True)
        path.rename(renamed)
    assert spec_diff(spec) == []
