"""The in-memory Talon.One session store: one method per API operation, and ``reset()``.

Pure Python (no HTTP, no JSON spellings). Every state change asks the transition table of the
chosen rule set (:mod:`talon_fakes.states`); domain errors carry no HTTP status. One lock makes
each operation atomic, so concurrent clients never lose an update.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from talon_fakes.errors import InvalidRequest, InvalidTransition, SessionNotFound
from talon_fakes.model import MISSING, CartItem, Clock, Profile, Return, ReturnedItem, Session
from talon_fakes.states import Operation, RuleSet, State, rule_set

Key = tuple[int, str]  # (application ID, session integration ID)


@dataclass(frozen=True)
class SessionUpdate:
    """What a PUT carries. A field the request leaves out is :data:`MISSING` (the value is kept)."""

    profile_id: Any = MISSING
    state: Any = MISSING
    cart_items: Any = MISSING
    coupon_codes: Any = MISSING
    referral_code: Any = MISSING
    loyalty_cards: Any = MISSING
    identifiers: Any = MISSING
    additional_costs: Any = MISSING
    attributes: Any = MISSING
    store_integration_id: Any = MISSING
    evaluable_campaign_ids: Any = MISSING
    experiment_variant_allocations: Any = MISSING

    def given(self) -> dict[str, Any]:
        """The fields the request sent."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not MISSING}


@dataclass(frozen=True)
class ReturnOutcome:
    """The session after a return, the return itself, and whether it is a replay of an earlier one."""

    session: Session
    created: Return
    replayed: bool = False


@dataclass(frozen=True)
class SessionQuery:
    """The Management API's list filters, paging and sort (``sort`` is a Session attribute)."""

    page_size: int = 1000
    skip: int = 0
    sort: str = "id"
    descending: bool = False
    partial_match: bool = False
    profile: str | None = None
    state: State | None = None
    created_before: datetime | None = None
    created_after: datetime | None = None
    coupon: str | None = None
    referral: str | None = None
    integration_id: str | None = None
    store_integration_id: str | None = None


#: Session attributes the Management list can sort by.
SORTABLE = ("id", "created", "integration_id", "state", "total", "updated", "profile_id")


@dataclass(frozen=True)
class Page:
    """One page of the Management list."""

    sessions: list[Session]
    has_more: bool


class Backend:
    """Sessions keyed by (application ID, integration ID), profiles by integration ID."""

    def __init__(self, *, rules: str | RuleSet = "current", clock: Clock | None = None) -> None:
        self.rules = rule_set(rules)
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget every session, profile and return; IDs start again from 1."""
        with self.lock:
            self._sessions: dict[Key, Session] = {}
            self._by_id: dict[int, Key] = {}
            self._profiles: dict[str, Profile] = {}
            self._idempotent: dict[tuple[Key, str], ReturnOutcome] = {}
            self._ids = itertools.count(1)
            self._profile_ids = itertools.count(1)
            self._return_ids = itertools.count(1)
            self._event_ids = itertools.count(1)

    # -- Integration API ---------------------------------------------------------------------

    def update_customer_session(
        self,
        application_id: int,
        integration_id: str,
        update: SessionUpdate,
        *,
        dry: bool = False,
        now: datetime | None = None,
    ) -> Session:
        """PUT /v2/customer_sessions/{id}: create or update; ``dry`` persists nothing.

        A non-dry update builds on the stored session (fields left out keep their value); a dry
        one evaluates this payload alone. ``now`` (dry only, in the future) is the time the
        evaluation pretends it is.
        """
        with self.lock:
            at = self.clock.now()
            if now is not None:
                if not dry:
                    raise InvalidRequest("`now` may only be used with dry=true", parameter="now")
                if now <= at:
                    raise InvalidRequest(
                        f"`now` must be in the future; got {now.isoformat()}", parameter="now"
                    )
                at = now
            key = (application_id, integration_id)
            stored = self._sessions.get(key)
            given = update.given()
            target = given.pop("state", stored.state if stored else State.OPEN)
            self._check(stored, target, Operation.UPDATE, integration_id)
            if stored is None or dry:
                base = self._new_session(application_id, integration_id, at, persist=not dry, stored=stored)
            else:
                base = stored
            if "cart_items" in given:
                given["cart_items"] = tuple(given["cart_items"])
            session = base.copy(
                **given,
                state=target,
                updated=at,
                update_count=base.update_count + (0 if stored is None else 1),
                history=(*base.history, (Operation.UPDATE, target)),
            )
            if not math.isfinite(session.total):
                raise InvalidRequest(
                    "the cart's amounts add up past what a number holds", pointer="/customerSession"
                )
            if session.profile_id != base.profile_id or stored is None:
                session = self._attach_profile(session, at, persist=not dry, stored=stored)
            if not dry:
                self._store(key, session)
                self._on_state_change(stored, session, at)
            return session

    def get_customer_session(self, application_id: int, integration_id: str) -> Session:
        """GET /v2/customer_sessions/{id}."""
        with self.lock:
            return self._get(application_id, integration_id)

    def return_cart_items(
        self,
        application_id: int,
        integration_id: str,
        items: Sequence[ReturnedItem],
        *,
        dry: bool = False,
        idempotency_key: str | None = None,
    ) -> ReturnOutcome:
        """POST /v2/customer_sessions/{id}/returns; a repeated ``idempotency_key`` replays the first."""
        with self.lock:
            key = (application_id, integration_id)
            session = self._get(application_id, integration_id)
            if idempotency_key is not None and (key, idempotency_key) in self._idempotent:
                first = self._idempotent[key, idempotency_key]
                return ReturnOutcome(first.session, first.created, replayed=True)
            self._check(session, State.PARTIALLY_RETURNED, Operation.RETURN, integration_id)
            if not items:
                raise InvalidRequest("nothing to return", pointer="/return/returnedCartItems")
            cart = list(session.cart_items)
            for index, line in enumerate(items):
                cart[line.position] = _returned(cart, line, index)
            at = self.clock.now()
            created = Return(next(self._return_ids), at, tuple(items), next(self._event_ids))
            after = session.copy(
                cart_items=tuple(cart),
                state=State.PARTIALLY_RETURNED,
                updated=at,
                update_count=session.update_count + 1,
                history=(*session.history, (Operation.RETURN, State.PARTIALLY_RETURNED)),
                returns=(*session.returns, created),
            )
            outcome = ReturnOutcome(after, created)
            if not dry:
                self._store(key, after)
                if idempotency_key is not None:
                    self._idempotent[key, idempotency_key] = outcome
            return outcome

    def reopen_customer_session(self, application_id: int, integration_id: str) -> Session:
        """PUT /v2/customer_sessions/{id}/reopen: closed -> open."""
        with self.lock:
            session = self._get(application_id, integration_id)
            self._check(session, State.OPEN, Operation.REOPEN, integration_id)
            at = self.clock.now()
            after = session.copy(
                state=State.OPEN,
                updated=at,
                update_count=session.update_count + 1,
                history=(*session.history, (Operation.REOPEN, State.OPEN)),
            )
            self._store((application_id, integration_id), after)
            return after

    # -- Management API ----------------------------------------------------------------------

    def list_application_sessions(self, application_id: int, query: SessionQuery) -> Page:
        """GET /v1/applications/{applicationId}/sessions."""
        given = {
            "profile_id": query.profile,
            "coupon_codes": query.coupon,
            "referral_code": query.referral,
            "integration_id": query.integration_id,
            "store_integration_id": query.store_integration_id,
        }
        texts = {name: value for name, value in given.items() if value is not None}
        if query.partial_match and len(texts) > 1:
            raise InvalidRequest(
                "partialMatch applies to one text filter; got " + ", ".join(sorted(texts)),
                parameter="partialMatch",
            )
        if query.sort not in SORTABLE:
            raise InvalidRequest(f"cannot sort by {query.sort!r}", parameter="sort")
        matchers = [(name, _matcher(value, query.partial_match)) for name, value in texts.items()]
        with self.lock:
            found = [
                session
                for (app, _), session in self._sessions.items()
                if app == application_id
                and (query.state is None or session.state is query.state)
                and (query.created_before is None or session.created < query.created_before)
                and (query.created_after is None or session.created > query.created_after)
                and all(match(getattr(session, name)) for name, match in matchers)
            ]
        found.sort(key=lambda s: (getattr(s, query.sort), s.id), reverse=query.descending)
        page = found[query.skip : query.skip + query.page_size]
        return Page(page, has_more=query.skip + len(page) < len(found))

    def get_application_session(self, application_id: int, session_id: int) -> Session:
        """GET /v1/applications/{applicationId}/sessions/{sessionId} (the internal ID)."""
        with self.lock:
            key = self._by_id.get(session_id)
            if key is None or key[0] != application_id:
                raise SessionNotFound(f"no session with ID {session_id} in application {application_id}")
            return self._sessions[key]

    # -- test controls -----------------------------------------------------------------------

    def seed_session(
        self, application_id: int, integration_id: str, state: State, update: SessionUpdate | None = None
    ) -> Session:
        """Store a session in any ``state`` directly; its history is a shortest legal path there."""
        with self.lock:
            at = self.clock.now()
            session = self._new_session(application_id, integration_id, at, persist=True, stored=None)
            given = (update or SessionUpdate()).given()
            given.pop("state", None)
            if "cart_items" in given:
                given["cart_items"] = tuple(given["cart_items"])
            path = self._path_to(state)
            session = session.copy(**given, state=state, history=path, update_count=max(1, len(path)))
            if state is State.PARTIALLY_RETURNED and not any(i.returned_quantity for i in session.cart_items):
                items = session.cart_items
                if items:  # a partially returned session has returned something
                    items = (replace(items[0], returned_quantity=1), *items[1:])
                session = session.copy(cart_items=items)
            session = self._attach_profile(session, at, persist=True, stored=None)
            self._store((application_id, integration_id), session)
            return session

    def sessions(self, application_id: int | None = None) -> list[Session]:
        """Every stored session (of one application), by internal ID."""
        with self.lock:
            return sorted(
                (s for (app, _), s in self._sessions.items() if application_id in (None, app)),
                key=lambda s: s.id,
            )

    def profile(self, integration_id: str) -> Profile:
        """The profile with this integration ID."""
        with self.lock:
            try:
                return self._profiles[integration_id]
            except KeyError:
                raise SessionNotFound(f"no customer profile {integration_id!r}") from None

    # -- internals ---------------------------------------------------------------------------

    def _get(self, application_id: int, integration_id: str) -> Session:
        try:
            return self._sessions[application_id, integration_id]
        except KeyError:
            raise SessionNotFound(
                f"no customer session {integration_id!r} in application {application_id}"
            ) from None

    def _check(
        self, session: Session | None, target: State, operation: Operation, integration_id: str
    ) -> None:
        source = None if session is None else session.state
        if not self.rules.allows(source, target, operation):
            message = f"session {integration_id!r} " + self.rules.explain(source, target, operation)
            raise InvalidTransition(message, source=source, target=target, operation=operation)

    def _new_session(
        self, application_id: int, integration_id: str, at: datetime, *, persist: bool, stored: Session | None
    ) -> Session:
        if stored is not None:  # a dry run of an existing session: same identity, fresh payload
            identity = ("profile_id", "update_count", "history", "first_session", "profile_internal_id")
            kept = {name: getattr(stored, name) for name in identity}
            return Session(stored.id, integration_id, application_id, stored.created, at, **kept)
        next_id = next(self._ids) if persist else len(self._by_id) + 1
        return Session(next_id, integration_id, application_id, at, at)

    def _attach_profile(
        self, session: Session, at: datetime, *, persist: bool, stored: Session | None
    ) -> Session:
        if session.is_anonymous:
            return session.copy(profile_internal_id=None, first_session=True)
        profile = self._profiles.get(session.profile_id)
        if profile is None:
            profile = Profile(len(self._profiles) + 1, session.profile_id, at, at)
            if persist:
                profile.id = next(self._profile_ids)
                self._profiles[session.profile_id] = profile
        first = stored.first_session if stored is not None else profile.session_count == 0
        if persist and (stored is None or stored.profile_id != session.profile_id):
            profile.session_count += 1  # a new session, or one that now belongs to this profile
        if persist:
            profile.last_activity = at
        return session.copy(profile_internal_id=profile.id, first_session=first)

    def _on_state_change(self, before: Session | None, after: Session, at: datetime) -> None:
        if after.state is State.CLOSED and (before is None or before.state is not State.CLOSED):
            profile = self._profiles.get(after.profile_id)
            if profile is not None:
                profile.closed_sessions += 1
                profile.total_sales += after.total

    def _store(self, key: Key, session: Session) -> None:
        self._sessions[key] = session
        self._by_id[session.id] = key

    def _path_to(self, state: State) -> tuple[tuple[Operation, State], ...]:
        """A shortest legal history that ends in ``state`` (one step when none exists)."""
        frontier: list[tuple[State | None, tuple[tuple[Operation, State], ...]]] = [(None, ())]
        seen: set[State | None] = {None}
        while frontier:
            source, path = frontier.pop(0)
            for move in self.rules.moves_from(source):
                step = (*path, (move.operation, move.target))
                if move.target is state:
                    return step
                if move.target not in seen:
                    seen.add(move.target)
                    frontier.append((move.target, step))
        return ((Operation.UPDATE, state),)


def _returned(cart: list[CartItem], line: ReturnedItem, index: int) -> CartItem:
    pointer = f"/return/returnedCartItems/{index}"
    if not 0 <= line.position < len(cart):
        raise InvalidRequest(
            f"no cart item at position {line.position}; the cart has {len(cart)} items",
            pointer=f"{pointer}/position",
        )
    item = cart[line.position]
    if line.sku is not None and line.sku != item.sku:
        raise InvalidRequest(
            f"the cart item at position {line.position} is {item.sku!r}, not {line.sku!r}",
            pointer=f"{pointer}/sku",
        )
    if not 1 <= line.quantity <= item.remaining_quantity:
        raise InvalidRequest(
            f"cannot return {line.quantity} of {item.sku!r}: {item.remaining_quantity} remain",
            pointer=f"{pointer}/quantity",
        )
    return replace(item, returned_quantity=item.returned_quantity + line.quantity)


def _matcher(wanted: str, partial: bool) -> Callable[[Any], bool]:
    """Exact match, or case-insensitive substring for partialMatch with 3+ characters."""
    if partial and len(wanted) >= 3:
        needle = wanted.casefold()

        def contains(value: Any) -> bool:
            return any(needle in str(v).casefold() for v in _values(value))

        return contains

    def equals(value: Any) -> bool:
        return any(v == wanted for v in _values(value))

    return equals


def _values(value: Any) -> Iterator[Any]:
    if isinstance(value, tuple):
        yield from value
    elif value is not None:
        yield value
