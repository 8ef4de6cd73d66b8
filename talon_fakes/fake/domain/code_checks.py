"""Whether a coupon or referral code a session gives may be accepted, and why not.

A code is rejected, with Talon.One's ``rejectionReason``, when its campaign is not running, it
is not yet valid or has expired, it is for another customer (a coupon's recipient; a referral's
friend, or its own advocate), or its usage limit is reached. A usage limit counts the sessions
that redeemed the code: closed or partially returned ones that accepted it (a cancelled or
reopened session gives it back; a dry run stores nothing). Reasons as the spec's ``rejectCoupon``
and ``rejectReferral`` props list them.

Pure Python, between the campaign model (:mod:`talon_fakes.fake.domain.campaign_model`) and the
effects (:mod:`talon_fakes.fake.domain.effects`), which ask it about each code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from talon_fakes.fake.domain.campaign_model import Campaign, Coupon, Referral
from talon_fakes.fake.domain.model import Session
from talon_fakes.states import State

#: The states in which a session has redeemed what it accepted.
REDEEMED = frozenset({State.CLOSED, State.PARTIALLY_RETURNED})
_ACCEPTED = {"acceptCoupon": "coupon", "acceptReferral": "referral"}


class Usage:
    """How often each code was redeemed by other sessions (worked out once, when first asked)."""

    def __init__(self, session: Session, sessions: Callable[[], Iterable[Session]]) -> None:
        self.session, self.sessions = session, sessions
        self._counts: Counter[tuple[str, str]] | None = None

    def reached(self, kind: str, value: str, limit: int) -> bool:
        """Whether ``limit`` redemptions (0: unlimited) are used up."""
        if limit == 0:
            return False
        if self._counts is None:
            self._counts = Counter(
                (_ACCEPTED[e["effectType"]], e["props"]["value"])
                for s in self.sessions()
                if s.id != self.session.id
                and s.application_id == self.session.application_id
                and s.state in REDEEMED
                for e in s.effects
                if e["effectType"] in _ACCEPTED
            )
        return self._counts[kind, value] >= limit


def coupon_problem(campaign: Campaign, coupon: Coupon, session: Session, usage: Usage) -> str | None:
    """Why ``session`` may not use ``coupon`` of ``campaign`` (its ``rejectionReason``); None: it may."""
    at = session.updated
    if not campaign.is_running(at):
        return "CouponPartOfNotRunningCampaign"
    if coupon.start_date is not None and at < coupon.start_date:
        return "CouponStartDateInFuture"
    if coupon.expiry_date is not None and at >= coupon.expiry_date:
        return "CouponExpired"
    if coupon.recipient_integration_id is not None and session.profile_id != coupon.recipient_integration_id:
        return "CouponRecipientDoesNotMatch"
    if usage.reached("coupon", coupon.value, coupon.usage_limit):
        return "CouponLimitReached"
    return None


def referral_problem(campaign: Campaign, referral: Referral, session: Session, usage: Usage) -> str | None:
    """Why ``session`` may not use ``referral`` of ``campaign`` (its ``rejectionReason``); None: it may."""
    at = session.updated
    if not campaign.is_running(at):
        return "ReferralPartOfNotRunningCampaign"
    if referral.start_date is not None and at < referral.start_date:
        return "ReferralStartDateInFuture"
    if referral.expiry_date is not None and at >= referral.expiry_date:
        return "ReferralExpired"
    if referral.advocate_profile_integration_id is not None and (
        session.profile_id == referral.advocate_profile_integration_id
    ):
        return "ReferralRecipientIdSameAsAdvocate"
    if referral.friend_profile_integration_id is not None and (
        session.profile_id != referral.friend_profile_integration_id
    ):
        return "ReferralRecipientDoesNotMatch"
    if usage.reached("referral", referral.code, referral.usage_limit):
        return "ReferralLimitReached"
    return None
