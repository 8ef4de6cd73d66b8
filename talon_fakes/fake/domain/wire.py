"""Domain objects <-> Talon.One JSON: the only module that knows the field spellings.

Request bodies are checked against the contracts first (so a bad body gets a JSON pointer to the
culprit, and the same rules the contracts enforce on responses), then turned into domain values.
Responses are built in the contracts' shapes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from talon_fakes.api import error_response as error_response
from talon_fakes.api import error_with_status as error_with_status
from talon_fakes.contracts.invariants import check_invariants
from talon_fakes.contracts.validation import fast_validator, validate
from talon_fakes.contracts.violations import Violation
from talon_fakes.errors import InvalidRequest
from talon_fakes.fake.domain.changes import Outcome, SessionUpdate
from talon_fakes.fake.domain.model import CartItem, Profile, Return, ReturnedItem, Session
from talon_fakes.states import State

ACCOUNT_ID = 1  # the fake's single Talon.One account

# Cart item fields the server computes: a client may send them (the spec's own examples do),
# and they are ignored.
_COMPUTED_ITEM_FIELDS = frozenset({"position", "returnedQuantity", "remainingQuantity"})
_DOMAIN_ITEM_FIELDS = frozenset({"sku", "quantity", "price", "additionalCosts"})
_NOT_DETAILS = _COMPUTED_ITEM_FIELDS | _DOMAIN_ITEM_FIELDS

# PUT body field -> SessionUpdate attribute
_UPDATE_FIELDS = {
    "profileId": "profile_id",
    "storeIntegrationId": "store_integration_id",
    "evaluableCampaignIds": "evaluable_campaign_ids",
    "couponCodes": "coupon_codes",
    "referralCode": "referral_code",
    "loyaltyCards": "loyalty_cards",
    "identifiers": "identifiers",
    "attributes": "attributes",
    "experimentVariantAllocations": "experiment_variant_allocations",
}

#: Every field of an update's ``customerSession``, as the API spells them.
UPDATE_FIELD_NAMES = frozenset({*_UPDATE_FIELDS, "state", "cartItems", "additionalCosts"})

#: Management list ``sort`` values -> Session attributes.
SORT_FIELDS = {
    "id": "id",
    "created": "created",
    "integrationId": "integration_id",
    "state": "state",
    "total": "total",
    "updated": "updated",
    "profileintegrationid": "profile_id",
}


@lru_cache(maxsize=4096)  # a session's `created` is written with every answer about it
def timestamp(at: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as Talon.One writes it."""
    text = at.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def _first_error(violations: Sequence[Violation]) -> InvalidRequest | None:
    errors = [v for v in violations if v.is_error]
    if not errors:
        return None
    first = errors[0]
    pointer = "".join("/" + part for part in _pointer_parts(first.path))  # "" is the whole document
    return InvalidRequest(f"{first.path.removeprefix('$.')}: {first.message}", pointer=pointer)


def _pointer_parts(path: str) -> list[str]:
    """``$.customerSession.cartItems[2].sku`` -> ``['customerSession', 'cartItems', '2', 'sku']``."""
    parts = []
    for chunk in path.removeprefix("$").replace("[", ".").replace("]", "").split("."):
        if chunk:
            parts.append(chunk.strip('"').replace("~", "~0").replace("/", "~1"))
    return parts


def check_body(body: Any, contract: str) -> None:
    """Raise :class:`InvalidRequest` (with a JSON pointer) for the first error of ``body``."""
    # A request is checked on every call: the compiled validator (never looser than the reference)
    # and the invariants pass a clean body at once; anything else is explained by ``validate``.
    if fast_validator(contract).is_valid(body) and not any(
        violation.is_error for violation in check_invariants(body, contract)
    ):
        return
    error = _first_error(validate(body, contract))
    if error is not None:
        raise error


def _costs_in(raw: Mapping[str, Any]) -> dict[str, float]:
    """``{"shipping": {"price": 4.9}}`` -> ``{"shipping": 4.9}``."""
    return {name: float(cost["price"]) for name, cost in raw.items()}


def _costs_out(costs: Mapping[str, float]) -> dict[str, Any]:
    """``{"shipping": 4.9}`` -> ``{"shipping": {"price": 4.9}}``."""
    return {name: {"price": price} for name, price in costs.items()}


def cart_item(raw: Mapping[str, Any]) -> CartItem:
    """A cart item of a request."""
    costs = _costs_in(raw.get("additionalCosts") or {})
    details = {k: v for k, v in raw.items() if k not in _NOT_DETAILS}
    price = raw.get("price")
    # int(): JSON Schema's integer takes 2.0 too, which the domain counts and indexes with as 2.
    return CartItem(
        raw["sku"], int(raw["quantity"]), None if price is None else float(price), 0, costs, details
    )


# The update's lists other than cartItems (kept as tuples).
_LISTS = (
    "couponCodes",
    "loyaltyCards",
    "identifiers",
    "evaluableCampaignIds",
    "experimentVariantAllocations",
)
#: The ``SessionUpdate`` fields that hold sequences.
SEQUENCE_FIELDS = frozenset({"cart_items", *(_UPDATE_FIELDS[name] for name in _LISTS)})


def session_update(body: Any) -> tuple[SessionUpdate, list[str]]:
    """The update and the ``responseContent`` of a PUT body (checked against its contract)."""
    check_body(body, "integration-request-v2")
    raw = body["customerSession"]
    if len(raw.get("profileId", "")) > 1000:
        raise InvalidRequest(
            "a profile integration ID has at most 1000 characters", pointer="/customerSession/profileId"
        )
    given: dict[str, Any] = {attr: raw[name] for name, attr in _UPDATE_FIELDS.items() if name in raw}
    for name in _LISTS:
        if name in raw:
            given[_UPDATE_FIELDS[name]] = tuple(raw[name])
    if "state" in raw:
        given["state"] = State(raw["state"])
    if "cartItems" in raw:
        given["cart_items"] = tuple(cart_item(item) for item in raw["cartItems"])
    if "additionalCosts" in raw:
        given["additional_costs"] = _costs_in(raw["additionalCosts"])
    return SessionUpdate(**given), list(body.get("responseContent") or [])


def returned_items(body: Any, session: Session) -> tuple[list[ReturnedItem], list[str]]:
    """The items and ``responseContent`` of a returns body; an item named by SKU alone takes the
    first cart position of that SKU with units left, after the lines before it."""
    check_body(body, "return-request")
    items = []
    claimed: Counter[int] = Counter()  # units the earlier lines return, by position
    for index, raw in enumerate(body["return"]["returnedCartItems"]):
        pointer = f"/return/returnedCartItems/{index}"
        if "quantity" not in raw:
            raise InvalidRequest("a returned cart item needs a quantity", pointer=pointer)
        position = raw.get("position")
        if position is None:
            sku = raw.get("sku")
            if sku is None:
                raise InvalidRequest("a returned cart item needs a position or a sku", pointer=pointer)
            candidates = [
                i
                for i, item in enumerate(session.cart_items)
                if item.sku == sku and item.remaining_quantity > claimed[i]
            ]
            if not candidates:
                raise InvalidRequest(f"no cart item {sku!r} left to return", pointer=f"{pointer}/sku")
            position = candidates[0]
        items.append(ReturnedItem(int(position), int(raw["quantity"]), raw.get("sku")))  # 0.0 is 0
        claimed[items[-1].position] += items[-1].quantity
    return items, list(body.get("responseContent") or [])


# -- responses -------------------------------------------------------------------------------


def _cart_item(item: CartItem, position: int) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": item.sku, "quantity": item.quantity}
    if item.price is not None:
        out["price"] = item.price
    out.update(item.details)
    out["returnedQuantity"] = item.returned_quantity
    out["remainingQuantity"] = item.remaining_quantity
    out["position"] = position
    if item.additional_costs:
        out["additionalCosts"] = _costs_out(item.additional_costs)
    return out


def _cart(session: Session) -> list[dict[str, Any]]:
    return [_cart_item(item, position) for position, item in enumerate(session.cart_items)]


def customer_session(session: Session) -> dict[str, Any]:
    """The ``customer-session-v2`` of a session."""
    out: dict[str, Any] = {
        "id": session.id,
        "created": timestamp(session.created),
        "integrationId": session.integration_id,
        "applicationId": session.application_id,
        "profileId": session.profile_id,
        "couponCodes": list(session.coupon_codes),
        "referralCode": session.referral_code,
        "loyaltyCards": list(session.loyalty_cards),
        "state": session.state.value,
        "cartItems": _cart(session),
        "additionalCosts": _costs_out(session.additional_costs),
        "identifiers": list(session.identifiers),
        "attributes": dict(session.attributes),
        "firstSession": session.first_session,
        "updateCount": session.update_count,
        "total": session.total,
        "cartItemTotal": session.cart_item_total,
        "additionalCostTotal": session.additional_cost_total,
        "cartItemAdditionalCostTotal": session.cart_item_additional_cost_total,
        "updated": timestamp(session.updated),
    }
    if session.store_integration_id is not None:
        out["storeIntegrationId"] = session.store_integration_id
    if session.evaluable_campaign_ids:
        out["evaluableCampaignIds"] = list(session.evaluable_campaign_ids)
    if session.experiment_variant_allocations:
        out["experimentVariantAllocations"] = [dict(a) for a in session.experiment_variant_allocations]
    return out


def customer_profile(profile: Profile) -> dict[str, Any]:
    """The ``customerProfile`` of an integration state."""
    return {
        "id": profile.id,
        "created": timestamp(profile.created),
        "integrationId": profile.integration_id,
        "attributes": {},
        "accountId": ACCOUNT_ID,
        "closedSessions": profile.closed_sessions,
        "totalSales": round(profile.total_sales, 6),
        "lastActivity": timestamp(profile.last_activity),
        # loyaltyMemberships is left out: the spec calls it "DEPRECATED. Always returns null",
        # and the contract (like the spec) declares nothing nullable.
        "audienceMemberships": [],
        "sandbox": True,
    }


def return_record(created: Return, session: Session) -> dict[str, Any]:
    """The ``return`` of a returns response."""
    out: dict[str, Any] = {
        "id": created.id,
        "created": timestamp(created.created),
        "applicationId": session.application_id,
        "accountId": ACCOUNT_ID,
        "returnedCartItems": [
            {"position": i.position, "quantity": i.quantity, **({"sku": i.sku} if i.sku else {})}
            for i in created.items
        ],
        "eventId": created.event_id,
        "sessionId": session.id,
        "sessionIntegrationId": session.integration_id,
    }
    if session.profile_internal_id is not None:
        out["profileId"] = session.profile_internal_id
        out["profileIntegrationId"] = session.profile_id
    return out


def event(outcome: Outcome, effects: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``event`` of an integration state: the built-in event the operation made."""
    session = outcome.session
    out: dict[str, Any] = {
        "id": outcome.event_id,
        "created": timestamp(session.updated),
        "applicationId": session.application_id,
        "profileId": session.profile_id,
        "type": outcome.event_type,
        "attributes": {},
        "sessionId": session.integration_id,
        # The spec types an event's effects as arrays (the V1 event's [campaign, ruleset, rule,
        # effect] tuples); the effects themselves are in the answer's `effects`.
        "effects": [],
    }
    if session.store_integration_id is not None:
        out["storeIntegrationId"] = session.store_integration_id
    return out


def integration_state(
    outcome: Outcome,
    *,
    effects: list[dict[str, Any]],
    response_content: Sequence[str],
    dry: bool = False,
) -> dict[str, Any]:
    """The ``integration-state-v2`` body of a PUT or a return.

    ``customerSession`` is always there, and each ``responseContent`` value adds its entity on
    top of it, as docs.talon.one "Customizing responses" (dev/integration-api/meta-response)
    shows: its example for ``["customerProfile","event"]`` answers ``customerSession``,
    ``customerProfile`` and ``event``, and a request without ``responseContent`` the session.
    ``ruleFailureReasons`` and ``campaignEligibility`` come only on a dry run.
    """
    session, profile, created_return = outcome.session, outcome.profile, outcome.created
    out: dict[str, Any] = {
        "customerSession": customer_session(session),
        "effects": effects,
        "createdCoupons": [],
        "createdReferrals": [],
    }
    wanted = set(response_content)
    if "customerProfile" in wanted and profile is not None:
        out["customerProfile"] = customer_profile(profile)
    for name in ("coupons", "triggeredCampaigns", "awardedGiveaways"):
        if name in wanted:
            out[name] = []
    if dry:
        for name in ("ruleFailureReasons", "campaignEligibility"):
            if name in wanted:
                out[name] = []
    if "loyalty" in wanted:
        out["loyalty"] = {"programs": {}}
    if "event" in wanted and outcome.event_type:
        out["event"] = event(outcome, effects)
    if "previousReturns" in wanted:
        earlier = [r for r in session.returns if created_return is None or r.id != created_return.id]
        out["previousReturns"] = [return_record(r, session) for r in earlier]
    if created_return is not None:
        out["return"] = return_record(created_return, session)
    return out


def application_session(session: Session) -> dict[str, Any]:
    """The Management API's ``application-session`` of a session: the V1-style ``coupon`` and
    ``referral`` ("any code entered", the spec; the accepted one first) and its ``discounts`` by
    name with ``totalDiscounts``, from the effects that still hold."""
    applied: dict[str, str] = {}
    discounts: dict[str, float] = {}
    for effect in session.effects:
        kind, props = effect["effectType"], effect["props"]
        if kind in ("acceptCoupon", "acceptReferral"):
            applied.setdefault(kind, props["value"])
        elif kind in ("setDiscount", "setDiscountPerItem"):
            discounts[props["name"]] = round(discounts.get(props["name"], 0.0) + props["value"], 2)
    out: dict[str, Any] = {
        "id": session.id,
        "created": timestamp(session.created),
        "integrationId": session.integration_id,
        "applicationId": session.application_id,
        "profileintegrationid": session.profile_id,
        "coupon": applied.get("acceptCoupon", session.coupon_codes[0] if session.coupon_codes else ""),
        "referral": applied.get("acceptReferral", session.referral_code),
        "state": session.state.value,
        "cartItems": _cart(session),
        "discounts": discounts,
        "totalDiscounts": round(sum(discounts.values()), 2),
        "total": session.total,
        "attributes": dict(session.attributes),
    }
    if session.profile_internal_id is not None:
        out["profileId"] = session.profile_internal_id
    if session.store_integration_id is not None:
        out["storeIntegrationId"] = session.store_integration_id
    return out
