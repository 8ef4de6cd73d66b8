"""A deterministic corpus of realistic documents that pass their contracts.

``documents("customer-session-v2", 1000, seed=7)`` returns the same 1000 documents on every run.
They come from the factories (:mod:`talon_fakes.generators.factories`: Faker-derived catalog, customers
and campaigns, sessions made by legal histories), with one thing added for the validators'
sake: the date-times are spelled the many ways real clients and Talon.One write RFC 3339
(``Z`` or an offset, no fraction, milliseconds or Go's nanoseconds), where the factories always
write the fake's spelling. Every document passes its contract in strict mode with zero
violations, invariants included.

:mod:`benchmarks.mutations` breaks these documents in named ways.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from talon_fakes.generators.factories import Factories
from talon_fakes.generators.overrides import retotal

__all__ = ["CONTRACTS", "STATES", "Json", "documents", "retotal", "rfc3339"]

Json = dict[str, Any]

CONTRACTS = ("customer-session-v2", "integration-state-v2")
STATES = ("open", "closed", "partially_returned", "cancelled")

# The fields that hold date-times in these documents.
_DATE_TIMES = frozenset(
    {"created", "updated", "adjustmentEffectiveFrom", "adjustmentEffectiveUntil", "lastActivity"}
)


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


def _respell(value: Any, rng: random.Random, spelled: dict[str, str]) -> None:
    """Spell every date-time of ``value`` anew, in place; one instant keeps one spelling, so that
    ``created == updated`` stays true when a session was never updated."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _DATE_TIMES and isinstance(item, str):
                if item not in spelled:
                    spelled[item] = rfc3339(datetime.fromisoformat(item), rng)
                value[key] = spelled[item]
            else:
                _respell(item, rng, spelled)
    elif isinstance(value, list):
        for item in value:
            _respell(item, rng, spelled)


def documents(contract: str, count: int, *, seed: int = 0) -> list[Json]:
    """``count`` valid documents of ``contract``; the same seed gives the same documents."""
    if contract not in CONTRACTS:
        raise ValueError(f"no corpus for contract {contract!r}; choose one of: {', '.join(CONTRACTS)}")
    rng = random.Random(f"{contract}/{seed}")
    docs: list[Json] = Factories(seed=seed).batch(contract, count)
    for doc in docs:
        _respell(doc, rng, {})
    return docs
