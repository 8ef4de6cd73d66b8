"""Customer profiles as sessions change them: the link, ``firstSession`` and the aggregates. Pure Python.

The spec describes ``closedSessions`` as "the total number of closed sessions. Does not include
closed sessions that have been cancelled or reopened", and ``totalSales`` as the money spent
before discounts, less cancelled or reopened sessions and returned items. So a profile's
aggregates are those of its sessions that are closed now (``closed`` or ``partially_returned``),
at their totals now (which leave returned units out); every change takes out what the session's
version before it added and puts in what the new version adds, and reopen, cancel, returns and a
second close all come out right.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from talon_fakes.fake.domain.model import Profile, Session, money
from talon_fakes.states import State


def link(
    before: Session | None,
    after: Session,
    at: datetime,
    *,
    find: Callable[[str], Profile | None],
    next_id: int,
    fresh: bool = False,
) -> dict[str, Profile]:
    """Link ``after`` (the session's new version) to its profile; return every profile it changes.

    ``after`` is a copy made for this change and seen by no one yet, so its ``profile_internal_id``
    and ``first_session`` are set in place. ``find`` looks a stored profile up; a new one gets
    ``next_id``. ``fresh``: ``after`` replaces ``before`` as a new session (a seed), not as its
    next version. Nothing is stored: the caller stores the profiles with the session.
    """
    changed: dict[str, Profile] = {}

    def current(integration_id: str) -> Profile:
        found = changed.get(integration_id) or find(integration_id)
        return found or Profile(next_id, integration_id, at, at)

    if before is not None and not before.is_anonymous and counts(before):
        old = current(before.profile_id)
        changed[old.integration_id] = _moved(old, old.last_activity, closed=-1, sales=-before.total)
    if after.is_anonymous:
        after.profile_internal_id, after.first_session = None, True
        return changed
    profile = current(after.profile_id)
    if fresh or before is None:
        first, joined = profile.session_count == 0, True
    else:  # a next version keeps its firstSession, and joins a profile it did not belong to
        first, joined = before.first_session, before.profile_id != after.profile_id
    counted = counts(after)
    profile = _moved(profile, at, sessions=joined, closed=counted, sales=after.total if counted else 0)
    changed[profile.integration_id] = profile
    after.profile_internal_id, after.first_session = profile.id, first
    after.profile_id = profile.integration_id  # the same value: one string for all of its sessions
    return changed


def counts(session: Session) -> bool:
    """Whether a session counts in its profile's aggregates: closed now (returns included)."""
    return session.state is State.CLOSED or session.state is State.PARTIALLY_RETURNED


def _moved(
    profile: Profile, at: datetime, *, sessions: int = 0, closed: int = 0, sales: float = 0
) -> Profile:
    """A copy of ``profile`` active at ``at``, its counts and sales moved by the amounts given."""
    total_sales = money(profile.total_sales + sales) if sales else profile.total_sales
    return Profile(
        profile.id,
        profile.integration_id,
        profile.created,
        at,
        profile.closed_sessions + closed,
        total_sales,
        profile.session_count + sessions,
    )
