"""The effects the declared campaigns produce, and the rollbacks of what a session undoes.

Given a session (the version an operation is about to store) and the campaigns, produce the
effects in exactly the spec's shapes (the ``effect`` contract): ``acceptCoupon``/``rejectCoupon``,
``acceptReferral``/``rejectReferral``, ``setDiscount``, ``setDiscountPerItem``, and the rollbacks
``rollbackCoupon``, ``rollbackReferral``, ``rollbackDiscount``. Pure Python: no HTTP here. Whether
a code may be accepted is :mod:`talon_fakes.fake.domain.code_checks`; the rollbacks of a cancel, a
reopen or a return, :mod:`talon_fakes.fake.domain.rollbacks`. The HTTP handlers
(:meth:`talon_fakes.fake.web.handlers.SessionHandlers.effects_for`) call it.

Where the behaviour comes from:

- developers.talon.one/Integration-API/handling-effects: every effect has ``campaignId``,
  ``rulesetId``, ``ruleIndex`` and ``ruleName``; "if a coupon code is supplied and does not match
  any known campaign, the response is a rejectCoupon effect with a campaignId of -1" (the fake
  also writes -1 for its ``rulesetId`` and ``ruleIndex``, and an empty ``ruleName``: there is
  no rule).
- The spec's ``rejectCoupon`` and ``rejectReferral`` props list the rejection reasons;
  ``triggeredByCoupon`` is "the ID of the coupon that was being evaluated when this effect was
  triggered".
- docs.talon.one/docs/dev/tutorials/rolling-back-effects and the spec's effect descriptions:
  accepted codes are redeemed when the session closes; cancelling a closed session, reopening
  and a return roll back what they undo (:mod:`talon_fakes.fake.domain.rollbacks` says how).
- The spec's GET session: its ``effects`` are those still valid "after any rollback effects and
  their corresponding non-rollback effects are removed": what :attr:`Session.effects` keeps.

A usage limit counts the sessions that redeemed the code (:mod:`talon_fakes.fake.domain.code_checks`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from talon_fakes.fake.domain.campaign_model import Campaign, Campaigns, Coupon, Discount, Referral, Rule
from talon_fakes.fake.domain.code_checks import REDEEMED, Usage, coupon_problem, referral_problem
from talon_fakes.fake.domain.model import Session
from talon_fakes.fake.domain.rollbacks import Effect, return_rollbacks, rollbacks
from talon_fakes.states import State

#: The ``campaignId`` (and ``rulesetId``, ``ruleIndex``) of effects no campaign caused.
NO_CAMPAIGN = -1


def effects_for(
    session: Session, operation: str, campaigns: Campaigns, sessions: Callable[[], Iterable[Session]]
) -> list[Effect]:
    """The effects of ``operation`` (``update``, ``return``, ``reopen``, ``get``) on ``session``.

    For a change, ``session`` is the new version, not yet stored: its ``effects`` (the previous
    version's, copied along) are replaced by those that hold after the change. ``sessions``
    gives the stored sessions (for usage limits).
    """
    if operation == "get":
        return [dict(effect) for effect in session.effects]
    previous = session.effects
    kept: list[Effect]
    if operation == "reopen":
        answer, kept = rollbacks(previous), []
    elif operation == "return":
        answer, kept = return_rollbacks(session, previous)
    elif session.state is State.CANCELLED:
        before = session.history[-2][1] if len(session.history) > 1 else None
        answer, kept = (rollbacks(previous) if before in REDEEMED else []), []
    else:
        answer = kept = evaluate(session, campaigns, sessions)
    session.effects = tuple(kept)  # the new version, before it is stored: see the docstring
    return [dict(effect) for effect in answer]


def evaluate(
    session: Session, campaigns: Campaigns, sessions: Callable[[], Iterable[Session]]
) -> list[Effect]:
    """The effects of the campaigns on ``session``: codes accepted or rejected, discounts given."""
    out: list[Effect] = []
    usage = Usage(session, sessions)
    at = session.updated
    coupons: dict[int, Coupon] = {}  # campaign ID -> its valid coupon in this session
    for code in dict.fromkeys(session.coupon_codes):
        found = campaigns.coupon(code)
        if found is None:
            out.append(_rejection("rejectCoupon", code, "CouponNotFound"))
            continue
        campaign, coupon = found
        reason = coupon_problem(campaign, coupon, session, usage)
        if reason is None and campaign.id in coupons:
            reason = "CouponRejectedByCondition"  # one coupon a campaign; the first one counts
        if reason is not None:
            out.append(_rejection("rejectCoupon", code, reason, campaign, coupon_id=coupon.id))
        else:
            coupons[campaign.id] = coupon
    referrals: dict[int, Referral] = {}
    if session.referral_code:
        code = session.referral_code
        found_referral = campaigns.referral(code)
        if found_referral is None:
            out.append(_rejection("rejectReferral", code, "ReferralNotFound"))
        else:
            campaign, referral = found_referral
            reason = referral_problem(campaign, referral, session, usage)
            if reason is not None:
                out.append(_rejection("rejectReferral", code, reason, campaign))
            else:
                referrals[campaign.id] = referral
    for campaign in campaigns.campaigns:
        if campaign.is_running(at):
            out += _campaign_effects(campaign, session, coupons.get(campaign.id), referrals.get(campaign.id))
    return out


def _campaign_effects(
    campaign: Campaign, session: Session, coupon: Coupon | None, referral: Referral | None
) -> list[Effect]:
    out: list[Effect] = []
    accepted = {"coupon": False, "referral": False}
    for index, rule in enumerate(campaign.rules):
        failed = _failed_condition(rule, session, coupon, referral)
        if failed is not None:
            continue
        trigger = coupon.id if coupon is not None and rule.needs("couponValid") else None
        if coupon is not None and rule.needs("couponValid") and not accepted["coupon"]:
            accepted["coupon"] = True
            out.append(_effect("acceptCoupon", {"value": coupon.value}, campaign, index, rule, trigger))
        if referral is not None and rule.needs("referralValid") and not accepted["referral"]:
            accepted["referral"] = True
            out.append(_effect("acceptReferral", {"value": referral.code}, campaign, index, rule))
        for discount in rule.effects:
            out += _discounts(discount, session, campaign, index, rule, trigger)
    # A valid code no rule of its campaign took: "other conditions failed in the rule or all
    # conditions passed but the `Coupon code is valid` condition is not present" (the spec).
    if coupon is not None and not accepted["coupon"]:
        out.append(
            _condition_rejection(
                "rejectCoupon",
                coupon.value,
                "CouponRejectedByCondition",
                campaign,
                session,
                coupon,
                referral,
                "couponValid",
            )
        )
    if referral is not None and not accepted["referral"]:
        out.append(
            _condition_rejection(
                "rejectReferral",
                referral.code,
                "ReferralRejectedByCondition",
                campaign,
                session,
                coupon,
                referral,
                "referralValid",
            )
        )
    return out


def _condition_rejection(
    effect_type: str,
    value: str,
    reason: str,
    campaign: Campaign,
    session: Session,
    coupon: Coupon | None,
    referral: Referral | None,
    needed: str,
) -> Effect:
    """The rejection of a valid code by the first rule that wants it (its failing condition named)."""
    for index, rule in enumerate(campaign.rules):
        if rule.needs(needed):
            props: dict[str, Any] = {"value": value, "rejectionReason": reason}
            failed = _failed_condition(rule, session, coupon, referral)
            if failed is not None:
                props["conditionIndex"] = failed
            trigger = coupon.id if coupon is not None and needed == "couponValid" else None
            return _effect(effect_type, props, campaign, index, rule, trigger)
    return _rejection(effect_type, value, reason, campaign, coupon_id=coupon.id if coupon else None)


def _failed_condition(
    rule: Rule, session: Session, coupon: Coupon | None, referral: Referral | None
) -> int | None:
    """The index of the rule's first condition that does not hold (None: all hold)."""
    for index, condition in enumerate(rule.conditions):
        if condition.kind == "couponValid":
            holds = coupon is not None
        elif condition.kind == "referralValid":
            holds = referral is not None
        elif condition.kind == "cartItemTotalAtLeast":
            holds = session.cart_item_total >= condition.value
        else:  # cartItemSku
            holds = any(i.sku == condition.value and i.remaining_quantity > 0 for i in session.cart_items)
        if not holds:
            return index
    return None


def _discounts(
    discount: Discount, session: Session, campaign: Campaign, index: int, rule: Rule, trigger: int | None
) -> list[Effect]:
    """A discount effect's effects. A percentage is that share of the cart items' total (prices
    times remaining units; additional costs left out); a fixed value is at most that total. A
    per-item discount is one effect per matching cart item line, with its ``position``."""
    if discount.kind == "setDiscount":
        value = _amount(discount, session.cart_item_total)
        if value <= 0:
            return []
        return [
            _effect("setDiscount", {"name": discount.name, "value": value}, campaign, index, rule, trigger)
        ]
    out = []
    for position, item in enumerate(session.cart_items):
        if discount.sku not in (None, item.sku) or item.remaining_quantity <= 0:
            continue
        value = _amount(discount, (item.price or 0.0) * item.remaining_quantity)
        if value > 0:
            props = {"name": discount.name, "value": value, "position": position}
            out.append(_effect("setDiscountPerItem", props, campaign, index, rule, trigger))
    return out


def _amount(discount: Discount, base: float) -> float:
    """The discount on ``base``, in cents (the currency's precision)."""
    if discount.percent is not None:
        return round(base * discount.percent / 100, 2)
    return round(min(discount.value or 0.0, base), 2)


# -- shapes ----------------------------------------------------------------------------------------


def _effect(
    effect_type: str,
    props: dict[str, Any],
    campaign: Campaign,
    index: int,
    rule: Rule,
    trigger: int | None = None,
) -> Effect:
    out: Effect = {
        "campaignId": campaign.id,
        "rulesetId": campaign.ruleset_id,
        "ruleIndex": index,
        "ruleName": rule.title,
        "effectType": effect_type,
        "props": props,
    }
    if trigger is not None:
        out["triggeredByCoupon"] = trigger
    return out


def _rejection(
    effect_type: str,
    value: str,
    reason: str,
    campaign: Campaign | None = None,
    *,
    coupon_id: int | None = None,
) -> Effect:
    """A rejection no rule made: of an unknown code (campaign -1), or before any rule ran."""
    props = {"value": value, "rejectionReason": reason}
    if campaign is None:
        return {
            "campaignId": NO_CAMPAIGN,
            "rulesetId": NO_CAMPAIGN,
            "ruleIndex": NO_CAMPAIGN,
            "ruleName": "",
            "effectType": effect_type,
            "props": props,
        }
    needed = "couponValid" if effect_type == "rejectCoupon" else "referralValid"
    index, rule = next(
        ((i, r) for i, r in enumerate(campaign.rules) if r.needs(needed)),
        (0, campaign.rules[0] if campaign.rules else Rule("")),
    )
    return _effect(effect_type, props, campaign, index, rule, coupon_id)
