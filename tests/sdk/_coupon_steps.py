"""Coupon steps both SDK life cycles run: what the SDK reads from the effects of declared campaigns.

The server must know a coupon code named by ``TALON_CAMPAIGN_COUPON``: a running campaign with a
usage limit of 1 whose rule "coupon code is valid" gives 10% off the session (the test declares
it on the fake; on a live deployment, make one). Without it only the first step runs: an unknown
code is rejected as ``CouponNotFound`` everywhere (developers.talon.one, "handling effects").

Each step gets the SDK's own calls from the script, so this module needs no SDK import: both SDKs
give an effect's ``effect_type``, ``campaign_id`` and ``props`` (a plain dict).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from _steps import cart_value, check

Step = tuple[str, Callable[[], "str | None"]]


def _effects(result: Any) -> list[tuple[str, Any]]:
    return [
        (
            e.effect_type,
            e.props.get("rejectionReason", e.props.get("value")) if isinstance(e.props, dict) else None,
        )
        for e in result.effects or []
    ]


def coupon_steps(
    *,
    run_id: str,
    prefix: str,
    put: Callable[..., Any],
    cart: Callable[[], list[Any]],
    return_item: Callable[[str, int, int], Any],
    management_session: Callable[[int], Any],
) -> list[Step]:
    """The steps; ``put(session_id, **NewCustomerSessionV2 fields)`` answers the SDK's state."""
    code = os.environ.get("TALON_CAMPAIGN_COUPON")
    first, second = f"{prefix}-{run_id}-coupon-a", f"{prefix}-{run_id}-coupon-b"
    discount = round(cart_value() * 0.10, 2)
    ids: dict[str, int] = {}

    def unknown() -> str:
        unknown_code = f"UNKNOWN-{run_id}"
        result = put(f"{prefix}-{run_id}-coupon-x", cart_items=cart(), coupon_codes=[unknown_code])
        found = _effects(result)
        check(found == [("rejectCoupon", "CouponNotFound")], f"effects {found}")
        check(result.effects[0].props["value"] == unknown_code, "rejectCoupon names another code")
        check(result.effects[0].campaign_id == -1, f"campaignId {result.effects[0].campaign_id}, not -1")
        return "rejectCoupon CouponNotFound, campaignId -1"

    def accepted() -> str:
        result = put(first, profile_id=f"{prefix}-{run_id}-c1", cart_items=cart(), coupon_codes=[code])
        found = _effects(result)
        check([kind for kind, _ in found] == ["acceptCoupon", "setDiscount"], f"effects {found}")
        check(found[0][1] == code, f"acceptCoupon value {found[0][1]!r}")
        check(abs(found[1][1] - discount) <= 0.01, f"setDiscount value {found[1][1]}, not 10% = {discount}")
        check(result.effects[1].triggered_by_coupon is not None, "setDiscount has no triggeredByCoupon")
        ids["first"] = result.customer_session.id
        return f"acceptCoupon {code}, setDiscount {found[1][1]}"

    def close_redeems() -> str:
        found = _effects(put(first, state="closed"))
        check(found[0] == ("acceptCoupon", code), f"closing answered {found}")
        return "closed: the coupon is redeemed"

    def limit_reached() -> str:
        result = put(second, profile_id=f"{prefix}-{run_id}-c2", cart_items=cart(), coupon_codes=[code])
        found = _effects(result)
        check(found == [("rejectCoupon", "CouponLimitReached")], f"effects {found}")
        return "the next session: rejectCoupon CouponLimitReached"

    def cancel_rolls_back() -> str:
        found = _effects(put(first, state="cancelled"))
        check([kind for kind, _ in found] == ["rollbackCoupon", "rollbackDiscount"], f"effects {found}")
        check(found[0][1] == code, f"rollbackCoupon value {found[0][1]!r}")
        return f"rollbackCoupon {code}, rollbackDiscount {found[1][1]}"

    def freed() -> str:
        found = _effects(put(second, cart_items=cart()))
        check([kind for kind, _ in found] == ["acceptCoupon", "setDiscount"], f"effects {found}")
        ids["second"] = put(second, state="closed").customer_session.id
        return "accepted again once cancelled; closed"

    def return_rolls_back() -> str:
        result = return_item(second, 0, 1)
        rollbacks = [e for e in result.effects or [] if e.effect_type == "rollbackDiscount"]
        check(len(rollbacks) == 1, f"effects {_effects(result)}")
        props = rollbacks[0].props
        check(props.get("cartItemPosition") == 0, f"rollbackDiscount cartItemPosition {props}")
        share = round(discount * 49.5 / cart_value(), 2)  # the returned unit's share
        check(abs(props["value"] - share) <= 0.01, f"rollbackDiscount value {props['value']}, not {share}")
        return f"rollbackDiscount {props['value']} at position 0"

    def management_shows_it() -> str:
        session = management_session(ids["second"])
        check(session.coupon == code, f"coupon {session.coupon!r}")
        check(isinstance(session.discounts, dict) and session.discounts, f"discounts {session.discounts!r}")
        return f"coupon={session.coupon} discounts={session.discounts}"

    steps: list[Step] = [("coupons: an unknown code is rejected as CouponNotFound", unknown)]
    if code:
        steps += [
            ("coupons: a declared code is accepted with its discount", accepted),
            ("coupons: closing redeems it", close_redeems),
            ("coupons: its usage limit rejects it in the next session", limit_reached),
            ("coupons: cancelling the closed session rolls it back", cancel_rolls_back),
            ("coupons: once rolled back it is accepted again", freed),
            ("coupons: a return rolls back the returned item's discount", return_rolls_back),
            ("coupons: the Management API shows the coupon and discounts", management_shows_it),
        ]
    return steps
