"""A deterministic corpus of realistic documents that pass their contracts.

``documents("customer-session-v2", 1000, seed=7)`` returns the same 1000 documents on every run:
a seeded Faker builds a vocabulary (catalog, customers, campaigns) once per seed, and a seeded
:class:`random.Random` draws the documents from it, which keeps ten thousand documents cheap.
Every document passes its contract in strict mode with zero violations, invariants included.

:mod:`benchmarks.mutations` breaks these documents in named ways.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

from faker import Faker

Json = dict[str, Any]

CONTRACTS = ("customer-session-v2", "integration-state-v2")
STATES = ("open", "closed", "partially_returned", "cancelled")

_CATALOG = {  # category -> (products, price range in cents)
    "Apparel": (("T-Shirt", "Hoodie", "Jeans", "Rain Jacket", "Wool Sweater", "Polo Shirt"), (999, 12999)),
    "Footwear": (("Running Shoes", "Leather Boots", "Sneakers", "Sandals"), (2499, 18999)),
    "Electronics": (("Wireless Earbuds", "USB-C Charger", "Bluetooth Speaker", "Power Bank"), (1299, 29999)),
    "Home & Kitchen": (("Espresso Cups", "Chef's Knife", "Cast Iron Pan", "Linen Towel"), (499, 8999)),
    "Beauty": (("Face Serum", "Shampoo", "Lip Balm", "Hand Cream"), (299, 5999)),
    "Sports": (("Yoga Mat", "Water Bottle", "Resistance Bands", "Cycling Gloves"), (799, 6999)),
    "Groceries": (("Coffee Beans", "Olive Oil", "Dark Chocolate", "Green Tea"), (199, 2999)),
}
_ADJECTIVES = ("Classic", "Organic", "Slim", "Everyday", "Premium", "Recycled", "Compact", "Pro")
_SIZED = {"Apparel": ("XS", "S", "M", "L", "XL"), "Footwear": ("39", "40", "41", "42", "43", "44")}
_SESSION_COSTS = {"shipping": (395, 1495), "express": (995, 2495), "packaging": (50, 300)}
_ITEM_COSTS = {"gift-wrap": (199, 499), "deposit": (8, 25), "installation": (1500, 4900)}
_ITEM_COSTS_FOR = {"Groceries": ("deposit", "gift-wrap"), "Electronics": ("installation", "gift-wrap")}
_UNCOLOURED = {"Beauty": ("50 ml", "100 ml", "250 ml"), "Groceries": ("250 g", "500 g", "1 kg", "750 ml")}
_REJECTIONS = ("CouponNotFound", "CouponExpired", "CouponLimitReached", "CouponPartOfNotRunningCampaign")
_START = datetime(2025, 1, 1, tzinfo=UTC)
_SPAN = int(timedelta(days=660).total_seconds())


@dataclass(frozen=True)
class _Vocabulary:
    """Everything Faker contributes, drawn once per seed."""

    products: tuple[Json, ...]
    customers: tuple[tuple[str, str, str], ...]  # integration id, name, email
    cities: tuple[tuple[str, str], ...]  # city, country code
    campaigns: tuple[tuple[int, int, str], ...]  # campaign id, ruleset id, rule name
    stores: tuple[str, ...]


@cache
def _vocabulary(seed: int) -> _Vocabulary:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    products = []
    for number, (category, (names, (low, high))) in enumerate(sorted(_CATALOG.items()) * 12):
        name = rng.choice(names)
        variant = rng.choice(_UNCOLOURED[category]) if category in _UNCOLOURED else fake.safe_color_name()
        prefix = "".join(part[0] for part in category.split() if part[0].isalpha())
        suffix = "".join(char for char in variant if char.isalnum())[:3].upper()
        products.append(
            {
                "sku": f"{prefix}-{name[:3].upper()}-{number:04d}-{suffix}",
                "name": f"{rng.choice(_ADJECTIVES)} {name}, {variant}",
                "line": name,
                "category": category,
                "cents": rng.randrange(low // 100 + 1, high // 100 + 1) * 100 - rng.choice((1, 5, 51, 100)),
                "catalogItemID": 10_000 + number,
                "attributes": {"size" if category in _UNCOLOURED else "color": variant},
            }
        )
    customers = []
    for _ in range(300):
        name = fake.name()
        key = rng.choice(("email", "crm", "uuid"))
        email = fake.free_email()
        integration = {
            "email": email,
            "crm": f"CUST-{fake.bothify('??######').upper()}",
            "uuid": fake.uuid4(),
        }
        customers.append((integration[key], name, email))
    cities = tuple((fake.city(), fake.country_code()) for _ in range(100))
    campaigns = tuple(
        (rng.randrange(100, 9999), rng.randrange(1000, 99999), fake.catch_phrase()) for _ in range(40)
    )
    stores = tuple(f"store-{fake.city().lower().replace(' ', '-')}-{n:03d}" for n in range(25))
    return _Vocabulary(tuple(products), tuple(customers), cities, campaigns, stores)


def rfc3339(moment: datetime, rng: random.Random) -> str:
    """``moment`` in one of the spellings real clients and Talon.One use (all valid RFC 3339)."""
    flavour = rng.random()
    if flavour < 0.45:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if flavour < 0.70:  # Go's RFC3339Nano: up to 9 digits, trailing zeros trimmed
        nanos = f"{moment.microsecond * 1000 + rng.randrange(1000):09d}".rstrip("0")
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + (f".{nanos}" if nanos else "") + "Z"
    if flavour < 0.85:
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    offset = timezone(timedelta(minutes=rng.choice((-300, -240, 60, 120, 330, 540))))
    return moment.astimezone(offset).isoformat(timespec="seconds")


def _code(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(size))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _money(rng: random.Random, bounds: tuple[int, int]) -> float:
    return rng.randrange(*bounds) / 100


def _cart_item(rng: random.Random, words: _Vocabulary, position: int, moment: datetime) -> Json:
    product = rng.choice(words.products)
    item: Json = {
        "name": product["name"],
        "sku": product["sku"],
        "quantity": rng.choices((1, 2, 3, 4, 6, 12), weights=(60, 20, 8, 5, 4, 3))[0],
        "price": 0.0 if rng.random() < 0.02 else product["cents"] / 100,
        "category": product["category"],
        "position": position,
        "catalogItemID": product["catalogItemID"],
        "product": {"name": product["line"]},
        "attributes": dict(product["attributes"]),
    }
    if product["category"] in _SIZED:
        item["attributes"]["size"] = rng.choice(_SIZED[product["category"]])
    if rng.random() < 0.3:
        item.update(weight=rng.randrange(50, 5000), height=rng.randrange(2, 60), width=rng.randrange(5, 60))
    if rng.random() < 0.2:
        name = rng.choice(_ITEM_COSTS_FOR.get(product["category"], ("gift-wrap",)))
        item["additionalCosts"] = {name: {"price": _money(rng, _ITEM_COSTS[name])}}
    if rng.random() < 0.25:  # a price adjustment picked the member price
        member = round(item["price"] * rng.choice((0.8, 0.85, 0.9)), 2)
        reference = _uuid(rng)
        start, end = (
            moment - timedelta(days=rng.randrange(1, 30)),
            moment + timedelta(days=rng.randrange(1, 60)),
        )
        item.update(
            price=member,
            selectedPriceType="member",
            adjustmentReferenceId=reference,
            adjustmentEffectiveFrom=rfc3339(start, rng),
            adjustmentEffectiveUntil=rfc3339(end, rng),
            prices={
                "base": {"price": product["cents"] / 100},
                "member": {
                    "price": member,
                    "adjustmentReferenceId": reference,
                    "adjustmentContextId": "spring",
                },
            },
        )
    return item


def _return_some(rng: random.Random, items: list[Json], *, returned: bool) -> None:
    """Add readOnly return counters; when ``returned``, at least one unit went back."""
    chosen = set(rng.sample(range(len(items)), rng.randint(1, len(items)))) if returned else set()
    for index, item in enumerate(items):
        back = rng.randint(1, item["quantity"]) if index in chosen else 0
        item.update(returnedQuantity=back, remainingQuantity=item["quantity"] - back)


def retotal(session: Json) -> None:
    """Set the four totals of ``session`` from its items and costs, exactly, in cents."""

    def cents(value: float) -> int:
        return round(value * 100)

    def units(item: Json) -> int:
        count: int = item["remainingQuantity"] if "remainingQuantity" in item else item["quantity"]
        return count

    items = session["cartItems"]
    item_total = sum(cents(item["price"]) * units(item) for item in items)
    item_costs = sum(
        sum(cents(cost["price"]) for cost in item.get("additionalCosts", {}).values()) * units(item)
        for item in items
    )
    costs = sum(cents(cost["price"]) for cost in session.get("additionalCosts", {}).values())
    session.update(
        total=(item_total + item_costs + costs) / 100,
        cartItemTotal=item_total / 100,
        additionalCostTotal=costs / 100,
        cartItemAdditionalCostTotal=item_costs / 100,
    )


def customer_session(rng: random.Random, words: _Vocabulary) -> Json:
    """One realistic CustomerSessionV2."""
    created = _START + timedelta(seconds=rng.randrange(_SPAN), microseconds=rng.randrange(1_000_000))
    update_count = rng.choices((1, 2, 3, 5, 8, 13), weights=(25, 25, 20, 15, 10, 5))[0]
    anonymous = rng.random() < 0.15
    customer = rng.choice(words.customers)
    city, country = rng.choice(words.cities)
    state = rng.choices(STATES, weights=(35, 40, 15, 10))[0]
    count = min(20, 1 + int(rng.expovariate(1 / 3)))
    created_text = rfc3339(created, rng)
    session: Json = {
        "id": rng.randrange(1_000_000, 99_999_999),
        "created": created_text,
        "integrationId": rng.choice((_uuid(rng), f"order-{rng.randrange(10**6, 10**7)}")),
        "applicationId": rng.randrange(1, 60),
        "profileId": "" if anonymous else customer[0],
        "state": state,
        "cartItems": [_cart_item(rng, words, position, created) for position in range(count)],
        "attributes": {"ShippingCity": city, "ShippingCountry": country},
        "firstSession": anonymous or rng.random() < 0.3,
        "updateCount": update_count,
    }
    if rng.random() < 0.5:
        session["attributes"]["PaymentMethod"] = rng.choice(("card", "paypal", "invoice", "apple_pay"))
    if rng.random() < 0.6:
        session["couponCodes"] = [
            rng.choice(("WELCOME10", "SUMMER-", "VIP-", "")) + _code(rng, 6) for _ in range(rng.randint(0, 3))
        ]
    if rng.random() < 0.15:
        session["referralCode"] = f"REF-{_code(rng, 8)}"
    if rng.random() < 0.25 and not anonymous:
        session["loyaltyCards"] = [f"LC{rng.randrange(10**9, 10**10)}"]
    if rng.random() < 0.5:
        session["identifiers"] = [_uuid(rng) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.4:
        session["storeIntegrationId"] = rng.choice(words.stores)
    if rng.random() < 0.1:
        session["evaluableCampaignIds"] = sorted(rng.sample([c[0] for c in words.campaigns], 2))
    if rng.random() < 0.1:
        session["experimentVariantAllocations"] = [
            {"experimentID": rng.randrange(1, 99), "variantID": rng.randrange(1, 9)}
        ]
    if rng.random() < 0.75:
        names = rng.sample(sorted(_SESSION_COSTS), rng.randint(1, 2))
        session["additionalCosts"] = {name: {"price": _money(rng, _SESSION_COSTS[name])} for name in names}
    returned = state == "partially_returned" or (state == "cancelled" and rng.random() < 0.25)
    if returned or rng.random() < 0.5:
        _return_some(rng, session["cartItems"], returned=returned)
    retotal(session)
    last = timedelta(seconds=rng.randrange(1, 3 * 86_400)) if update_count > 1 else None
    session["updated"] = created_text if last is None else rfc3339(created + last, rng)
    return session


def _effect(rng: random.Random, words: _Vocabulary, effect_type: str, props: Json) -> Json:
    campaign, ruleset, rule = rng.choice(words.campaigns)
    effect: Json = {
        "campaignId": campaign,
        "rulesetId": ruleset,
        "ruleIndex": rng.randrange(0, 4),
        "ruleName": rule,
        "effectType": effect_type,
        "props": props,  # required props first: the missing-props mutation removes the first key
    }
    if rng.random() < 0.5:
        effect.update(conditionIndex=rng.randrange(0, 3), evaluationGroupID=rng.randrange(1, 9))
        effect["evaluationGroupMode"] = rng.choice(("stackable", "listOrder", "lowestDiscount"))
    return effect


def _effects(rng: random.Random, words: _Vocabulary, session: Json) -> Iterator[Json]:
    for code in session.get("couponCodes", []):
        if rng.random() < 0.85:
            yield _effect(rng, words, "acceptCoupon", {"value": code})
            value = round(session["cartItemTotal"] * rng.choice((0.05, 0.1, 0.2)), 2)
            yield _effect(rng, words, "setDiscount", {"name": f"{code} discount", "value": value})
        else:
            yield _effect(
                rng, words, "rejectCoupon", {"value": code, "rejectionReason": rng.choice(_REJECTIONS)}
            )
    if "referralCode" in session:
        yield _effect(rng, words, "acceptReferral", {"value": session["referralCode"]})
    if rng.random() < 0.4:
        position = rng.randrange(len(session["cartItems"]))
        item = session["cartItems"][position]
        discount = {
            "name": "Buy more, pay less",
            "value": round(item["price"] * 0.15, 2),
            "position": position,
        }
        yield _effect(rng, words, "setDiscountPerItem", discount)
    if rng.random() < 0.15:
        gift = rng.choice(words.products)
        yield _effect(rng, words, "addFreeItem", {"sku": gift["sku"], "name": gift["name"]})
    if session["profileId"] and rng.random() < 0.3:
        points = {
            "name": "Points for every euro",
            "programId": rng.randrange(1, 20),
            "subLedgerId": "",
            "value": float(int(session["cartItemTotal"])),
            "recipientIntegrationId": session["profileId"],
            "transactionUUID": _uuid(rng),
        }
        yield _effect(rng, words, "addLoyaltyPoints", points)
    if rng.random() < 0.1:
        note = {"notificationType": "info", "title": "Almost there", "body": "Add 10 EUR for free shipping"}
        yield _effect(rng, words, "showNotification", note)


def _customer_profile(rng: random.Random, words: _Vocabulary, session: Json) -> Json:
    customer = next(c for c in words.customers if c[0] == session["profileId"])
    joined = _START - timedelta(days=rng.randrange(1, 900))
    profile: Json = {
        "id": rng.randrange(1, 10**7),
        "created": rfc3339(joined, rng),
        "integrationId": session["profileId"],
        "attributes": {"Name": customer[1], "Email": customer[2]},
        "accountId": rng.randrange(1, 5000),
        "closedSessions": rng.randrange(0, 40),
        "totalSales": rng.randrange(0, 500_000) / 100,
        "lastActivity": session["updated"],
        "sandbox": False,
    }
    if rng.random() < 0.3:
        profile["audienceMemberships"] = [{"id": rng.randrange(1, 500), "name": "Newsletter subscribers"}]
    if "loyaltyCards" in session or rng.random() < 0.2:
        profile["loyaltyMemberships"] = [
            {"joined": rfc3339(joined, rng), "loyaltyProgramId": rng.randrange(1, 20)}
        ]
    return profile


def integration_state(rng: random.Random, words: _Vocabulary) -> Json:
    """One realistic IntegrationStateV2 (the 200 body of a session update)."""
    session = customer_session(rng, words)
    state: Json = {"customerSession": session}
    if session["profileId"] and rng.random() < 0.7:
        state["customerProfile"] = _customer_profile(rng, words, session)
    state.update(effects=list(_effects(rng, words, session)), createdCoupons=[], createdReferrals=[])
    return state


_MAKERS: dict[str, Callable[[random.Random, _Vocabulary], Json]] = {
    "customer-session-v2": customer_session,
    "integration-state-v2": integration_state,
}


def documents(contract: str, count: int, *, seed: int = 0) -> list[Json]:
    """``count`` valid documents of ``contract``; the same seed gives the same documents."""
    if contract not in _MAKERS:
        raise ValueError(f"no corpus for contract {contract!r}; choose one of: {', '.join(CONTRACTS)}")
    rng = random.Random(f"{contract}/{seed}")
    words = _vocabulary(seed)
    return [_MAKERS[contract](rng, words) for _ in range(count)]
