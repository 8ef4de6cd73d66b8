"""Named ways to break a valid corpus document, one thing at a time.

Each :class:`Mutation` returns a copy of a valid document broken in exactly one way (one field,
one rule); ``rng`` only picks where (which cart item, which date-time field). ``breaks`` says what a
correct validator reports afterwards. ``edge`` mutations are boundary cases, valid or not, put
there on purpose because validators tend to disagree on them (leap seconds, year 0000, odd UUID
spellings, maxLength counted in code points).
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from benchmarks.corpus import CONTRACTS, Json, retotal, rfc3339

Breaks = Literal["schema", "unknown_field", "invariant", "edge"]
Change = Callable[[Json, random.Random], None]
INTEGRATION_STATE = ("integration-state-v2",)


def _always(doc: Json) -> bool:
    return True


@dataclass(frozen=True)
class Mutation:
    """One named way to break a valid document.

    ``breaks``: ``schema`` (rejected in both modes), ``unknown_field`` (rejected in strict mode
    only), ``invariant`` (schema-valid; one invariant fails) or ``edge`` (a boundary case).
    """

    name: str
    breaks: Breaks
    change: Change
    contracts: tuple[str, ...] = CONTRACTS
    needs: Callable[[Json], bool] = _always

    def applies_to(self, doc: Json, contract: str) -> bool:
        """Whether this mutation can break ``doc`` of ``contract``."""
        return contract in self.contracts and self.needs(doc)

    def __call__(self, doc: Json, rng: random.Random) -> Json:
        """A broken copy of ``doc``; ``rng`` picks the position (which item, which field)."""
        out = copy.deepcopy(doc)
        self.change(out, rng)
        return out

    def __repr__(self) -> str:
        return f"Mutation({self.name!r})"


def session_of(doc: Json) -> Json:
    """The customer session inside ``doc`` (the document itself for customer-session-v2)."""
    session: Json = doc.get("customerSession", doc)
    return session


def _item(doc: Json, rng: random.Random) -> Json:
    items: list[Json] = session_of(doc)["cartItems"]
    return rng.choice(items)


def _effect(doc: Json, rng: random.Random) -> Json:
    effects: list[Json] = doc["effects"]
    return rng.choice(effects)


def _has_effects(doc: Json) -> bool:
    return bool(doc.get("effects"))


def _has_profile(doc: Json) -> bool:
    return "customerProfile" in doc


def _has_costs(doc: Json) -> bool:
    return bool(session_of(doc).get("additionalCosts"))


def _has_prices(doc: Json) -> bool:
    return any("prices" in item for item in session_of(doc)["cartItems"])


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


MUTATIONS: list[Mutation] = []


def _add(
    name: str,
    breaks: Breaks,
    *,
    contracts: tuple[str, ...] = CONTRACTS,
    needs: Callable[[Json], bool] = _always,
) -> Callable[[Change], Change]:
    def register(change: Change) -> Change:
        MUTATIONS.append(Mutation(name, breaks, change, contracts, needs))
        return change

    return register


def _set(name: str, breaks: Breaks, value: Callable[[Json, random.Random], Any], field: str) -> None:
    """Register a mutation setting ``field`` of the session (``*`` = a random cart item's field)."""
    item_field = field.removeprefix("cartItems[*].")

    def change(doc: Json, rng: random.Random) -> None:
        target = _item(doc, rng) if item_field != field else session_of(doc)
        target[item_field] = value(target, rng)

    MUTATIONS.append(Mutation(name, breaks, change))


def _drop(name: str, field: str) -> None:
    item_field = field.removeprefix("cartItems[*].")

    def change(doc: Json, rng: random.Random) -> None:
        del (_item(doc, rng) if item_field != field else session_of(doc))[item_field]

    MUTATIONS.append(Mutation(name, "schema", change))


# -- wrong type -----------------------------------------------------------------------------
_set("type/total-as-string", "schema", lambda s, r: f"{s['total']:.2f}", "total")
_set("type/session-id-as-string", "schema", lambda s, r: str(s["id"]), "id")
_set("type/first-session-as-string", "schema", lambda s, r: str(s["firstSession"]).lower(), "firstSession")
_set("type/attributes-as-list", "schema", lambda s, r: [s["attributes"]], "attributes")
_set("type/profile-id-null", "schema", lambda s, r: None, "profileId")
_set(
    "type/cart-items-as-object",
    "schema",
    lambda s, r: {str(n): i for n, i in enumerate(s["cartItems"])},
    "cartItems",
)
_set("type/quantity-as-float", "schema", lambda i, r: i["quantity"] + 0.5, "cartItems[*].quantity")
_set("type/quantity-as-bool", "schema", lambda i, r: True, "cartItems[*].quantity")
_set("type/quantity-as-string", "schema", lambda i, r: str(i["quantity"]), "cartItems[*].quantity")
_set("type/price-as-string", "schema", lambda i, r: f"{i['price']:.2f}", "cartItems[*].price")
_set("type/sku-as-number", "schema", lambda i, r: r.randrange(10**6), "cartItems[*].sku")
_set(
    "type/item-attributes-as-string",
    "schema",
    lambda i, r: str(i.get("attributes")),
    "cartItems[*].attributes",
)


@_add("type/additional-cost-as-number", "schema")
def _cost_as_number(doc: Json, rng: random.Random) -> None:
    costs = session_of(doc).setdefault("additionalCosts", {})
    name = rng.choice(sorted(costs)) if costs else "shipping"
    costs[name] = costs.get(name, {}).get("price", 4.95)


@_add("type/effect-rule-index-as-string", "schema", contracts=INTEGRATION_STATE, needs=_has_effects)
def _rule_index_as_string(doc: Json, rng: random.Random) -> None:
    effect = _effect(doc, rng)
    effect["ruleIndex"] = str(effect["ruleIndex"])


@_add("type/effect-props-as-list", "schema", contracts=INTEGRATION_STATE, needs=_has_effects)
def _props_as_list(doc: Json, rng: random.Random) -> None:
    effect = _effect(doc, rng)
    effect["props"] = list(effect["props"].items())


def _valued(doc: Json) -> list[Json]:
    return [effect for effect in doc.get("effects", []) if "value" in effect["props"]]


def _has_valued(doc: Json) -> bool:
    return bool(_valued(doc))


@_add("type/effect-value-of-wrong-type", "schema", contracts=INTEGRATION_STATE, needs=_has_valued)
def _props_value_mistyped(doc: Json, rng: random.Random) -> None:
    props = rng.choice(_valued(doc))["props"]
    # coupon and referral values are codes (strings); discount and points values are numbers
    props["value"] = 10 if isinstance(props["value"], str) else f"{props['value']:.2f} EUR"


@_add("type/effects-null", "schema", contracts=INTEGRATION_STATE)
def _effects_null(doc: Json, rng: random.Random) -> None:
    doc["effects"] = None


@_add("type/profile-total-sales-as-string", "schema", contracts=INTEGRATION_STATE, needs=_has_profile)
def _total_sales_as_string(doc: Json, rng: random.Random) -> None:
    doc["customerProfile"]["totalSales"] = f"{doc['customerProfile']['totalSales']:.2f}"


# -- missing required field -----------------------------------------------------------------
for _field in (
    "created",
    "updated",
    "total",
    "cartItems",
    "profileId",
    "state",
    "attributes",
    "firstSession",
):
    _drop(f"missing/{_field}", _field)
_drop("missing/cart-item-sku", "cartItems[*].sku")
_drop("missing/cart-item-quantity", "cartItems[*].quantity")


@_add("missing/additional-cost-price", "schema")
def _cost_without_price(doc: Json, rng: random.Random) -> None:
    costs = session_of(doc).setdefault("additionalCosts", {})
    costs[rng.choice(sorted(costs)) if costs else "shipping"] = {}


@_add("missing/effect-props", "schema", contracts=INTEGRATION_STATE, needs=_has_effects)
def _effect_without_props(doc: Json, rng: random.Random) -> None:
    del _effect(doc, rng)["props"]


@_add("missing/effect-rule-name", "schema", contracts=INTEGRATION_STATE, needs=_has_effects)
def _effect_without_rule_name(doc: Json, rng: random.Random) -> None:
    del _effect(doc, rng)["ruleName"]


@_add("missing/effect-required-prop", "schema", contracts=INTEGRATION_STATE, needs=_has_effects)
def _props_without_first(doc: Json, rng: random.Random) -> None:
    props = _effect(doc, rng)["props"]
    del props[next(iter(props))]  # the corpus lists required props first


@_add("missing/created-coupons", "schema", contracts=INTEGRATION_STATE)
def _no_created_coupons(doc: Json, rng: random.Random) -> None:
    del doc["createdCoupons"]


@_add("missing/profile-last-activity", "schema", contracts=INTEGRATION_STATE, needs=_has_profile)
def _profile_without_activity(doc: Json, rng: random.Random) -> None:
    del doc["customerProfile"]["lastActivity"]


# -- bad enum value -------------------------------------------------------------------------
_set("enum/state-unknown", "schema", lambda s, r: "pending", "state")
_set("enum/state-capitalised", "schema", lambda s, r: s["state"].capitalize(), "state")
_set("enum/state-camel-case", "schema", lambda s, r: "partiallyReturned", "state")
_set("enum/state-padded", "schema", lambda s, r: s["state"] + " ", "state")

# -- date-time: strftime patterns applied to the instant already in the field -----------------
DATE_TIMES: dict[str, tuple[Breaks, str]] = {
    "not-a-date": ("schema", "%d %B %Y"),
    "unix-seconds": ("schema", "1740656672"),
    "month-13": ("schema", "%Y-13-%dT%H:%M:%SZ"),
    "day-32": ("schema", "%Y-%m-32T%H:%M:%SZ"),
    "feb-30": ("schema", "%Y-02-30T%H:%M:%SZ"),
    "feb-29-common-year": ("schema", "2025-02-29T%H:%M:%SZ"),
    "no-timezone": ("schema", "%Y-%m-%dT%H:%M:%S"),
    "space-separator": ("schema", "%Y-%m-%d %H:%M:%SZ"),
    "date-only": ("schema", "%Y-%m-%d"),
    "hour-24": ("schema", "%Y-%m-%dT24:00:00Z"),
    "second-61": ("schema", "%Y-%m-%dT23:59:61Z"),
    "leap-second-at-noon": ("schema", "%Y-%m-%dT12:30:60Z"),
    "offset-24h": ("schema", "%Y-%m-%dT%H:%M:%S+24:00"),
    "offset-minute-60": ("schema", "%Y-%m-%dT%H:%M:%S+01:60"),
    "offset-without-colon": ("schema", "%Y-%m-%dT%H:%M:%S+0100"),
    "empty-fraction": ("schema", "%Y-%m-%dT%H:%M:%S.Z"),
    "leading-space": ("schema", " %Y-%m-%dT%H:%M:%SZ"),
    "lowercase-separators": ("edge", "%Y-%m-%dt%H:%M:%Sz"),
    "many-fraction-digits": ("edge", "%Y-%m-%dT%H:%M:%S.123456789012345678901234567890Z"),
    "negative-zero-offset": ("edge", "%Y-%m-%dT%H:%M:%S-00:00"),
    "leap-second": ("edge", "2016-12-31T23:59:60Z"),
    "leap-second-with-offset": ("edge", "2017-01-01T00:59:60+01:00"),
    "year-zero": ("edge", "0000-%m-%dT%H:%M:%SZ"),
    "trailing-newline": ("edge", "%Y-%m-%dT%H:%M:%SZ\n"),
}


def date_time_slots(doc: Json) -> Iterator[tuple[Json, str]]:
    """Every (object, field) of ``doc`` that holds, or may hold, a date-time."""
    session = session_of(doc)
    yield from ((session, "created"), (session, "updated"))
    yield from ((item, "adjustmentEffectiveFrom") for item in session["cartItems"])
    if "customerProfile" in doc:
        yield doc["customerProfile"], "lastActivity"


def _date_time(pattern: str) -> Change:
    def change(doc: Json, rng: random.Random) -> None:
        target, field = rng.choice(list(date_time_slots(doc)))
        moment = _parse(target.get(field) or session_of(doc)["created"])
        target[field] = moment.strftime(pattern)

    return change


for _flavour, (_breaks, _pattern) in DATE_TIMES.items():
    MUTATIONS.append(Mutation(f"date-time/{_flavour}", _breaks, _date_time(_pattern)))

# -- uuid -----------------------------------------------------------------------------------
UUIDS: dict[str, tuple[Breaks, Callable[[str], str]]] = {
    "not-a-uuid": ("schema", lambda u: "ref-" + u[:8]),
    "no-hyphens": ("schema", lambda u: u.replace("-", "")),
    "braces": ("schema", lambda u: "{" + u + "}"),
    "urn-prefix": ("schema", lambda u: "urn:uuid:" + u),
    "non-hex-digit": ("schema", lambda u: u[:-1] + "g"),
    "short-last-group": ("schema", lambda u: u[:-1]),
    "uppercase": ("edge", str.upper),
    "nil": ("edge", lambda u: str(uuid.UUID(int=0))),
    "trailing-brace": ("edge", lambda u: u + "}"),
    "trailing-hyphen": ("edge", lambda u: u + "-"),
    "hyphen-in-last-group": ("edge", lambda u: u[:30] + "-" + u[30:]),
    "trailing-urn": ("edge", lambda u: u + "urn:"),
    "trailing-newline": ("edge", lambda u: u + "\n"),
}


def uuid_slots(doc: Json) -> Iterator[tuple[Json, str]]:
    """Every (object, field) of ``doc`` that holds, or may hold, a uuid."""
    yield from ((item, "adjustmentReferenceId") for item in session_of(doc)["cartItems"])
    yield from ((effect, "adjustmentReferenceId") for effect in doc.get("effects", []))


def _uuid(spell: Callable[[str], str]) -> Change:
    def change(doc: Json, rng: random.Random) -> None:
        target, field = rng.choice(list(uuid_slots(doc)))
        target[field] = spell(str(uuid.UUID(int=rng.getrandbits(128), version=4)))

    return change


for _flavour, (_breaks, _spell) in UUIDS.items():
    MUTATIONS.append(Mutation(f"uuid/{_flavour}", _breaks, _uuid(_spell)))

# -- over a limit ---------------------------------------------------------------------------
_GIFT = "\U0001f381"  # one code point, four UTF-8 bytes, two UTF-16 units
_set("limit/identifiers-6", "schema", lambda s, r: [f"device-{n}" for n in range(6)], "identifiers")
_set("limit/identifiers-5", "edge", lambda s, r: [f"device-{n}" for n in range(5)], "identifiers")
_set("limit/loyalty-cards-2", "schema", lambda s, r: ["LC1000000001", "LC1000000002"], "loyaltyCards")
_set("limit/coupon-code-101", "schema", lambda s, r: [*s.get("couponCodes", []), "C" * 101], "couponCodes")
_set("limit/coupon-code-100", "edge", lambda s, r: [*s.get("couponCodes", []), "C" * 100], "couponCodes")
_set("limit/coupon-code-101-astral", "schema", lambda s, r: [_GIFT * 101], "couponCodes")
_set("limit/coupon-code-100-astral", "edge", lambda s, r: [_GIFT * 100], "couponCodes")
_set("limit/referral-code-101", "schema", lambda s, r: "R" * 101, "referralCode")
_set("limit/store-integration-id-1001", "schema", lambda s, r: "s" * 1001, "storeIntegrationId")
_set("limit/store-integration-id-1000", "edge", lambda s, r: "s" * 1000, "storeIntegrationId")
_set("limit/store-integration-id-empty", "schema", lambda s, r: "", "storeIntegrationId")
_set("limit/integration-id-1001", "schema", lambda s, r: "i" * 1001, "integrationId")
_set("limit/quantity-0", "schema", lambda i, r: 0, "cartItems[*].quantity")
_set("limit/quantity-negative", "schema", lambda i, r: -1, "cartItems[*].quantity")
_set("limit/sku-empty", "schema", lambda i, r: "", "cartItems[*].sku")

# -- unknown field --------------------------------------------------------------------------
_set("unknown/session-coupon", "unknown_field", lambda s, r: "SUMMER10", "coupon")  # the V1 field
_set("unknown/cart-item-field", "unknown_field", lambda i, r: i["price"], "cartItems[*].discountedPrice")
_set("unknown/attributes-are-free-form", "edge", lambda s, r: {**s["attributes"], "Vip": True}, "attributes")


@_add("unknown/top-level", "unknown_field")
def _top_level(doc: Json, rng: random.Random) -> None:
    doc["requestId"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))


@_add("unknown/cart-item-product", "unknown_field")
def _product_brand(doc: Json, rng: random.Random) -> None:
    item = _item(doc, rng)
    item["product"] = {**item.get("product", {"name": "Gadget"}), "brand": "Acme"}


@_add("unknown/additional-cost", "unknown_field", needs=_has_costs)
def _cost_currency(doc: Json, rng: random.Random) -> None:
    costs = session_of(doc)["additionalCosts"]
    costs[rng.choice(sorted(costs))]["currency"] = "EUR"


@_add("unknown/cart-item-price-entry", "unknown_field", needs=_has_prices)
def _price_currency(doc: Json, rng: random.Random) -> None:
    item = rng.choice([item for item in session_of(doc)["cartItems"] if "prices" in item])
    item["prices"]["member"]["currency"] = "EUR"


@_add("unknown/effect", "unknown_field", contracts=INTEGRATION_STATE, needs=_has_effects)
def _effect_extra(doc: Json, rng: random.Random) -> None:
    _effect(doc, rng)["triggeredBy"] = "coupon"


@_add("unknown/effect-props", "unknown_field", contracts=INTEGRATION_STATE, needs=_has_effects)
def _props_extra(doc: Json, rng: random.Random) -> None:
    _effect(doc, rng)["props"]["currency"] = "EUR"


@_add("unknown/customer-profile", "unknown_field", contracts=INTEGRATION_STATE, needs=_has_profile)
def _profile_extra(doc: Json, rng: random.Random) -> None:
    doc["customerProfile"]["email"] = "someone@example.com"


# -- invariants (schema-valid) --------------------------------------------------------------
def _shift(field: str, amount: float, *, with_total: bool = True) -> Change:
    def change(doc: Json, rng: random.Random) -> None:
        session = session_of(doc)
        session[field] = round(session[field] + amount, 2)
        if with_total:
            session["total"] = round(session["total"] + amount, 2)

    return change


_add("invariant/total-off-by-a-cent", "invariant")(_shift("total", 0.01, with_total=False))
_add("invariant/cart-item-total-off", "invariant")(_shift("cartItemTotal", 1.0))
_add("invariant/additional-cost-total-off", "invariant")(_shift("additionalCostTotal", 2.5))
_add("invariant/item-cost-total-off", "invariant")(_shift("cartItemAdditionalCostTotal", 0.99))


@_add("invariant/updated-before-created", "invariant")
def _updated_first(doc: Json, rng: random.Random) -> None:
    session = session_of(doc)
    session["updated"] = rfc3339(_parse(session["created"]) - timedelta(hours=rng.randint(1, 48)), rng)


@_add("invariant/returned-plus-remaining", "invariant")
def _miscounted_return(doc: Json, rng: random.Random) -> None:
    item = _item(doc, rng)
    item["returnedQuantity"] = item.get("returnedQuantity", 0) + 1
    item.setdefault("remainingQuantity", item["quantity"])


@_add("invariant/negative-remaining", "invariant")
def _negative_remaining(doc: Json, rng: random.Random) -> None:
    item = _item(doc, rng)
    item.update(returnedQuantity=item["quantity"] + 1, remainingQuantity=-1)
    retotal(session_of(doc))


@_add("invariant/anonymous-not-first-session", "invariant")
def _anonymous_returning(doc: Json, rng: random.Random) -> None:
    session_of(doc).update(profileId="", firstSession=False)


@_add("invariant/cart-quantity-over-10000", "invariant")
def _bulk_order(doc: Json, rng: random.Random) -> None:
    item = _item(doc, rng)
    item["quantity"] = 10_001
    if "remainingQuantity" in item:
        item["remainingQuantity"] = 10_001 - item["returnedQuantity"]
    retotal(session_of(doc))


def mutants(
    contract: str, docs: list[Json], *, seed: int = 0, breaks: Breaks | None = None
) -> list[tuple[Mutation, Json]]:
    """One mutant per document, cycling through every mutation that applies to it.

    ``breaks`` keeps only the mutations that break that way (``"schema"``: invalid documents;
    ``"unknown_field"``: documents with one field the contract does not define).
    """
    rng = random.Random(
        f"mutants/{contract}/{seed}" if breaks is None else f"mutants/{contract}/{seed}/{breaks}"
    )
    out = []
    for index, doc in enumerate(docs):
        usable = [m for m in MUTATIONS if m.applies_to(doc, contract) and breaks in (None, m.breaks)]
        mutation = usable[index % len(usable)]
        out.append((mutation, mutation(doc, rng)))
    return out
