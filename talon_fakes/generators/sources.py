"""Where generated values come from: a small "source of choices" and Faker-derived value pools.

The builders (:mod:`talon_fakes.generators.builders`) are written once against :class:`Source`; the factories
hand them a :class:`RandomSource` (a seeded :class:`random.Random`), the Hypothesis strategies a
source that draws from Hypothesis, so both make the same shapes. Every choice is ordered so that
its first option is the simplest (smallest number, first option, ``False``): Hypothesis shrinks
toward it.

Faker is slow (about 10 µs a call), so it only fills :class:`Pools` of realistic values (products
and SKUs, customers, cities, stores, campaigns, IP addresses) once per (locale, seed); the
builders then pick from the pools.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Protocol, TypeVar

from talon_fakes.errors import UnknownLocale

T = TypeVar("T")

_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Source(Protocol):
    """The choices a builder makes; the first option of each is the one to shrink toward."""

    def integer(self, low: int, high: int) -> int:
        """An integer in ``low..high`` (both included)."""

    def chance(self, probability: float) -> bool:
        """``True`` with about this probability."""

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options`` (not empty)."""

    def weighted(self, options: Sequence[T], cumulative: Sequence[int]) -> T:
        """One of ``options``, by cumulative integer weights (see :func:`cumulative`)."""


def cumulative(weights: Sequence[int]) -> tuple[int, ...]:
    """Running totals of ``weights``, the form :meth:`Source.weighted` takes."""
    return tuple(itertools.accumulate(weights))


class RandomSource:
    """A :class:`Source` backed by a :class:`random.Random` (the factories' source)."""

    __slots__ = ("_random", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._random = rng.random  # bound once: the factories call it about a hundred times a session

    def integer(self, low: int, high: int) -> int:
        """An integer in ``low..high``."""
        span = high - low + 1
        if span > 2**48:  # beyond what random() spreads evenly
            return low + self.rng.getrandbits(span.bit_length() + 8) % span
        return low + int(self._random() * span)

    def chance(self, probability: float) -> bool:
        """``True`` with ``probability``."""
        return self._random() < probability

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``, uniformly."""
        return options[int(self._random() * len(options))]

    def weighted(self, options: Sequence[T], cumulative: Sequence[int]) -> T:
        """One of ``options`` by cumulative weights."""
        return options[bisect.bisect_right(cumulative, self._random() * cumulative[-1])]


def money(source: Source, low_cents: int, high_cents: int) -> float:
    """An amount with two decimals, from whole cents."""
    return source.integer(low_cents, high_cents) / 100


def code(source: Source, size: int) -> str:
    """``size`` upper-case letters and digits (one draw; shrinks to ``"000..."``)."""
    number = source.integer(0, 36**size - 1)
    out = []
    for _ in range(size):
        number, digit = divmod(number, 36)
        out.append(_DIGITS[digit])
    return "".join(out)


_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)  # the version and variant bits of a version 4 UUID
_FREE = ~((0xF000 << 64) | (0xC000 << 48))


def uuid4(source: Source) -> str:
    """A version 4 UUID (one draw); the same text as ``str(uuid.UUID(int=..., version=4))``."""
    text = f"{source.integer(0, 2**128 - 1) & _FREE | _VERSION_4:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@dataclass(frozen=True)
class Product:
    """One catalog entry: what a cart line is made of."""

    sku: str
    name: str
    line: str  # the product family, ``product.name`` on the wire
    category: str
    cents: int
    catalog_id: int
    variant: tuple[str, str]  # (attribute name, value), e.g. ("color", "teal")


@dataclass(frozen=True)
class Pools:
    """Realistic values, drawn once from Faker; the builders pick from them."""

    products: tuple[Product, ...]
    customers: tuple[str, ...]  # profile integration IDs: e-mails, CRM numbers, UUIDs
    names: tuple[tuple[str, str], ...]  # (full name, e-mail), for profile attributes
    cities: tuple[tuple[str, str], ...]  # (city, country code)
    stores: tuple[str, ...]
    campaigns: tuple[tuple[int, int, str], ...]  # (campaign ID, ruleset ID, rule name)
    addresses: tuple[str, ...]  # public IPv4 addresses, for session identifiers


# category -> (product families, price range in cents); the knowledge of benchmarks/corpus.py
CATALOG: dict[str, tuple[tuple[str, ...], tuple[int, int]]] = {
    "Apparel": (("T-Shirt", "Hoodie", "Jeans", "Rain Jacket", "Wool Sweater", "Polo Shirt"), (999, 12999)),
    "Beauty": (("Face Serum", "Shampoo", "Lip Balm", "Hand Cream"), (299, 5999)),
    "Electronics": (("Wireless Earbuds", "USB-C Charger", "Bluetooth Speaker", "Power Bank"), (1299, 29999)),
    "Footwear": (("Running Shoes", "Leather Boots", "Sneakers", "Sandals"), (2499, 18999)),
    "Groceries": (("Coffee Beans", "Olive Oil", "Dark Chocolate", "Green Tea"), (199, 2999)),
    "Home & Kitchen": (("Espresso Cups", "Chef's Knife", "Cast Iron Pan", "Linen Towel"), (499, 8999)),
    "Sports": (("Yoga Mat", "Water Bottle", "Resistance Bands", "Cycling Gloves"), (799, 6999)),
}
_ADJECTIVES = ("Classic", "Organic", "Slim", "Everyday", "Premium", "Recycled", "Compact", "Pro")
_MEASURED = {"Beauty": ("50 ml", "100 ml", "250 ml"), "Groceries": ("250 g", "500 g", "1 kg", "750 ml")}
_POOL_SIZE = 48


def check_locale(locale: str) -> str:
    """Return ``locale`` if Faker knows it, else raise :class:`UnknownLocale`."""
    from faker.config import AVAILABLE_LOCALES

    if locale not in AVAILABLE_LOCALES:
        raise UnknownLocale(
            f"unknown Faker locale {locale!r}; use one of Faker's locales, such as en_US, de_DE or fr_FR"
        )
    return locale


def _faker(locale: str, seed: int) -> Any:
    from faker import Faker

    fake = Faker(check_locale(locale))
    fake.seed_instance(seed)
    return fake


@lru_cache(maxsize=32)
def pools(locale: str, seed: int) -> Pools:
    """The pools for a locale and seed: the same arguments give the same pools in any process."""
    fake = _faker(locale, seed)
    rng = random.Random(seed)
    products = []
    for number, (category, (lines, (low, high))) in enumerate(sorted(CATALOG.items()) * 8):
        line = rng.choice(lines)
        if category in _MEASURED:
            variant = ("size", rng.choice(_MEASURED[category]))
        else:
            variant = ("color", str(fake.safe_color_name()))
        prefix = "".join(part[0] for part in category.split() if part[0].isalpha())
        suffix = "".join(char for char in variant[1] if char.isalnum())[:3].upper()
        products.append(
            Product(
                sku=f"{prefix}-{line[:3].upper()}-{number:04d}-{suffix}",
                name=f"{rng.choice(_ADJECTIVES)} {line}, {variant[1]}",
                line=line,
                category=category,
                cents=rng.randrange(low // 100 + 1, high // 100 + 1) * 100 - rng.choice((1, 5, 51, 100)),
                catalog_id=10_000 + number,
                variant=variant,
            )
        )
    names = tuple((str(fake.name()), str(fake.free_email())) for _ in range(_POOL_SIZE))
    customers = tuple(
        rng.choice((email, f"CUST-{fake.bothify('??######').upper()}", str(fake.uuid4())))
        for _, email in names
    )
    cities = tuple((str(fake.city()), str(fake.country_code())) for _ in range(_POOL_SIZE // 2))
    stores = tuple(
        f"store-{city.lower().replace(' ', '-')}-{n:03d}" for n, (city, _) in enumerate(cities[:12])
    )
    campaigns = tuple(
        (rng.randrange(100, 9999), rng.randrange(1000, 99999), str(fake.catch_phrase())) for _ in range(16)
    )
    addresses = tuple(str(fake.ipv4_public()) for _ in range(_POOL_SIZE // 2))
    return Pools(tuple(products), customers, names, cities, stores, campaigns, addresses)


@cache
def simple_pools() -> Pools:
    """The strategies' pools: fixed, each sorted shortest first, so that examples shrink to short values."""

    def short(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(sorted(values, key=lambda value: (len(str(value)), str(value))))

    base = pools("en_US", 0)
    return Pools(
        products=tuple(sorted(base.products, key=lambda p: (len(p.name), p.cents, p.sku))),
        customers=short(base.customers),
        names=short(base.names),
        cities=short(base.cities),
        stores=short(base.stores),
        campaigns=short(base.campaigns),
        addresses=short(base.addresses),
    )
