"""The in-memory Talon.One session store: one method per API operation, and ``reset()``.

Pure Python (no HTTP, no JSON spellings). Every state change asks the transition table of the
chosen rule set (:mod:`talon_fakes.states`); domain errors carry no HTTP status. One lock makes
each operation atomic, so concurrent clients never lose an update. What an operation carries and
makes is :mod:`talon_fakes.fake.domain.changes`; a session's history,
:mod:`talon_fakes.fake.domain.session_history`.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from talon_fakes.errors import InvalidRequest, InvalidTransition, SessionNotFound
from talon_fakes.fake.domain import queries
from talon_fakes.fake.domain.changes import Confirm, Outcome, SessionUpdate, event_type
from talon_fakes.fake.domain.model import Clock, Profile, Return, ReturnedItem, Session, returned
from talon_fakes.fake.domain.profiles import link
from talon_fakes.fake.domain.queries import Page, SessionQuery
from talon_fakes.fake.domain.session_history import grown, shortest_history
from talon_fakes.states import Operation, RuleSet, State, Transition, rule_set

Key = tuple[int, str]  # (application ID, session integration ID)


class Backend:
    """Sessions keyed by (application ID, integration ID), profiles by integration ID.

    An operation works out its outcome first and stores it whole at the end (the session, the
    profiles it changes, the IDs it takes, the move it made), so a dry run or an operation that
    fails, even in its ``confirm`` callback, changes nothing at all.
    """

    def __init__(self, *, rules: str | RuleSet = "current", clock: Clock | None = None) -> None:
        self.rules = rule_set(rules)
        # The table's moves by plain tuple: one dict lookup a request, and the same Transition
        # object every time (so counting it compares identities, not fields).
        self._legal = {(t.source, t.target, t.operation): t for t in self.rules.transitions}
        self._paths: dict[State, tuple[tuple[Operation, State], ...]] = {}
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """A fresh store: no session, profile or return; IDs start again from 1; the clock is back
        as it was made (real time, or the time it was made with)."""
        with self.lock:
            # Each application's sessions by integration ID, in the order they were made, which is
            # the order of their internal IDs (the Management list's default sort).
            self._apps: dict[int, dict[str, Session]] = {}
            self._by_id: dict[int, Session] = {}
            self._by_profile: dict[str, set[int]] = {}  # profile integration ID -> session IDs
            self._profiles: dict[str, Profile] = {}
            self._next = _Ids()
            self._moves: Counter[Transition] = Counter()
            self.clock.reset()

    # -- Integration API ---------------------------------------------------------------------

    def update_customer_session(
        self,
        application_id: int,
        integration_id: str,
        update: SessionUpdate,
        *,
        dry: bool = False,
        now: datetime | None = None,
        confirm: Confirm | None = None,
    ) -> Outcome:
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
            stored = self._apps.get(application_id, {}).get(integration_id)
            given = update.given()
            target = given.pop("state", stored.state if stored else State.OPEN)
            move = self._check(stored, target, Operation.UPDATE, integration_id)
            base = stored if stored is not None and not dry else self._new_session(key, at, stored)
            if "cart_items" in given:
                given["cart_items"] = tuple(given["cart_items"])
            session = base.copy(
                **given,
                state=target,
                updated=at,
                update_count=base.update_count + (0 if stored is None else 1),
                history=grown(base.history, (Operation.UPDATE, target)),
            )
            if not math.isfinite(session.total):
                raise InvalidRequest(
                    "the cart's amounts add up past what a number holds", pointer="/customerSession"
                )
            return self._finish(stored, session, at, move, dry=dry, confirm=confirm)

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
        confirm: Confirm | None = None,
    ) -> Outcome:
        """POST /v2/customer_sessions/{id}/returns (``Idempotency-Key`` replays are the HTTP layer's)."""
        with self.lock:
            session = self._get(application_id, integration_id)
            move = self._check(session, State.PARTIALLY_RETURNED, Operation.RETURN, integration_id)
            if not items:
                raise InvalidRequest("nothing to return", pointer="/return/returnedCartItems")
            cart = list(session.cart_items)
            for index, line in enumerate(items):
                cart[line.position] = returned(cart, line, index)
            at = self.clock.now()
            created = Return(self._next.return_, at, tuple(items), self._next.event)
            after = session.copy(
                cart_items=tuple(cart),
                state=State.PARTIALLY_RETURNED,
                updated=at,
                update_count=session.update_count + 1,
                history=grown(session.history, (Operation.RETURN, State.PARTIALLY_RETURNED)),
                returns=(*session.returns, created),
            )
            return self._finish(session, after, at, move, dry=dry, confirm=confirm, created=created)

    def reopen_customer_session(
        self, application_id: int, integration_id: str, *, confirm: Confirm | None = None
    ) -> Outcome:
        """PUT /v2/customer_sessions/{id}/reopen: closed -> open."""
        with self.lock:
            session = self._get(application_id, integration_id)
            move = self._check(session, State.OPEN, Operation.REOPEN, integration_id)
            at = self.clock.now()
            after = session.copy(
                state=State.OPEN,
                updated=at,
                update_count=session.update_count + 1,
                history=grown(session.history, (Operation.REOPEN, State.OPEN)),
            )
            return self._finish(session, after, at, move, dry=False, confirm=confirm)

    # -- Management API ----------------------------------------------------------------------

    def list_application_sessions(self, application_id: int, query: SessionQuery) -> Page:
        """GET /v1/applications/{applicationId}/sessions."""
        query.texts()  # a query the API refuses is refused before anything is read
        integration_id, profile_id = query.exact("integration_id"), query.exact("profile_id")
        with self.lock:
            stored = self._apps.get(application_id, {})
            candidates: Iterable[Session]
            if integration_id is not None:  # one session at most
                candidates = [stored[integration_id]] if integration_id in stored else []
            elif profile_id is not None:  # the profile's sessions, by the index
                ids = sorted(self._by_profile.get(profile_id, ()), reverse=query.descending)
                candidates = [
                    s for s in map(self._by_id.__getitem__, ids) if s.application_id == application_id
                ]
            else:  # the store keeps each application's sessions in ID order
                candidates = reversed(stored.values()) if query.descending else stored.values()
            return queries.page(candidates, query, in_id_order=True)

    def size(self) -> int:
        """How many sessions are stored, of every application."""
        return len(self._by_id)

    def has_sessions(self, application_id: int) -> bool:
        """Whether any session of the application is stored."""
        with self.lock:
            return bool(self._apps.get(application_id))

    def get_application_session(self, application_id: int, session_id: int) -> Session:
        """GET /v1/applications/{applicationId}/sessions/{sessionId} (the internal ID)."""
        with self.lock:
            session = self._by_id.get(session_id)
            if session is None or session.application_id != application_id:
                raise SessionNotFound(f"no session with ID {session_id} in application {application_id}")
            return session

    # -- test controls -----------------------------------------------------------------------

    def seed_session(
        self,
        application_id: int,
        integration_id: str,
        state: State,
        update: SessionUpdate | None = None,
        *,
        confirm: Confirm | None = None,
    ) -> Session:
        """Store a session in any ``state`` directly; its history is a shortest legal path there.

        It replaces a stored session of that ID, counts in its profile's aggregates like any
        session, and is no move of :meth:`transitions`. ``confirm`` sees it before it is stored.
        """
        with self.lock:
            at = self.clock.now()
            key = (application_id, integration_id)
            session = self._new_session(key, at, None)
            given = (update or SessionUpdate()).given()
            given.pop("state", None)
            if "cart_items" in given:
                given["cart_items"] = tuple(given["cart_items"])
            path = self._path_to(state)
            session = session.copy(**given, state=state, history=path, update_count=max(1, len(path)))
            if state is State.PARTIALLY_RETURNED and not any(i.returned_quantity for i in session.cart_items):
                items = session.cart_items  # a partially returned session has returned something
                if not items:
                    raise InvalidRequest(
                        f"session {integration_id!r} cannot be seeded partially_returned with an empty "
                        "cart: nothing could have been returned; give it cart_items"
                    )
                session = session.copy(cart_items=(replace(items[0], returned_quantity=1), *items[1:]))
            replaced = self._apps.get(application_id, {}).get(integration_id)
            return self._finish(replaced, session, at, None, dry=False, confirm=confirm, fresh=True).session

    def transitions(self) -> Counter[Transition]:
        """The moves made through the API operations since the last :meth:`reset`, with counts.

        Creations count (``source`` is ``None``); seeds, dry runs and failed operations do not.
        """
        with self.lock:
            return Counter(self._moves)

    def sessions(self, application_id: int | None = None) -> list[Session]:
        """Every stored session (of one application), by internal ID."""
        with self.lock:
            return sorted(
                (s for s in self._by_id.values() if application_id in (None, s.application_id)),
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
        session = self._apps.get(application_id, {}).get(integration_id)
        if session is None:
            raise SessionNotFound(f"no customer session {integration_id!r} in application {application_id}")
        return session

    def _check(
        self, session: Session | None, target: State, operation: Operation, integration_id: str
    ) -> Transition:
        """The move, if the rules allow it."""
        source = None if session is None else session.state
        move = self._legal.get((source, target, operation))
        if move is None:
            message = f"session {integration_id!r} " + self.rules.explain(source, target, operation)
            raise InvalidTransition(message, source=source, target=target, operation=operation)
        return move

    def _new_session(self, key: Key, at: datetime, stored: Session | None) -> Session:
        application_id, integration_id = key
        if stored is not None:  # a dry run of an existing session: same identity, fresh payload
            identity = ("profile_id", "update_count", "history", "first_session", "profile_internal_id")
            kept = {name: getattr(stored, name) for name in identity}
            return Session(stored.id, integration_id, application_id, stored.created, at, **kept)
        return Session(self._next.session, integration_id, application_id, at, at)

    def _finish(
        self,
        before: Session | None,
        session: Session,
        at: datetime,
        move: Transition | None,
        *,
        dry: bool,
        confirm: Confirm | None,
        created: Return | None = None,
        fresh: bool = False,
    ) -> Outcome:
        """Link ``session`` (the new version) to its profile, let ``confirm`` see the outcome, then
        store it all (unless ``dry``)."""
        profiles = link(before, session, at, find=self._profiles.get, next_id=self._next.profile, fresh=fresh)
        profile = None if session.is_anonymous else profiles[session.profile_id]
        if dry and profile is not None and profile.integration_id in self._profiles:
            # A dry run is no activity of the customer's: the profile's lastActivity stays put.
            profile = replace(profile, last_activity=self._profiles[profile.integration_id].last_activity)
        kind = "" if move is None and fresh else event_type(before, session)
        outcome = Outcome(session, profile, created, self._next.event, kind)
        if confirm is not None:
            confirm(outcome)
        if dry:
            return outcome
        stored = self._apps.setdefault(session.application_id, {})
        moved = before is None or before.id != session.id or before.profile_id != session.profile_id
        if before is not None and moved:
            self._by_profile[before.profile_id].discard(before.id)
            if before.id != session.id:  # a seed replaced it: a new ID, at the end of the order
                del stored[before.integration_id], self._by_id[before.id]
        stored[session.integration_id] = session
        self._by_id[session.id] = session
        if moved:
            self._by_profile.setdefault(session.profile_id, set()).add(session.id)
        self._profiles.update(profiles)
        self._next.take(session, profiles.values(), created, event=bool(outcome.event_type))
        self.clock.stamped(at)
        if move is not None:
            self._moves[move] += 1
        return outcome

    def _path_to(self, state: State) -> tuple[tuple[Operation, State], ...]:
        """A shortest legal history that ends in ``state`` (one step when none exists).

        Worked out once a state: every seed in that state shares the one tuple.
        """
        path = self._paths.get(state)
        if path is None:
            path = self._paths[state] = shortest_history(self.rules, state)
        return path


@dataclass
class _Ids:
    """The next free IDs; an operation takes them only when it is stored."""

    session: int = 1
    profile: int = 1
    return_: int = 1
    event: int = 1

    def take(
        self, session: Session, profiles: Iterable[Profile], created: Return | None, *, event: bool
    ) -> None:
        """Mark the IDs of a stored outcome as used (``event``: it made an event)."""
        self.session = max(self.session, session.id + 1)
        self.profile = max([self.profile, *(p.id + 1 for p in profiles)])
        if created is not None:
            self.return_ = created.id + 1
        if event:
            self.event += 1
