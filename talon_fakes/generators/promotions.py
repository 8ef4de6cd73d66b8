"""Generated rule engine outcomes: coupons and referrals accepted or rejected, their discounts, rollbacks.

The generators' stand-in for Talon.One's rule engine (the fake's own are
:mod:`talon_fakes.fake.domain.campaigns` and :mod:`talon_fakes.fake.domain.effects`).
A :class:`Plan` decides, once per session, what the engine made of each coupon code and of the
referral code: accepted (a ``setDiscount`` that is a share of the cart item total, maybe a
``setDiscountPerItem`` on a real, priced cart line) or rejected with one of the documented
reasons. The plan is then rendered as what the API answers at that point of the session's life:

- a PUT that evaluates the session answers the evaluation (:func:`evaluation`);
- a PUT that cancels a closed session, and a reopen, answer the rollbacks of what was accepted;
  a return answers a ``rollbackDiscount`` for each returned line (:func:`rollbacks`), as the
  docs page "Rolling back effects" describes
  (https://docs.talon.one/docs/dev/tutorials/rolling-back-effects).

Effect shapes are the spec's (``contracts/<version>/effect.json``): ``campaignId``,
``rulesetId``, ``ruleIndex``, ``ruleName``, ``effectType``, ``props``, and ``triggeredByCoupon``
(the coupon's ID) on the effects a coupon triggered. Rejection reasons are the spec's
``rejectCoupon``/``rejectReferral`` ``rejectionReason`` values. A code no campaign knows
(``CouponNotFound``, ``ReferralNotFound``) has no campaign: its effect says ``campaignId`` -1,
as Talon.One's older "handling effects" docs show (issue 10).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from talon_fakes.fake.domain.model import Session
from talon_fakes.generators.sources import Pools, Source, uuid4
from talon_fakes.states import Operation, State

Json = dict[str, Any]

ACCEPTED = "accepted"
#: trait -> the ``rejectCoupon`` ``rejectionReason`` it asks for (the reasons issue 10 lists).
COUPON_REJECTIONS: dict[str, str] = {
    "coupon_not_found": "CouponNotFound",
    "coupon_expired": "CouponExpired",
    "coupon_start_date_in_future": "CouponStartDateInFuture",
    "coupon_limit_reached": "CouponLimitReached",
    "coupon_part_of_not_running_campaign": "CouponPartOfNotRunningCampaign",
    "coupon_recipient_does_not_match": "CouponRecipientDoesNotMatch",
    "coupon_rejected_by_condition": "CouponRejectedByCondition",
}
#: The ``rejectReferral`` reasons of the spec that concern the code itself.
REFERRAL_REJECTIONS: tuple[str, ...] = (
    "ReferralNotFound",
    "ReferralExpired",
    "ReferralStartDateInFuture",
    "ReferralLimitReached",
    "ReferralPartOfNotRunningCampaign",
    "ReferralRecipientDoesNotMatch",
    "ReferralRecipientIdSameAsAdvocate",
    "ReferralRejectedByCondition",
)
_NOT_FOUND = ("CouponNotFound", "ReferralNotFound")
_REASONS = tuple(COUPON_REJECTIONS.values())
_PERCENTS = (10, 5, 15, 20, 25, 50)  # the first is the one to shrink toward
_ITEM_PERCENTS = (15, 10, 20, 30)

#: trait -> description: the outcome traits (see :mod:`talon_fakes.generators.traits`).
OUTCOME_TRAITS: dict[str, str] = {
    "coupon_accepted": "a coupon accepted, with a discount that is a share of the cart item total",
    "coupon_rejected": "a coupon rejected, for any documented reason",
    **{
        trait: f"a coupon rejected with rejectionReason {reason}"
        for trait, reason in COUPON_REJECTIONS.items()
    },
    "referral_accepted": "a referral code, accepted",
    "referral_rejected": "a referral code, rejected for a documented reason",
}


@dataclass(frozen=True)
class Rule:
    """Where an effect comes from: a campaign's rule (``campaign`` -1: no campaign knows the code)."""

    campaign: int
    ruleset: int
    index: int
    name: str


@dataclass(frozen=True)
class Outcome:
    """What the engine made of one code: ``reason`` is ``None`` when it was accepted."""

    code: str
    reason: str | None
    rule: Rule
    coupon_id: int = 0  # triggeredByCoupon; 0 for a referral
    percent: int = 0  # the session discount of an accepted coupon, in percent of the cart items
    item_position: int | None = None  # a line an accepted coupon also discounts
    item_percent: int = 0


@dataclass(frozen=True)
class Plan:
    """The engine's verdict on a session's coupons and referral, drawn once and rendered as needed."""

    coupons: tuple[Outcome, ...]
    referral: Outcome | None


_COUPON_TRAITS = frozenset({"coupon_accepted", "coupon_rejected", *COUPON_REJECTIONS})


def coupons_needed(traits: Iterable[str]) -> int:
    """How many coupon codes a session needs for its outcome traits (one per outcome asked for)."""
    return sum(1 for trait in traits if trait in _COUPON_TRAITS)


def _wanted(traits: frozenset[str]) -> list[str]:
    """The coupon outcomes asked for, in a fixed order: accepted, then the reasons."""
    found = [ACCEPTED] if "coupon_accepted" in traits else []
    found += [reason for trait, reason in COUPON_REJECTIONS.items() if trait in traits]
    if "coupon_rejected" in traits:
        found.append("rejected")
    return found


def _rule(source: Source, pools: Pools, reason: str | None) -> Rule:
    campaign, ruleset, name = source.pick(pools.campaigns)
    if reason in _NOT_FOUND:
        return Rule(-1, -1, -1, "")
    return Rule(campaign, ruleset, source.integer(0, 3), name)


def plan(source: Source, pools: Pools, session: Session, traits: frozenset[str] = frozenset()) -> Plan:
    """What the engine made of ``session``'s codes; outcome traits fix the first coupons' outcomes
    (in :data:`OUTCOME_TRAITS` order), the rest are drawn among them (or mostly accepted)."""
    wanted = _wanted(traits)
    priced = [n for n, item in enumerate(session.cart_items) if item.price]
    coupons = []
    for index, code in enumerate(session.coupon_codes):
        if wanted:
            outcome = wanted[index] if index < len(wanted) else source.pick(wanted)
        else:
            outcome = ACCEPTED if not source.chance(0.15) else "rejected"
        reason = None if outcome == ACCEPTED else source.pick(_REASONS) if outcome == "rejected" else outcome
        position = None
        if reason is None and priced and source.chance(0.4):
            position = source.pick(priced)
        coupon_id = source.integer(1, 99_999_999)
        coupons.append(
            Outcome(
                code,
                reason,
                _rule(source, pools, reason),
                coupon_id=0 if reason == "CouponNotFound" else coupon_id,  # no coupon has that code
                percent=source.pick(_PERCENTS) if reason is None else 0,
                item_position=position,
                item_percent=source.pick(_ITEM_PERCENTS) if position is not None else 0,
            )
        )
    referral = None
    if session.referral_code:
        rejected = "referral_rejected" in traits or (
            "referral_accepted" not in traits and source.chance(0.15)
        )
        reason = source.pick(REFERRAL_REJECTIONS) if rejected else None
        referral = Outcome(session.referral_code, reason, _rule(source, pools, reason))
    return Plan(tuple(coupons), referral)


def _effect(source: Source, rule: Rule, effect_type: str, props: Json, coupon_id: int = 0) -> Json:
    out: Json = {
        "campaignId": rule.campaign,
        "rulesetId": rule.ruleset,
        "ruleIndex": rule.index,
        "ruleName": rule.name,
        "effectType": effect_type,
        "props": props,  # required props first: benchmarks/mutations.py removes the first key
    }
    if coupon_id:
        out["triggeredByCoupon"] = coupon_id
    if rule.campaign != -1 and source.chance(0.3):
        out.update(conditionIndex=source.integer(0, 2), evaluationGroupID=source.integer(1, 9))
    return out


def share(amount: float, percent: int) -> float:
    """``percent`` of ``amount``, in cents (never more than the amount)."""
    return min(round(amount * percent / 100, 2), round(amount, 2))


def discount_name(outcome: Outcome) -> str:
    """The name of an accepted coupon's session discount (``setDiscount`` and its rollback)."""
    return f"{outcome.percent}% off with {outcome.code}"


def item_discount_name(outcome: Outcome) -> str:
    """The name of an accepted coupon's per-item discount."""
    return f"{outcome.item_percent}% off one item"


def _discounts(
    session: Session, coupon: Outcome, units: dict[int, int] | None = None
) -> list[tuple[str, float, int | None]]:
    """An accepted coupon's discounts, as ``(name, value, position)``: on what is in the cart (the
    session discount without a position), or per line on ``units`` (position -> units returned)."""
    whole = units is None
    if units is None:
        units = {n: item.remaining_quantity for n, item in enumerate(session.cart_items)}
    found: list[tuple[str, float, int | None]] = []
    lines = {n: (session.cart_items[n].price or 0.0) * count for n, count in units.items() if count}
    if whole and session.cart_item_total > 0:
        found.append((discount_name(coupon), share(session.cart_item_total, coupon.percent), None))
    elif not whole:
        found += [
            (discount_name(coupon), share(line, coupon.percent), n) for n, line in lines.items() if line > 0
        ]
    position = coupon.item_position
    if position is not None and lines.get(position, 0) > 0:
        value = share(lines[position], coupon.item_percent)
        found.append((item_discount_name(coupon), value, position))
    return found


def evaluation(source: Source, session: Session, found: Plan) -> list[Json]:
    """The effects of evaluating ``session``: each coupon accepted (with its discounts) or rejected,
    then the referral; discounts are shares of what is in the cart now (returned units left out)."""
    out = []
    for coupon in found.coupons:
        if coupon.reason is not None:
            props: Json = {"value": coupon.code, "rejectionReason": coupon.reason}
            if coupon.reason == "CouponRejectedByCondition":
                props["conditionIndex"] = source.integer(0, 2)
            out.append(_effect(source, coupon.rule, "rejectCoupon", props, coupon.coupon_id))
            continue
        out.append(_effect(source, coupon.rule, "acceptCoupon", {"value": coupon.code}, coupon.coupon_id))
        for name, value, position in _discounts(session, coupon):
            if position is None:
                props = {"name": name, "value": value}
                if source.chance(0.5):
                    props["scope"] = "cartItems"
                out.append(_effect(source, coupon.rule, "setDiscount", props, coupon.coupon_id))
            else:
                props = {"name": name, "value": value, "position": position}
                out.append(_effect(source, coupon.rule, "setDiscountPerItem", props, coupon.coupon_id))
    if found.referral is not None:
        referral = found.referral
        if referral.reason is None:
            out.append(_effect(source, referral.rule, "acceptReferral", {"value": referral.code}))
        else:
            props = {"value": referral.code, "rejectionReason": referral.reason}
            out.append(_effect(source, referral.rule, "rejectReferral", props))
    return out


def rollbacks(
    source: Source, session: Session, found: Plan, *, returned: Sequence[tuple[int, int]] = ()
) -> list[Json]:
    """The rollbacks of what ``found`` accepted.

    With ``returned`` (``(position, units)`` of a return): a ``rollbackDiscount`` with the line's
    ``cartItemPosition`` for each returned line's share of every discount on it. Without: what
    cancelling (or reopening) a closed session undoes: ``rollbackCoupon``, ``rollbackDiscount``
    and ``rollbackReferral``.
    """
    units: dict[int, int] = {}
    for position, count in returned:
        units[position] = units.get(position, 0) + count
    out = []
    for coupon in found.coupons:
        if coupon.reason is not None:
            continue
        if not returned:
            out.append(
                _effect(source, coupon.rule, "rollbackCoupon", {"value": coupon.code}, coupon.coupon_id)
            )
        for name, value, at in _discounts(session, coupon, units or None):
            props: Json = {"name": name, "value": value}
            if at is not None:
                props["cartItemPosition"] = at
            out.append(_effect(source, coupon.rule, "rollbackDiscount", props, coupon.coupon_id))
    referral = found.referral
    if referral is not None and referral.reason is None and not returned:
        out.append(_effect(source, referral.rule, "rollbackReferral", {"value": referral.code}))
    return out


def extras(source: Source, pools: Pools, session: Session) -> list[Json]:
    """Effects that have nothing to do with codes: a free item, loyalty points."""
    out = []
    if source.chance(0.15):
        gift = source.pick(pools.products)
        campaign, ruleset, name = source.pick(pools.campaigns)
        rule = Rule(campaign, ruleset, source.integer(0, 3), name)
        out.append(_effect(source, rule, "addFreeItem", {"sku": gift.sku, "name": gift.name}))
    if session.profile_id and source.chance(0.3):
        campaign, ruleset, name = source.pick(pools.campaigns)
        points = {
            "name": "Points for every euro",
            "programId": source.integer(1, 20),
            "subLedgerId": "",
            "value": float(int(session.cart_item_total)),
            "recipientIntegrationId": session.profile_id,
            "transactionUUID": uuid4(source),
        }
        out.append(
            _effect(source, Rule(campaign, ruleset, source.integer(0, 3), name), "addLoyaltyPoints", points)
        )
    return out


_REASON_TRAITS = {reason: trait for trait, reason in COUPON_REJECTIONS.items()}


def outcome_traits(effect: Json) -> frozenset[str]:
    """The outcome traits an effect shows (``rejectCoupon`` for CouponExpired: ``coupon_rejected``
    and ``coupon_expired``)."""
    kind = effect["effectType"]
    if kind in ("acceptCoupon", "setDiscount", "setDiscountPerItem"):
        return frozenset({"coupon_accepted"})
    if kind == "rejectCoupon":
        return frozenset({"coupon_rejected", _REASON_TRAITS[effect["props"]["rejectionReason"]]})
    if kind in ("acceptReferral", "rejectReferral"):
        return frozenset({"referral_accepted" if kind == "acceptReferral" else "referral_rejected"})
    return frozenset()


def answer(
    source: Source, pools: Pools, session: Session, traits: frozenset[str] = frozenset()
) -> list[Json]:
    """The ``effects`` of the PUT or return that made ``session``'s last move.

    A return answers the rollbacks for the lines it returned; cancelling a closed session answers
    the rollbacks of everything accepted; cancelling an open one redeemed nothing and answers none;
    any other move answers the evaluation.
    """
    found = plan(source, pools, session, traits)
    last = session.history[-1] if session.history else None
    if last is not None and last[0] is Operation.RETURN and session.returns:
        lines = [(line.position, line.quantity) for line in session.returns[-1].items]
        return rollbacks(source, session, found, returned=lines)
    if session.state is State.CANCELLED:
        before = session.history[-2][1] if len(session.history) > 1 else None
        return rollbacks(source, session, found) if before in (State.CLOSED, State.PARTIALLY_RETURNED) else []
    return evaluation(source, session, found) + extras(source, pools, session)


def still_valid(
    source: Source, pools: Pools, session: Session, traits: frozenset[str] = frozenset()
) -> list[Json]:
    """The ``effects`` of GET session: those still valid once rollbacks are taken out (none for a
    cancelled session; discounts on what is left of a returned cart)."""
    found = plan(source, pools, session, traits)
    if session.state is State.CANCELLED:
        return []
    return evaluation(source, session, found) + extras(source, pools, session)
