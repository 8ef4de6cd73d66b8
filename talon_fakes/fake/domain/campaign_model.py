"""The campaigns a test declares, as the fake holds them: campaigns, their coupons, referrals and rules.

Frozen dataclasses, with Talon.One's names where it has them (a coupon's ``usage_limit`` is its
``usageLimit``, 0 unlimited). Pure Python: :mod:`talon_fakes.fake.domain.campaigns` reads them from a
campaigns document, and :mod:`talon_fakes.fake.domain.effects` turns them into a session's effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Coupon:
    """A coupon code of a campaign; ``usage_limit`` 0 is unlimited (Talon.One's ``usageLimit``)."""

    id: int
    value: str
    usage_limit: int = 0
    start_date: datetime | None = None
    expiry_date: datetime | None = None
    recipient_integration_id: str | None = None


@dataclass(frozen=True)
class Referral:
    """A referral code of a campaign, with its advocate and (optionally) the friend it is for."""

    id: int
    code: str
    usage_limit: int = 0
    start_date: datetime | None = None
    expiry_date: datetime | None = None
    advocate_profile_integration_id: str | None = None
    friend_profile_integration_id: str | None = None


@dataclass(frozen=True)
class Condition:
    """One condition of a rule: ``kind`` is the document's key, ``value`` its value."""

    kind: str
    value: Any


@dataclass(frozen=True)
class Discount:
    """A discount effect of a rule: ``kind`` is ``setDiscount`` or ``setDiscountPerItem``; exactly one
    of ``percent`` and ``value`` (a fixed amount); ``sku`` picks the items of a per-item discount."""

    kind: str
    name: str
    percent: float | None = None
    value: float | None = None
    sku: str | None = None


@dataclass(frozen=True)
class Rule:
    """A rule: its effects apply when all its conditions hold."""

    title: str
    conditions: tuple[Condition, ...] = ()
    effects: tuple[Discount, ...] = ()

    def needs(self, kind: str) -> bool:
        """Whether one of the rule's conditions is of ``kind``."""
        return any(condition.kind == kind for condition in self.conditions)


@dataclass(frozen=True)
class Campaign:
    """A campaign: running when ``enabled`` and within its start and end times."""

    id: int
    name: str
    ruleset_id: int
    state: str = "enabled"
    start_time: datetime | None = None
    end_time: datetime | None = None
    coupons: tuple[Coupon, ...] = ()
    referrals: tuple[Referral, ...] = ()
    rules: tuple[Rule, ...] = ()

    def is_running(self, at: datetime) -> bool:
        """Whether the campaign is evaluated at ``at`` (archived and disabled ones are not)."""
        if self.state != "enabled":
            return False
        return (self.start_time is None or self.start_time <= at) and (
            self.end_time is None or at < self.end_time
        )


@dataclass(frozen=True)
class Campaigns:
    """The declared campaigns, with lookups by coupon value and referral code."""

    campaigns: tuple[Campaign, ...] = ()

    def coupon(self, value: str) -> tuple[Campaign, Coupon] | None:
        """The campaign and coupon of a code (codes match exactly, as a case-sensitive Application)."""
        for campaign in self.campaigns:
            for coupon in campaign.coupons:
                if coupon.value == value:
                    return campaign, coupon
        return None

    def referral(self, code: str) -> tuple[Campaign, Referral] | None:
        """The campaign and referral of a code."""
        for campaign in self.campaigns:
            for referral in campaign.referrals:
                if referral.code == code:
                    return campaign, referral
        return None

    def __bool__(self) -> bool:
        return bool(self.campaigns)


NO_CAMPAIGNS = Campaigns()
