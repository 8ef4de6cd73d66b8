"""Campaigns a test declares: the small, explicit stand-in for Talon.One's Campaign Manager.

Not Talon.One's rule engine: the subset a shop's tests need, declared as a JSON document (the
same for ``TalonFake(campaigns=...)``, ``fake.set_campaigns``, the plugin's
``talon_fake_options`` and ``talon-fakes serve --campaigns FILE``)::

    {"campaigns": [{"id": 7, "name": "Ten off shoes", "state": "enabled",
                    "coupons": [{"value": "SHOES10", "usageLimit": 1}],
                    "rules": [{"title": "10% off", "conditions": [{"couponValid": true}],
                               "effects": [{"setDiscount": {"name": "10% off", "percent": 10}}]}]}]}

Field names are Talon.One's wherever it has them: a campaign's ``state`` (``enabled``,
``disabled``, ``archived``), ``startTime``, ``endTime`` and ``activeRulesetId``; a coupon's
``value``, ``usageLimit`` (0 is unlimited), ``startDate``, ``expiryDate`` and
``recipientIntegrationId``; a referral's ``code``, ``usageLimit``, ``startDate``, ``expiryDate``,
``advocateProfileIntegrationId`` and ``friendProfileIntegrationId``; a rule's ``title``. Talon.One
writes conditions and effects in its rule builder, not in JSON, so their spellings here are the
fake's own: conditions ``couponValid``, ``referralValid``, ``cartItemTotalAtLeast`` (the
``cartItemTotal`` of the session) and ``cartItemSku``; effects ``setDiscount`` and
``setDiscountPerItem``, named after the effects they produce.

:func:`load_campaigns` checks a document and raises :class:`~talon_fakes.errors.InvalidCampaigns`
naming the JSON path inside it and what is wrong; what it makes are the frozen dataclasses of
:mod:`talon_fakes.fake.domain.campaign_model`. Pure Python: no HTTP here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from talon_fakes.errors import InvalidCampaigns
from talon_fakes.fake.domain.campaign_model import (
    NO_CAMPAIGNS,
    Campaign,
    Campaigns,
    Condition,
    Coupon,
    Discount,
    Referral,
    Rule,
)
from talon_fakes.fake.domain.model import rfc3339

_TIME = {"type": "string", "minLength": 1}
_AMOUNT = {"type": "number", "minimum": 0}
_LIMIT = {"type": "integer", "minimum": 0, "maximum": 999999}  # the spec's usageLimit bounds
_CODE = {"type": "string", "minLength": 1, "maxLength": 100}  # the spec: codes of at most 100


def _one_of_discount(extra: Mapping[str, Any]) -> dict[str, Any]:
    """A discount effect's options: a ``name`` and either ``percent`` or a fixed ``value``."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
            "value": {"type": "number", "exclusiveMinimum": 0},
            **extra,
        },
        "oneOf": [{"required": ["percent"]}, {"required": ["value"]}],
    }


#: The JSON Schema of a campaigns document (checked with python-jsonschema, paths and all).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["campaigns"],
    "properties": {
        "campaigns": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "rules"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "name": {"type": "string", "minLength": 1},
                    "state": {"enum": ["enabled", "disabled", "archived"]},
                    "startTime": _TIME,
                    "endTime": _TIME,
                    "activeRulesetId": {"type": "integer", "minimum": 1},
                    "coupons": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["value"],
                            "properties": {
                                "id": {"type": "integer", "minimum": 1},
                                "value": _CODE,
                                "usageLimit": _LIMIT,
                                "startDate": _TIME,
                                "expiryDate": _TIME,
                                "recipientIntegrationId": {"type": "string", "minLength": 1},
                            },
                        },
                    },
                    "referrals": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["code"],
                            "properties": {
                                "id": {"type": "integer", "minimum": 1},
                                "code": _CODE,
                                "usageLimit": _LIMIT,
                                "startDate": _TIME,
                                "expiryDate": _TIME,
                                "advocateProfileIntegrationId": {"type": "string", "minLength": 1},
                                "friendProfileIntegrationId": {"type": "string", "minLength": 1},
                            },
                        },
                    },
                    "rules": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["title"],
                            "properties": {
                                "title": {"type": "string", "minLength": 1},
                                "conditions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "minProperties": 1,
                                        "maxProperties": 1,
                                        "additionalProperties": False,
                                        "properties": {
                                            "couponValid": {"const": True},
                                            "referralValid": {"const": True},
                                            "cartItemTotalAtLeast": _AMOUNT,
                                            "cartItemSku": {"type": "string", "minLength": 1},
                                        },
                                    },
                                },
                                "effects": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "minProperties": 1,
                                        "maxProperties": 1,
                                        "additionalProperties": False,
                                        "properties": {
                                            "setDiscount": _one_of_discount({}),
                                            "setDiscountPerItem": _one_of_discount(
                                                {"sku": {"type": "string", "minLength": 1}}
                                            ),
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}

_VALIDATOR = Draft202012Validator(SCHEMA)


def load_campaigns(document: Any) -> Campaigns:
    """The campaigns of a document (a parsed JSON object, or ``Campaigns`` as it is).

    Raises :class:`~talon_fakes.errors.InvalidCampaigns` naming the JSON path inside the document
    (``$.campaigns[0].coupons[1].usageLimit``) and what is wrong with it.
    """
    if isinstance(document, Campaigns):
        return document
    errors = list(_VALIDATOR.iter_errors(document))
    if errors:
        error = best_match(errors)
        raise InvalidCampaigns(f"{error.json_path}: {_plain(error.message)}", path=error.json_path)
    campaigns: list[Campaign] = []
    codes: dict[tuple[str, str], str] = {}  # (kind, code) -> where it is declared
    ids: set[int] = set()
    coupon_ids = _Ids(document, "coupons")
    referral_ids = _Ids(document, "referrals")
    for index, raw in enumerate(document["campaigns"]):
        where = f"$.campaigns[{index}]"
        if raw["id"] in ids:
            raise InvalidCampaigns(
                f"{where}.id: campaign ID {raw['id']} is declared twice", path=f"{where}.id"
            )
        ids.add(raw["id"])
        coupons = tuple(
            Coupon(
                coupon_ids.take(c, f"{where}.coupons[{i}]"),
                c["value"],
                c.get("usageLimit", 0),
                _time(c, "startDate", f"{where}.coupons[{i}]"),
                _time(c, "expiryDate", f"{where}.coupons[{i}]"),
                c.get("recipientIntegrationId"),
            )
            for i, c in enumerate(raw.get("coupons", ()))
        )
        referrals = tuple(
            Referral(
                referral_ids.take(r, f"{where}.referrals[{i}]"),
                r["code"],
                r.get("usageLimit", 0),
                _time(r, "startDate", f"{where}.referrals[{i}]"),
                _time(r, "expiryDate", f"{where}.referrals[{i}]"),
                r.get("advocateProfileIntegrationId"),
                r.get("friendProfileIntegrationId"),
            )
            for i, r in enumerate(raw.get("referrals", ()))
        )
        declared = (("coupon", [c.value for c in coupons]), ("referral", [r.code for r in referrals]))
        for kind, values in declared:
            for i, value in enumerate(values):
                path = f"{where}.{kind}s[{i}]"
                if (kind, value) in codes:
                    raise InvalidCampaigns(
                        f"{path}: {kind} {value!r} is already declared at {codes[kind, value]}; "
                        "a code belongs to one campaign",
                        path=path,
                    )
                codes[kind, value] = path
        campaigns.append(
            Campaign(
                raw["id"],
                raw["name"],
                raw.get("activeRulesetId", raw["id"]),
                raw.get("state", "enabled"),
                _time(raw, "startTime", where),
                _time(raw, "endTime", where),
                coupons,
                referrals,
                tuple(_rule(rule) for rule in raw["rules"]),
            )
        )
    return Campaigns(tuple(campaigns))


def campaigns_from(value: Any) -> Campaigns:
    """What ``TalonFake(campaigns=...)`` and ``set_campaigns`` take: ``None`` (no campaigns), a
    document (as :func:`load_campaigns`), or a path (``pathlib.Path``) to a JSON file of one."""
    if value is None:
        return NO_CAMPAIGNS
    if isinstance(value, os.PathLike):
        return load_campaigns_file(value)
    return load_campaigns(value)


def load_campaigns_file(path: str | os.PathLike[str]) -> Campaigns:
    """The campaigns of a JSON file; an unreadable file or malformed JSON raises
    :class:`~talon_fakes.errors.InvalidCampaigns` too (with the line and column)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidCampaigns(f"cannot read {os.fspath(path)}: {error}", path="$") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidCampaigns(
            f"$: not JSON: {error.msg} at line {error.lineno}, column {error.colno}", path="$"
        ) from None
    return load_campaigns(document)


def _rule(raw: Mapping[str, Any]) -> Rule:
    conditions = tuple(Condition(*next(iter(c.items()))) for c in raw.get("conditions", ()))
    effects = []
    for effect in raw.get("effects", ()):
        kind, options = next(iter(effect.items()))
        effects.append(
            Discount(kind, options["name"], options.get("percent"), options.get("value"), options.get("sku"))
        )
    return Rule(raw["title"], conditions, tuple(effects))


def _time(raw: Mapping[str, Any], name: str, where: str) -> datetime | None:
    if name not in raw:
        return None
    try:
        return rfc3339(raw[name])
    except ValueError as error:
        raise InvalidCampaigns(f"{where}.{name}: {error}", path=f"{where}.{name}") from None


class _Ids:
    """Coupon (or referral) IDs: the declared ones, and the next free one for those without."""

    def __init__(self, document: Mapping[str, Any], key: str) -> None:
        declared = [c["id"] for campaign in document["campaigns"] for c in campaign.get(key, ()) if "id" in c]
        self.next = max(declared, default=0) + 1
        self.seen: dict[int, str] = {}

    def take(self, raw: Mapping[str, Any], where: str) -> int:
        if "id" not in raw:
            self.next += 1
            return self.next - 1
        if raw["id"] in self.seen:
            raise InvalidCampaigns(
                f"{where}.id: ID {raw['id']} is already taken at {self.seen[raw['id']]}", path=f"{where}.id"
            )
        self.seen[raw["id"]] = where
        return int(raw["id"])


def _plain(message: str) -> str:
    """python-jsonschema's message, with the hint a user needs for the fake's own keys."""
    if "is valid under each of" in message or "is not valid under any of the given schemas" in message:
        return message + " (a discount takes exactly one of 'percent' and 'value')"
    if "does not have enough properties" in message or "has too many properties" in message:
        return message + " (a condition or effect is an object with exactly one key)"
    return message
