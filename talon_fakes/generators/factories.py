"""Factories: realistic, valid Talon.One documents from a seed, in any state, with overrides and traits.

::

    from talon_fakes.generators.factories import Factories

    factories = Factories(seed=7)
    session = factories.customer_session_v2(state="partially_returned", traits=["with_coupons"])
    request = factories.build("integration-request-v2", customerSession__profileId="c-42")
    many = factories.batch("cart-item", 100)

Every document passes its contract in strict mode, invariants included; a session is made by a
legal history under the chosen rule set (``current``, ``v1`` or ``legacy``), so its state, its
returned quantities, its update count and its timestamps agree. The same seed and the same calls
give byte-identical documents in any process. Overrides (``field=value``, ``a__b__0__c=value``,
:data:`OMIT` to remove a field) are applied last; totals, remaining quantities and positions are
then computed again unless overridden too. An override that breaks the contract is kept: that is
the caller's choice (for negative tests).

:class:`TalonProvider` offers the same as a Faker provider: ``fake.add_provider(TalonProvider)``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from faker.providers import BaseProvider

from talon_fakes.generators import sources
from talon_fakes.generators.builders import Spec
from talon_fakes.generators.entities import ENTITIES, entity
from talon_fakes.generators.overrides import OMIT, apply, derive
from talon_fakes.generators.sources import RandomSource
from talon_fakes.generators.traits import TRAITS, Entity, make_spec
from talon_fakes.states import RuleSet, State, rule_set

__all__ = ["FACTORY_NAMES", "OMIT", "TRAITS", "Factories", "TalonProvider"]

#: The contract names that have a factory (every contract).
FACTORY_NAMES: tuple[str, ...] = tuple(ENTITIES)

# entity -> (where its session is, totals: "v2", "legacy" or None for lines only); requests have
# nothing derived (a V1 request's total is the client's).
_DERIVED: dict[str, tuple[tuple[str, ...], str | None]] = {
    "customer-session-v2": ((), "v2"),
    "integration-state-v2": (("customerSession",), "v2"),
    "customer-session-response-v2": (("customerSession",), "v2"),
    "customer-session-v2-legacy": ((), "legacy"),
    "application-session": ((), None),
    "customer-session-v1": ((), None),
}


@lru_cache(maxsize=256)
def _spec(
    name: str, rules: RuleSet, state: State | str | None, traits: tuple[str, ...]
) -> tuple[Entity, Spec]:
    item = entity(name)
    return item, make_spec(item, rules, states=None if state is None else (state,), traits=traits)


def _traits(traits: Iterable[str]) -> tuple[str, ...]:
    if isinstance(traits, str):
        return (traits,)
    return tuple(sorted(traits))


def _finish(doc: Any, item: Entity, overrides: dict[str, Any]) -> Any:
    """Apply the overrides, then recompute what they did not set."""
    given = apply(doc, item.name, overrides)
    where, totals = _DERIVED.get(item.name, ((), "none"))
    session = doc
    for key in where:
        session = session.get(key) if isinstance(session, dict) else None
    if totals != "none" and isinstance(session, dict):
        if totals is None:
            derive(session, given=given, at=where, totals=False)
        else:
            derive(session, given=given, at=where, item_costs=totals == "v2")
    return doc


class _Entities:
    """One method per entity, each a shortcut for ``_make(contract name, ...)``."""

    def _make(
        self, name: str, state: State | str | None, traits: Iterable[str], overrides: dict[str, Any]
    ) -> Any:
        raise NotImplementedError

    def customer_session_v2(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """A ``customer-session-v2`` (the session of Integration API V2 responses)."""
        return self._make("customer-session-v2", state, traits, overrides)

    def new_customer_session_v2(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """A ``new-customer-session-v2`` (the ``customerSession`` of a PUT)."""
        return self._make("new-customer-session-v2", state, traits, overrides)

    def integration_request_v2(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """An ``integration-request-v2`` (the whole PUT body)."""
        return self._make("integration-request-v2", state, traits, overrides)

    def integration_state_v2(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """An ``integration-state-v2`` (the 200 body of a PUT or a return)."""
        return self._make("integration-state-v2", state, traits, overrides)

    def return_request(self, *, traits: Iterable[str] = (), **overrides: Any) -> Any:
        """A ``return-request`` (the POST returns body)."""
        return self._make("return-request", None, traits, overrides)

    def application_session(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """An ``application-session`` (the Management API session)."""
        return self._make("application-session", state, traits, overrides)

    def customer_session_v1(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """A ``customer-session-v1``."""
        return self._make("customer-session-v1", state, traits, overrides)

    def new_customer_session_v1(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """A ``new-customer-session-v1`` (the V1 request)."""
        return self._make("new-customer-session-v1", state, traits, overrides)

    def customer_session_v2_legacy(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """A ``customer-session-v2-legacy`` (the older V2 model of the .NET SDK)."""
        return self._make("customer-session-v2-legacy", state, traits, overrides)

    def cart_item(self, *, traits: Iterable[str] = (), **overrides: Any) -> Any:
        """A ``cart-item`` as a client sends it."""
        return self._make("cart-item", None, traits, overrides)

    def additional_cost(self, **overrides: Any) -> Any:
        """An ``additional-cost``."""
        return self._make("additional-cost", None, (), overrides)

    def customer_session_response_v2(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """A ``customer-session-response-v2`` (the 200 body of GET session: the session, its effects)."""
        return self._make("customer-session-response-v2", state, traits, overrides)

    def application_sessions_page(
        self, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """An ``application-sessions-page`` (the Management API list: ``hasMore``, ``data``)."""
        return self._make("application-sessions-page", state, traits, overrides)

    def effect(self, *, traits: Iterable[str] = (), **overrides: Any) -> Any:
        """An ``effect`` of the rule engine (an outcome trait such as ``coupon_expired`` picks its kind)."""
        return self._make("effect", None, traits, overrides)

    def reopen_response(self, **overrides: Any) -> Any:
        """A ``reopen-response`` (the 200 body of PUT reopen: the effects it rolled back)."""
        return self._make("reopen-response", None, (), overrides)

    def error_response(self, **overrides: Any) -> Any:
        """An ``error-response`` (a 400 body)."""
        return self._make("error-response", None, (), overrides)

    def error_response_with_status(self, **overrides: Any) -> Any:
        """An ``error-response-with-status`` (a 401, 404 or 409 body)."""
        return self._make("error-response-with-status", None, (), overrides)


class Factories(_Entities):
    """Seeded factories of every contract entity.

    ``seed`` (a random one when ``None``, then kept in :attr:`seed`) decides every value;
    ``locale`` is Faker's (names, cities, colours); ``rules`` is the rule set sessions follow.
    """

    def __init__(
        self, seed: int | None = None, *, locale: str = "en_US", rules: str | RuleSet = "current"
    ) -> None:
        if seed is None:
            seed = random.SystemRandom().randrange(2**32)
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an int or None, not {type(seed).__name__}: {seed!r}")
        sources.check_locale(locale)
        self.seed: int = seed
        self.locale = locale
        self.rules: RuleSet = rule_set(rules)
        self._source = RandomSource(random.Random(seed))

    def __repr__(self) -> str:
        return f"Factories(seed={self.seed}, locale={self.locale!r}, rules={self.rules.name!r})"

    def build(
        self, name: str, *, state: State | str | None = None, traits: Iterable[str] = (), **overrides: Any
    ) -> Any:
        """One document of contract ``name`` (in ``state``, with ``traits``, then ``overrides``)."""
        return next(self.stream(name, 1, state=state, traits=traits, **overrides))

    def batch(
        self,
        name: str,
        count: int,
        *,
        state: State | str | None = None,
        traits: Iterable[str] = (),
        **overrides: Any,
    ) -> list[Any]:
        """``count`` documents of contract ``name``."""
        return list(self.stream(name, count, state=state, traits=traits, **overrides))

    def stream(
        self,
        name: str,
        count: int,
        *,
        state: State | str | None = None,
        traits: Iterable[str] = (),
        **overrides: Any,
    ) -> Iterator[Any]:
        """``count`` documents of contract ``name``, made one at a time (options checked at once)."""
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"count must be a whole number >= 0, got {count!r}")
        item, spec = _spec(name, self.rules, state, _traits(traits))
        pools = sources.pools(self.locale, self.seed)
        return self._documents(item, spec, pools, count, overrides)

    def _documents(
        self, item: Entity, spec: Spec, pools: sources.Pools, count: int, overrides: dict[str, Any]
    ) -> Iterator[Any]:
        for _ in range(count):
            doc = item.render(self._source, pools, spec)
            yield _finish(doc, item, overrides) if overrides else doc

    def _make(
        self, name: str, state: State | str | None, traits: Iterable[str], overrides: dict[str, Any]
    ) -> Any:
        return self.build(name, state=state, traits=traits, **overrides)


class TalonProvider(BaseProvider, _Entities):
    """A Faker provider: ``fake.add_provider(TalonProvider)``, then ``fake.customer_session_v2()``.

    It draws from the Faker instance's own random generator, so ``fake.seed_instance(n)`` makes
    it repeatable; sessions follow the ``current`` rules (``talon_document(..., rules="v1")``).
    """

    def talon_document(
        self,
        name: str,
        *,
        state: State | str | None = None,
        traits: Iterable[str] = (),
        rules: str | RuleSet = "current",
        **overrides: Any,
    ) -> Any:
        """One document of contract ``name``, like :meth:`Factories.build`."""
        item, spec = _spec(name, rule_set(rules), state, _traits(traits))
        doc = item.render(RandomSource(self.generator.random), sources.pools(self._locale(), 0), spec)
        return _finish(doc, item, overrides) if overrides else doc

    def _locale(self) -> str:
        for provider in self.generator.providers:
            lang = getattr(provider, "__lang__", None)
            if isinstance(lang, str):
                return lang
        return "en_US"

    def _make(
        self, name: str, state: State | str | None, traits: Iterable[str], overrides: dict[str, Any]
    ) -> Any:
        return self.talon_document(name, state=state, traits=traits, **overrides)
