"""The campaigns document: what load_campaigns takes, and the errors that name the JSON path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import talon_fakes
from talon_fakes.errors import InvalidCampaigns, TalonFakesError
from talon_fakes.fake.domain.campaigns import load_campaigns, load_campaigns_file

ISSUE_EXAMPLE = json.loads(
    (Path(__file__).parents[2] / "examples" / "campaigns.json").read_text(encoding="utf-8")
)


def test_the_issues_example_loads() -> None:
    [campaign] = talon_fakes.load_campaigns(ISSUE_EXAMPLE).campaigns
    assert (campaign.id, campaign.name, campaign.ruleset_id, campaign.state) == (
        7,
        "Ten off shoes",
        7,
        "enabled",
    )
    [coupon] = campaign.coupons
    assert (coupon.value, coupon.usage_limit) == ("SHOES10", 1)
    [rule] = campaign.rules
    assert (rule.title, rule.effects[0].kind, rule.effects[0].percent) == ("10% off", "setDiscount", 10)


def _broken(edit: Any) -> dict[str, Any]:
    doc = copy.deepcopy(ISSUE_EXAMPLE)
    edit(doc["campaigns"][0])
    return doc


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (lambda c: c["coupons"][0].update(usageLimit=-1), "$.campaigns[0].coupons[0].usageLimit", "minimum"),
        (lambda c: c.pop("name"), "$.campaigns[0]", "'name' is a required property"),
        (lambda c: c.update(state="running"), "$.campaigns[0].state", "'running' is not one of"),
        (
            lambda c: c["rules"][0]["effects"][0]["setDiscount"].update(value=5),
            "$.campaigns[0].rules[0].effects[0].setDiscount",
            "exactly one of 'percent' and 'value'",
        ),
        (
            lambda c: c["rules"][0]["conditions"].append({"couponValid": True, "cartItemSku": "A"}),
            "$.campaigns[0].rules[0].conditions[1]",
            "exactly one key",
        ),
        (
            lambda c: c["rules"][0]["conditions"].append({"sku": "A"}),
            "$.campaigns[0].rules[0].conditions[1]",
            "sku",
        ),
        (
            lambda c: c["coupons"].append({"value": "SHOES10"}),
            "$.campaigns[0].coupons[1]",
            "already declared",
        ),
        (
            lambda c: c["coupons"][0].update(expiryDate="next week"),
            "$.campaigns[0].coupons[0].expiryDate",
            "RFC 3339",
        ),
    ],
)
def test_a_broken_document_names_the_path_and_the_problem(edit: Any, path: str, words: str) -> None:
    with pytest.raises(InvalidCampaigns) as raised:
        load_campaigns(_broken(edit))
    assert raised.value.path == path
    assert str(raised.value).startswith(f"{path}: ")
    assert words in str(raised.value)
    assert isinstance(raised.value, TalonFakesError)


def test_two_campaigns_with_one_id_are_refused() -> None:
    doc = {"campaigns": [*ISSUE_EXAMPLE["campaigns"], {**ISSUE_EXAMPLE["campaigns"][0], "coupons": []}]}
    with pytest.raises(InvalidCampaigns, match=r"\$\.campaigns\[1\]\.id: campaign ID 7 is declared twice"):
        load_campaigns(doc)


def test_coupon_ids_are_the_declared_ones_or_the_next_free() -> None:
    doc = copy.deepcopy(ISSUE_EXAMPLE)
    doc["campaigns"][0]["coupons"] = [{"value": "A-1", "id": 40}, {"value": "B-2"}]
    assert [c.id for c in load_campaigns(doc).campaigns[0].coupons] == [40, 41]


def test_a_file_that_is_not_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.json"
    path.write_text('{"campaigns": [\n', encoding="utf-8")
    with pytest.raises(InvalidCampaigns, match=r"^\$: not JSON: .* at line 2, column 1$"):
        load_campaigns_file(path)
    path.write_text(json.dumps(ISSUE_EXAMPLE), encoding="utf-8")
    assert load_campaigns_file(path).coupon("SHOES10") is not None


def test_the_readmes_complete_example_loads() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Coupons, discounts and effects", 1)[1]
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    [campaign] = load_campaigns(json.loads(block)).campaigns
    assert (campaign.ruleset_id, [c.id for c in campaign.coupons]) == (70, [501, 502])
    assert [r.title for r in campaign.rules] == ["10% off", "Socks for friends", "Big carts"]


def test_the_fake_takes_a_path_to_a_campaigns_file(tmp_path: Path) -> None:
    from talon_fakes.fake.server import TalonFake

    path = tmp_path / "campaigns.json"
    path.write_text(json.dumps(ISSUE_EXAMPLE), encoding="utf-8")
    fake = TalonFake(campaigns=path)
    assert [c.id for c in fake.campaigns.campaigns] == [7]
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(InvalidCampaigns, match=r"^\$: 'campaigns' is a required property"):
        fake.set_campaigns(path)
    assert [c.id for c in fake.campaigns.campaigns] == [7]  # a refused document changes nothing
