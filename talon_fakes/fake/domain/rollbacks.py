"""The rollback effects of what a session undoes: ``rollbackCoupon``, ``rollbackReferral`` and
``rollbackDiscount``.

Where the behaviour comes from: docs.talon.one/docs/dev/tutorials/rolling-back-effects and the
spec's effect descriptions. Cancelling a closed session rolls back its coupon
(``rollbackCoupon``: the coupon becomes redeemable again), referral (``rollbackReferral``) and
discounts (``rollbackDiscount``); reopening rolls back "any triggered effects"; a return rolls
back the discounts of the returned items (docs.talon.one/docs/dev/tutorials/partially-returning-a-session),
``rollbackDiscount`` with the item's ``cartItemPosition``.

Pure Python, beside the effects the campaigns produce (:mod:`talon_fakes.fake.domain.effects`, which
calls these for a cancel, a reopen and a return).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from talon_fakes.fake.domain.model import Session

#: An effect as the API answers it (the ``effect`` contract's shape).
Effect = dict[str, Any]

_ROLLBACK = {"acceptCoupon": "rollbackCoupon", "acceptReferral": "rollbackReferral"}
_DISCOUNTS = ("setDiscount", "setDiscountPerItem")


def rollbacks(effects: Iterable[Mapping[str, Any]]) -> list[Effect]:
    """What undoing ``effects`` answers: each accepted code and each discount rolled back."""
    out = []
    for effect in effects:
        kind, props = effect["effectType"], effect["props"]
        if kind in _ROLLBACK:
            out.append(_like(effect, _ROLLBACK[kind], {"value": props["value"]}))
        elif kind in _DISCOUNTS:
            rolled: dict[str, Any] = {"name": props["name"], "value": props["value"]}
            if "position" in props:
                rolled["cartItemPosition"] = props["position"]
            out.append(_like(effect, "rollbackDiscount", rolled))
    return out


def return_rollbacks(
    session: Session, effects: tuple[Mapping[str, Any], ...]
) -> tuple[list[Effect], list[Effect]]:
    """The rollbacks of the latest return of ``session`` (the version after it), and the effects
    left: a per-item discount of a returned line gives back its returned units' share; a session
    discount the share of the returned units' prices in the items' total before the return."""
    returned_units: Counter[int] = Counter()
    for line in session.returns[-1].items:
        returned_units[line.position] += line.quantity
    returned_amounts = {p: (session.cart_items[p].price or 0.0) * q for p, q in returned_units.items()}
    total_before = session.cart_item_total + sum(returned_amounts.values())
    answer, kept = [], []
    for effect in effects:
        kind, props = effect["effectType"], effect["props"]
        if kind == "setDiscountPerItem" and props["position"] in returned_units:
            item = session.cart_items[props["position"]]
            left_before = item.remaining_quantity + returned_units[props["position"]]
            share = round(props["value"] * returned_units[props["position"]] / left_before, 2)
            answer.append(_like(effect, "rollbackDiscount", _rolled(props, share, props["position"])))
            left = round(props["value"] - share, 2)
        elif kind == "setDiscount" and total_before > 0:
            left = props["value"]
            for position, amount in sorted(returned_amounts.items()):
                share = round(props["value"] * amount / total_before, 2)
                if share > 0:
                    answer.append(_like(effect, "rollbackDiscount", _rolled(props, share, position)))
                    left -= share
            left = round(left, 2)
        else:
            kept.append(dict(effect))
            continue
        if left > 0:
            kept.append(_like(effect, kind, {**props, "value": left}))
    return answer, kept


def _rolled(props: Mapping[str, Any], value: float, position: int) -> dict[str, Any]:
    return {"name": props["name"], "value": value, "cartItemPosition": position}


def _like(effect: Mapping[str, Any], effect_type: str, props: dict[str, Any]) -> Effect:
    """An effect of the same campaign and rule as ``effect``."""
    out = {k: v for k, v in effect.items() if k not in ("effectType", "props")}
    out["effectType"], out["props"] = effect_type, props
    return out
