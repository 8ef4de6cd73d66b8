"""The options of a generated entity, checked: its states under a rule set, traits, cart size.

Which states an entity may be in is read, never restated: from the transition table
(:func:`talon_fakes.states.states_reachable`, and for a request the states an update may ask
for) and from the ``state`` enum of its contract.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from talon_fakes.contracts.loading import schema
from talon_fakes.errors import UnknownTrait, UnreachableState
from talon_fakes.generators.builders import Spec
from talon_fakes.generators.promotions import OUTCOME_TRAITS
from talon_fakes.generators.sources import Pools, Source
from talon_fakes.states import Operation, RuleSet, State, states_reachable

Render = Callable[[Source, Pools, Spec], Any]

_V2, _STATE, _RESPONSE = "customer-session-v2", "integration-state-v2", "customer-session-response-v2"
_APP, _PAGE = "application-session", "application-sessions-page"
_V1, _LEGACY = "customer-session-v1", "customer-session-v2-legacy"
_NEW_V2, _REQUEST, _NEW_V1 = "new-customer-session-v2", "integration-request-v2", "new-customer-session-v1"
RESPONSES = frozenset({_V2, _STATE, _RESPONSE, _APP, _PAGE, _V1, _LEGACY})
REQUESTS = frozenset({_NEW_V2, _REQUEST, _NEW_V1})
SESSIONS = RESPONSES | REQUESTS

# an accepted coupon's discount is a share of the cart item total: it needs priced lines
_OUTCOME_EXCLUDES = {
    "coupon_accepted": frozenset({"empty_cart", "catalog_prices"}),
    "referral_accepted": frozenset({"referral_rejected"}),
}
# trait -> (description, the entities it applies to, the traits it excludes)
_TRAITS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "anonymous": ("no customer profile (profileId ''), hence a first session", SESSIONS, frozenset()),
    "returning_customer": (
        "a known customer's later session (firstSession false)",
        SESSIONS,
        frozenset({"anonymous"}),
    ),
    "with_coupons": ("one to three coupon codes", SESSIONS, frozenset()),
    "with_referral": ("a referral code", SESSIONS, frozenset()),
    "with_identifiers": (
        "one to five identifiers (IP addresses, device UUIDs)",
        SESSIONS - {_APP, _PAGE},
        frozenset(),
    ),
    "with_additional_costs": (
        "session and cart item additional costs",
        SESSIONS | {"cart-item"},
        frozenset(),
    ),
    "with_price_adjustments": (
        "every priced line picked a member price (readOnly fields)",
        RESPONSES,
        frozenset(),
    ),
    "catalog_prices": (
        "lines without a price (priced from the catalog)",
        SESSIONS | {"cart-item"},
        frozenset({"with_price_adjustments"}),
    ),
    "empty_cart": ("no cart items", SESSIONS, frozenset()),
    "big_cart": ("50 to 200 cart items", SESSIONS, frozenset({"empty_cart"})),
    "at_cart_limits": (
        "exactly 1000 lines and 10 000 units, the most a session may hold",
        SESSIONS,
        frozenset({"empty_cart", "big_cart"}),
    ),
    "with_profile": ("the customer profile in the response", frozenset({_STATE}), frozenset({"anonymous"})),
    "with_effects": ("at least one effect (coupons are sent)", frozenset({_STATE, _RESPONSE}), frozenset()),
    **{
        name: (
            description,
            frozenset({_STATE, _RESPONSE, "effect"}),
            _OUTCOME_EXCLUDES.get(name, frozenset()),
        )
        for name, description in OUTCOME_TRAITS.items()
    },
}
_CART_TRAITS = {"empty_cart": (0, 0), "big_cart": (50, 200), "at_cart_limits": (1000, 1000)}
#: trait name -> the entities it applies to.
TRAIT_ENTITIES: dict[str, frozenset[str]] = {name: applies for name, (_, applies, _) in _TRAITS.items()}
#: trait name -> one-line description.
TRAITS: dict[str, str] = {name: description for name, (description, _, _) in _TRAITS.items()}


@dataclass(frozen=True)
class Entity:
    """One generated entity: its contract name, renderer, and where its session state is defined."""

    name: str
    render: Render
    state_contract: str | None = None  # the contract whose `state` enum applies; None: no state

    @property
    def request(self) -> bool:
        """Whether this is a request body (its state is one an update may ask for)."""
        return self.name in REQUESTS


def allowed_states(item: Entity, rules: RuleSet) -> tuple[State, ...]:
    """The states this entity may be generated in under ``rules``, in State order."""
    if item.state_contract is None:
        return ()
    enum = set(schema(item.state_contract)["properties"]["state"]["enum"])
    found = set(states_reachable(rules))
    if item.request:  # a request asks for the state an update moves to
        found &= {t.target for t in rules.transitions if t.operation is Operation.UPDATE}
    return tuple(state for state in State if state.value in enum and state in found)


def make_spec(
    item: Entity,
    rules: RuleSet,
    *,
    states: Iterable[State | str] | None,
    traits: Iterable[str],
    min_items: int | None = None,
    max_items: int | None = None,
    default: tuple[int, int] = (1, 20),
) -> Spec:
    """Check the options for ``item`` and return the spec the builders take.

    The cart size is ``default`` (min, max), or the cart trait's, narrowed by ``min_items`` and
    ``max_items`` when given.
    """
    if isinstance(traits, str):
        traits = (traits,)
    chosen = frozenset(traits)
    for name in sorted(chosen):
        if name not in _TRAITS:
            close = difflib.get_close_matches(name, list(_TRAITS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            raise UnknownTrait(f"unknown trait {name!r}{hint} Traits: {', '.join(_TRAITS)}")
        _, applies, excludes = _TRAITS[name]
        if item.name not in applies:
            raise UnknownTrait(
                f"trait {name!r} does not apply to {item.name}; it applies to: {', '.join(sorted(applies))}"
            )
        clash = sorted(chosen & excludes)
        if clash:
            raise UnknownTrait(f"traits {name!r} and {clash[0]!r} contradict each other; choose one")
    if "with_effects" in chosen:  # effects follow from coupons
        chosen |= {"with_coupons"}
    sized = [name for name in ("empty_cart", "big_cart", "at_cart_limits") if name in chosen]
    low, high = _CART_TRAITS[sized[0]] if sized else default
    if min_items is not None:
        low = max(low, min_items) if sized else min_items
        high = high if max_items is not None or sized else max(high, low)
    if max_items is not None:
        high = min(high, max_items) if sized else max_items
        low = low if min_items is not None or sized else min(low, high)
    if "coupon_accepted" in chosen:  # a discount needs something in the cart
        low = max(low, 1)
    if low > high:
        given = f"min_items={min_items}, max_items={max_items}"
        raise UnknownTrait(f"no cart size fits {given} and the traits {sorted(chosen)}")
    possible = allowed_states(item, rules)
    if high == 0:  # nothing to return: no partially returned session
        possible = tuple(s for s in possible if s is not State.PARTIALLY_RETURNED)
    if states is None:
        wanted = possible
    else:
        wanted = tuple(_state(value, item, rules, possible, high) for value in states)
        wanted = tuple(s for s in State if s in wanted)
    if item.state_contract is not None and not wanted:
        raise UnreachableState(f"no state is left for {item.name} under the {rules.name!r} rules")
    return Spec(rules, wanted, chosen, low, high)


def _state(value: State | str, item: Entity, rules: RuleSet, possible: tuple[State, ...], high: int) -> State:
    if item.state_contract is None:
        raise UnreachableState(f"{item.name} has no state; leave the state out")
    try:
        state = State(value)
    except ValueError:
        raise UnreachableState(
            f"unknown state {value!r}; states: {', '.join(s.value for s in State)}"
        ) from None
    if state in possible:
        return state
    if high == 0 and state is State.PARTIALLY_RETURNED:
        why = "a partially_returned session has returned units, and the cart options leave it empty"
    elif state not in states_reachable(rules):
        why = f"no history reaches it under the {rules.name!r} rules"
    elif item.request:
        why = f"no update may ask for it under the {rules.name!r} rules (only a return may cause it)"
    else:
        why = f"the {item.state_contract} contract does not allow it"
    allowed = ", ".join(s.value for s in possible) or "none"
    raise UnreachableState(f"{item.name} cannot be {state.value!r}: {why}; allowed: {allowed}")
