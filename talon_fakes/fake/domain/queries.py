"""The Management API's session list: filters, sort and paging over the stored sessions. Pure Python.

A query is compiled once into one predicate, so the scan of 100 000 sessions runs one small
function a session instead of interpreting the filters each time. In ID order (the default sort,
and the order the store keeps) the scan stops as soon as the page and one more session are
found; any other sort keeps only the sessions up to the end of the page (``heapq``), instead of
sorting them all.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from talon_fakes.errors import InvalidRequest
from talon_fakes.fake.domain.model import Session
from talon_fakes.states import State

#: Session attributes the Management list can sort by.
SORTABLE = ("id", "created", "integration_id", "state", "total", "updated", "profile_id")


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

    def texts(self) -> dict[str, str]:
        """The text filters given, by Session attribute; partialMatch may apply to one only."""
        given = {
            "profile_id": self.profile,
            "coupon_codes": self.coupon,
            "referral_code": self.referral,
            "integration_id": self.integration_id,
            "store_integration_id": self.store_integration_id,
        }
        texts = {name: value for name, value in given.items() if value is not None}
        if self.partial_match and len(texts) > 1:
            raise InvalidRequest(
                "partialMatch applies to one text filter; got " + ", ".join(sorted(texts)),
                parameter="partialMatch",
            )
        if self.sort not in SORTABLE:
            message = f"cannot sort by {self.sort!r}; sortable: {', '.join(SORTABLE)}"
            raise InvalidRequest(message, parameter="sort")
        return texts

    def exact(self, name: str) -> str | None:
        """The text filter on Session attribute ``name`` when it matches exactly (an index can
        serve it), else ``None``."""
        value: str | None = getattr(self, _FILTERS[name])
        if value is None or (self.partial_match and len(value) >= 3):
            return None
        return value


# Session attribute -> the query field that filters it
_FILTERS = {"profile_id": "profile", "integration_id": "integration_id"}


@dataclass(frozen=True)
class Page:
    """One page of the Management list."""

    sessions: list[Session]
    has_more: bool


def page(candidates: Iterable[Session], query: SessionQuery, *, in_id_order: bool) -> Page:
    """The page of ``candidates`` that ``query`` asks for.

    ``in_id_order``: the candidates come by internal ID, ascending or (for a descending sort)
    descending, so a sort by ID needs no sort at all.
    """
    keep = predicate(query)
    matching = candidates if keep is None else filter(keep, candidates)
    # One more than the page tells whether there is more; no store holds sys.maxsize sessions, and
    # islice takes no more than that (skip goes up to 2**63 - 1).
    wanted = min(query.skip + query.page_size + 1, sys.maxsize)
    if query.sort == "id" and in_id_order:
        found = list(islice(matching, wanted))
    else:
        sort = query.sort

        def key(session: Session) -> tuple[Any, int]:
            return getattr(session, sort), session.id

        pick = heapq.nlargest if query.descending else heapq.nsmallest
        found = pick(wanted, matching, key=key)
    return Page(found[query.skip : wanted - 1], has_more=len(found) == wanted)


def predicate(query: SessionQuery) -> Callable[[Session], bool] | None:
    """One function that tells whether a session passes every filter of ``query`` (``None``: all do)."""
    checks: list[Callable[[Session], bool]] = []
    if query.state is not None:
        state = query.state
        checks.append(lambda session: session.state is state)
    if query.created_before is not None:
        before = query.created_before
        checks.append(lambda session: session.created < before)
    if query.created_after is not None:
        after = query.created_after
        checks.append(lambda session: session.created > after)
    checks += [_text(name, value, query.partial_match) for name, value in query.texts().items()]
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    first, *rest = checks

    def every(session: Session) -> bool:
        return first(session) and all(check(session) for check in rest)

    return every


def _text(name: str, wanted: str, partial: bool) -> Callable[[Session], bool]:
    """Exact match, or case-insensitive substring for partialMatch with 3+ characters."""
    many = name == "coupon_codes"  # the one text filter over a list of values
    if partial and len(wanted) >= 3:
        needle = wanted.casefold()
        if many:
            return lambda session: any(needle in code.casefold() for code in session.coupon_codes)

        def contains(session: Session) -> bool:
            value = getattr(session, name)
            return value is not None and needle in value.casefold()

        return contains
    if many:
        return lambda session: wanted in session.coupon_codes
    return lambda session: getattr(session, name) == wanted
