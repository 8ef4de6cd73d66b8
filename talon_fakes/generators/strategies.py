"""Hypothesis strategies for every contract entity, session histories and one-rule-broken payloads.

::

    from hypothesis import given
    from talon_fakes.generators import strategies as ts

    @given(ts.customer_sessions_v2(states=["closed", "partially_returned"], max_items=5))
    def test_my_client_parses_sessions(session): ...

The strategies run the same builders as :mod:`talon_fakes.generators.factories` (the shapes cannot drift
apart), with Hypothesis making every choice, so failing examples shrink toward a small cart, short
values, state ``open`` and no optional fields. Options are keyword-only and checked at once
(:class:`hypothesis.errors.InvalidArgument`). Importing this module registers strategies for the
domain types (``st.from_type(Session)``, ``CartItem``, ``State``, ``Operation``, ``Transition``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from talon_fakes._hypothesis import register_type_strategies
from talon_fakes.errors import TalonFakesError
from talon_fakes.fake.domain.model import CartItem, Session
from talon_fakes.generators import builders, histories
from talon_fakes.generators.builders import Spec
from talon_fakes.generators.entities import ENTITIES, entity
from talon_fakes.generators.mutations import Mutation, mutations
from talon_fakes.generators.sources import simple_pools
from talon_fakes.generators.traits import Entity, make_spec
from talon_fakes.states import RULE_SETS, Operation, RuleSet, State, Transition, rule_set

__all__ = [
    "additional_costs",
    "application_sessions",
    "cart_items",
    "cart_lines",
    "customer_sessions_v1",
    "customer_sessions_v2",
    "customer_sessions_v2_legacy",
    "documents",
    "effects",
    "illegal_transitions",
    "integration_requests_v2",
    "integration_states_v2",
    "invalid_payloads",
    "new_customer_sessions_v1",
    "new_customer_sessions_v2",
    "return_requests",
    "session_histories",
    "sessions",
    "transitions",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
States = Iterable[State | str] | None
Step = tuple[Operation, Any]


@lru_cache(maxsize=4096)
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


class _DrawSource:
    """A :class:`~talon_fakes.generators.sources.Source` that lets Hypothesis make (and shrink) each choice.

    Inside ``st.composite``, ``draw`` is bound to Hypothesis's ``ConjectureData``; its
    ``draw_integer`` and ``draw_boolean`` make the same shrinkable choices as ``st.integers()``
    and ``st.booleans()`` at a third of the cost (a session makes about sixty). They are not
    public API, so any other ``draw`` goes through the public strategies.
    """

    __slots__ = ("_boolean", "_integer")

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        data = getattr(draw, "__self__", None)
        if callable(getattr(data, "draw_integer", None)) and callable(getattr(data, "draw_boolean", None)):
            self._integer: Callable[[int, int], int] = data.draw_integer  # type: ignore[union-attr]
            self._boolean: Callable[[float], bool] = data.draw_boolean  # type: ignore[union-attr]
        else:
            self._integer = lambda low, high: int(draw(_integers(low, high)))
            self._boolean = lambda probability: bool(draw(_integers(0, 99)) >= 100 - round(probability * 100))

    def integer(self, low: int, high: int) -> int:
        """An integer in ``low..high``; shrinks toward ``low`` (or 0)."""
        return low if low == high else self._integer(low, high)

    def chance(self, probability: float) -> bool:
        """``True`` with about this probability; shrinks to ``False``."""
        return self._boolean(probability)

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``; shrinks toward the first."""
        return options[self.integer(0, len(options) - 1)]

    def weighted(self, options: Sequence[T], cumulative: Sequence[int]) -> T:
        """One of ``options`` by cumulative weights; shrinks toward the first."""
        return options[bisect.bisect_right(cumulative, self.integer(0, cumulative[-1] - 1))]


def _count(name: str, value: int | None, *, low: int = 0) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
        raise InvalidArgument(f"{name}={value!r}: must be a whole number >= {low}")


def _rules(rules: str | RuleSet) -> RuleSet:
    try:
        return rule_set(rules)
    except TalonFakesError as error:
        raise InvalidArgument(str(error)) from None


def _checked(
    name: str,
    *,
    states: States = None,
    rules: str | RuleSet = "current",
    min_items: int | None = None,
    max_items: int | None = None,
    traits: Iterable[str] = (),
) -> tuple[Entity, Spec]:
    """The entity and spec for the options, or :class:`InvalidArgument` saying what is wrong."""
    if isinstance(states, (str, State)):
        raise InvalidArgument(f"states={states!r}: pass a list of states, e.g. states=[{str(states)!r}]")
    _count("min_items", min_items)
    _count("max_items", max_items)
    if min_items is not None and max_items is not None and min_items > max_items:
        raise InvalidArgument(f"min_items={min_items} is more than max_items={max_items}")
    try:
        item = entity(name)
        spec = make_spec(
            item,
            _rules(rules),
            states=None if states is None else list(states),
            traits=traits,
            min_items=min_items,
            max_items=max_items,
            default=(0, 10),  # small carts: quick to draw and to shrink
        )
    except TalonFakesError as error:
        raise InvalidArgument(str(error)) from None
    return item, spec


def _render(item: Entity, spec: Spec) -> st.SearchStrategy[Any]:
    @st.composite
    def one(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
        return item.render(_DrawSource(draw), simple_pools(), spec)

    return one()


def documents(contract: str, **options: Any) -> st.SearchStrategy[Any]:
    """Valid documents of any contract; ``options``: ``states``, ``rules``, ``min_items``, ``max_items``,
    ``traits`` (as far as the contract has them)."""
    return _render(*_checked(contract, **options))


class SessionStrategy(Protocol[T_co]):
    """The options every session strategy takes."""

    def __call__(
        self,
        *,
        states: States = None,
        rules: str | RuleSet = "current",
        min_items: int | None = None,
        max_items: int | None = None,
        traits: Iterable[str] = (),
    ) -> st.SearchStrategy[T_co]:
        """Values in ``states`` (default: every state ``rules`` reaches that the contract allows)."""


def _session_strategy(
    name: str, contract: str, what: str, make: Callable[[Entity, Spec], st.SearchStrategy[T]]
) -> SessionStrategy[T]:
    def strategy(
        *,
        states: States = None,
        rules: str | RuleSet = "current",
        min_items: int | None = None,
        max_items: int | None = None,
        traits: Iterable[str] = (),
    ) -> st.SearchStrategy[T]:
        checked = _checked(
            contract, states=states, rules=rules, min_items=min_items, max_items=max_items, traits=traits
        )
        return make(*checked)

    strategy.__name__ = strategy.__qualname__ = name
    strategy.__doc__ = (
        f"{what}. Options: ``states`` (default: every state ``rules`` reaches that the contract "
        "allows), ``rules``, ``min_items``/``max_items`` (cart lines), ``traits``."
    )
    return strategy


def _session_objects(item: Entity, spec: Spec) -> st.SearchStrategy[Session]:
    @st.composite
    def one(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Session:
        return builders.session(_DrawSource(draw), simple_pools(), spec)

    return one()


def _docs(name: str, contract: str, what: str) -> SessionStrategy[dict[str, Any]]:
    return _session_strategy(name, contract, f"``{contract}`` documents: {what}", _render)


customer_sessions_v2 = _docs("customer_sessions_v2", "customer-session-v2", "Integration API V2 sessions")
new_customer_sessions_v2 = _docs("new_customer_sessions_v2", "new-customer-session-v2", "PUT sessions")
integration_requests_v2 = _docs("integration_requests_v2", "integration-request-v2", "whole PUT bodies")
integration_states_v2 = _docs("integration_states_v2", "integration-state-v2", "PUT and return 200 bodies")
application_sessions = _docs("application_sessions", "application-session", "Management API sessions")
customer_sessions_v1 = _docs("customer_sessions_v1", "customer-session-v1", "V1 sessions")
new_customer_sessions_v1 = _docs("new_customer_sessions_v1", "new-customer-session-v1", "V1 requests")
customer_sessions_v2_legacy = _docs("customer_sessions_v2_legacy", "customer-session-v2-legacy", ".NET")
sessions = _session_strategy(
    "sessions",
    "customer-session-v2",
    ":class:`talon_fakes.fake.domain.model.Session` objects, each made by a legal history under ``rules``",
    _session_objects,
)


def return_requests(
    *, min_items: int | None = None, max_items: int | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """``return-request`` documents for a cart of ``min_items`` to ``max_items`` lines."""
    return documents("return-request", min_items=min_items, max_items=max_items)


def cart_items(*, traits: Iterable[str] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """``cart-item`` documents, as a client sends them."""
    return documents("cart-item", traits=traits)


def additional_costs() -> st.SearchStrategy[dict[str, Any]]:
    """``additional-cost`` documents."""
    return documents("additional-cost")


def effects(*, traits: Iterable[str] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """``effect`` documents; an outcome trait (``coupon_accepted``, ``coupon_expired``,
    ``referral_rejected``, ...) picks effects of that outcome."""
    return documents("effect", traits=traits)


def cart_lines(*, traits: Iterable[str] = ()) -> st.SearchStrategy[CartItem]:
    """:class:`talon_fakes.fake.domain.model.CartItem` objects (the domain's cart lines)."""
    _, spec = _checked("cart-item", traits=traits)

    @st.composite
    def one(draw: Callable[[st.SearchStrategy[Any]], Any]) -> CartItem:
        return builders.cart_item(_DrawSource(draw), simple_pools(), spec, builders.EPOCH)

    return one()


def transitions(*, rules: str | RuleSet | None = None) -> st.SearchStrategy[Transition]:
    """Legal moves of ``rules`` (``None``: of any rule set)."""
    tables = list(RULE_SETS.values()) if rules is None else [_rules(rules)]
    return st.sampled_from(
        builders.ordered(sorted({t for table in tables for t in table.transitions}, key=str))
    )


def _history_spec(rules: str | RuleSet, min_steps: int, max_steps: int) -> Spec:
    _count("min_steps", min_steps)
    _count("max_steps", max_steps, low=1)
    if min_steps > max_steps:
        raise InvalidArgument(f"min_steps={min_steps} is more than max_steps={max_steps}")
    table = _rules(rules)
    return Spec(table, tuple(State), frozenset(), 0, 4)


def session_histories(
    *, rules: str | RuleSet = "current", min_steps: int = 1, max_steps: int = 8
) -> st.SearchStrategy[list[Step]]:
    """Lists of ``(Operation, payload)`` steps against one session, each legal under ``rules``.

    The payload is the request body of the step: the PUT body of an update, the POST body of a
    return, ``None`` for a reopen. A fake (or a real Talon.One) following ``rules`` accepts them all.
    """
    spec = _history_spec(rules, min_steps, max_steps)

    @st.composite
    def one(draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[Step]:
        steps, _, _ = histories.history(
            _DrawSource(draw), simple_pools(), spec, min_steps=min_steps, max_steps=max_steps
        )
        return steps

    return one()


def illegal_transitions(
    *, rules: str | RuleSet = "current", max_steps: int = 6
) -> st.SearchStrategy[tuple[list[Step], Step]]:
    """``(history, step)``: a legal history (maybe empty), then one step ``rules`` forbid after it.

    The step is well formed (a fake would take it in another state); only the state forbids it.
    """
    spec = _history_spec(rules, 0, max_steps)

    @st.composite
    def one(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[list[Step], Step]:
        source = _DrawSource(draw)
        steps, here, cart = histories.history(source, simple_pools(), spec, min_steps=0, max_steps=max_steps)
        bad = histories.illegal_step(source, spec.rules, here, cart)
        return steps, (bad.operation, bad.payload)

    return one()


def invalid_payloads(
    contract: str, *, strict: bool = True, rules: str | RuleSet = "current"
) -> st.SearchStrategy[Mutation]:
    """Documents of ``contract`` that break exactly one of its rules, with ``.rule``, ``.path``,
    ``.description`` and ``.document`` (:class:`talon_fakes.generators.mutations.Mutation`).

    With ``strict=False`` no unknown fields (lenient validation only warns about them).
    """
    if contract not in ENTITIES:
        _checked(contract)  # raises InvalidArgument naming the close ones
    if not isinstance(strict, bool):
        raise InvalidArgument(f"strict={strict!r}: must be True or False")

    def broken(doc: Any) -> st.SearchStrategy[Mutation]:
        found = [m for m in mutations(doc, contract) if strict or not m.strict_only]
        return st.sampled_from(found) if found else st.nothing()

    return documents(contract, rules=rules).flatmap(broken)


register_type_strategies()
