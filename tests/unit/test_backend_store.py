"""The fake's domain without HTTP: the Management list against a plain reference, histories,
seeds, and the profile aggregates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talon_fakes import Operation, State
from talon_fakes.errors import InvalidRequest, SessionNotFound
from talon_fakes.fake.domain.backend import Backend
from talon_fakes.fake.domain.changes import SessionUpdate
from talon_fakes.fake.domain.model import CartItem, Clock, History, Session
from talon_fakes.fake.domain.queries import SORTABLE, SessionQuery

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
PROFILES = ["", "ann", "Anna", "bob"]
CODES = ["SUMMER", "summer-2", "WIN"]


def reference(sessions: list[Session], query: SessionQuery) -> tuple[list[int], bool]:
    """The list as its definition says: filter everything, sort everything, then cut the page."""

    def text_ok(value: object, wanted: str | None) -> bool:
        if wanted is None:
            return True
        values = value if isinstance(value, tuple) else () if value is None else (value,)
        if query.partial_match and len(wanted) >= 3:
            return any(wanted.casefold() in str(v).casefold() for v in values)
        return any(v == wanted for v in values)

    found = [
        s
        for s in sessions
        if (query.state is None or s.state is query.state)
        and (query.created_before is None or s.created < query.created_before)
        and (query.created_after is None or s.created > query.created_after)
        and text_ok(s.profile_id, query.profile)
        and text_ok(s.coupon_codes, query.coupon)
        and text_ok(s.integration_id, query.integration_id)
        and text_ok(s.store_integration_id, query.store_integration_id)
    ]
    found.sort(key=lambda s: (getattr(s, query.sort), s.id), reverse=query.descending)
    page = found[query.skip : query.skip + query.page_size]
    return [s.id for s in page], query.skip + len(page) < len(found)


sessions_specs = st.lists(
    st.tuples(
        st.sampled_from(PROFILES),
        st.sampled_from(list(State)),
        st.lists(st.sampled_from(CODES), max_size=2),
        st.integers(1, 4),  # price
        st.sampled_from([None, "store-a", "STORE-b"]),
        st.booleans(),  # seeded again (a new ID, at the end of the order)
    ),
    max_size=25,
)
one_text = st.one_of(
    st.fixed_dictionaries({"profile": st.sampled_from([*PROFILES, "an", "ANN"])}),
    st.fixed_dictionaries({"coupon": st.sampled_from([*CODES, "sum", "SUMMER-2"])}),
    st.fixed_dictionaries({"integration_id": st.sampled_from(["s-3", "S-1", "s-", "nope"])}),
    st.fixed_dictionaries({"store_integration_id": st.sampled_from(["store-a", "store", "STORE-B"])}),
    st.just({}),
)


@settings(max_examples=300, deadline=None)
@given(
    specs=sessions_specs,
    texts=one_text,
    state=st.none() | st.sampled_from(list(State)),
    partial=st.booleans(),
    sort=st.sampled_from(SORTABLE),
    descending=st.booleans(),
    page_size=st.integers(1, 6),
    skip=st.integers(0, 8),
    created_after=st.none() | st.integers(0, 25),
)
def test_the_list_agrees_with_filtering_and_sorting_everything(
    specs: list[tuple[str, State, list[str], int, str | None, bool]],
    texts: dict[str, str],
    state: State | None,
    partial: bool,
    sort: str,
    descending: bool,
    page_size: int,
    skip: int,
    created_after: int | None,
) -> None:
    backend = Backend(clock=Clock(T0))
    for index, (profile, session_state, codes, price, store, again) in enumerate(specs):
        fields = SessionUpdate(
            profile_id=profile,
            coupon_codes=tuple(codes),
            cart_items=(CartItem("SKU", 1, float(price)),),
            store_integration_id=store,
        )
        backend.seed_session(1, f"s-{index}", session_state, fields)
        backend.seed_session(2, f"s-{index}", State.OPEN, fields)  # another application
        backend.clock.advance(timedelta(minutes=1))
        if again and index % 3 == 0:
            backend.seed_session(1, f"s-{index // 2}", session_state, fields)
    query = SessionQuery(
        page_size=page_size,
        skip=skip,
        sort=sort,
        descending=descending,
        partial_match=partial,
        state=state,
        created_after=None if created_after is None else T0 + timedelta(minutes=created_after),
        **texts,
    )
    page = backend.list_application_sessions(1, query)
    assert ([s.id for s in page.sessions], page.has_more) == reference(backend.sessions(1), query)


def test_partial_match_on_two_text_filters_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="partialMatch applies to one text filter"):
        Backend().list_application_sessions(1, SessionQuery(partial_match=True, profile="ann", coupon="WIN"))


def test_a_seed_over_a_stored_session_replaces_it_and_its_id() -> None:
    backend = Backend()
    first = backend.seed_session(1, "s", State.OPEN)
    backend.seed_session(1, "t", State.OPEN)
    second = backend.seed_session(1, "s", State.CLOSED)
    with pytest.raises(SessionNotFound):
        backend.get_application_session(1, first.id)
    assert backend.get_application_session(1, second.id) == second
    assert [s.integration_id for s in backend.list_application_sessions(1, SessionQuery()).sessions] == [
        "t",
        "s",
    ]


def test_a_history_grows_without_touching_its_earlier_versions() -> None:
    start = History([(Operation.UPDATE, State.OPEN)])
    stored = start.plus((Operation.UPDATE, State.CLOSED))
    dry = stored.plus((Operation.UPDATE, State.CANCELLED))  # a dry run's branch
    real = stored.plus((Operation.RETURN, State.PARTIALLY_RETURNED))
    assert list(start) == [(Operation.UPDATE, State.OPEN)]
    assert stored == ((Operation.UPDATE, State.OPEN), (Operation.UPDATE, State.CLOSED))
    assert (len(dry), dry[-1]) == (3, (Operation.UPDATE, State.CANCELLED))
    assert (len(real), real[-1]) == (3, (Operation.RETURN, State.PARTIALLY_RETURNED))
    assert real[1:] == ((Operation.UPDATE, State.CLOSED), (Operation.RETURN, State.PARTIALLY_RETURNED))
    assert dry != real
    assert hash(stored) == hash(tuple(stored))


def test_seeded_sessions_count_in_their_profiles_aggregates() -> None:
    backend = Backend()
    items = (CartItem("A", 2, 5.0),)
    backend.seed_session(1, "c", State.CLOSED, SessionUpdate(profile_id="p", cart_items=items))
    backend.seed_session(1, "r", State.PARTIALLY_RETURNED, SessionUpdate(profile_id="p", cart_items=items))
    backend.seed_session(1, "x", State.CANCELLED, SessionUpdate(profile_id="p", cart_items=items))
    profile = backend.profile("p")
    assert (profile.closed_sessions, profile.total_sales) == (2, 15.0)  # one unit of "r" returned
    backend.seed_session(1, "c", State.OPEN, SessionUpdate(profile_id="p", cart_items=items))
    assert (backend.profile("p").closed_sessions, backend.profile("p").total_sales) == (1, 5.0)


def test_the_clock_takes_an_rfc_3339_string_and_refuses_anything_else() -> None:
    clock = Clock()
    clock.set("2030-01-01T00:00:00Z")
    assert clock.now() == datetime(2030, 1, 1, tzinfo=UTC)
    clock.set("2030-01-01T02:00:00+02:00")
    assert clock.now() == datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="not an RFC 3339 date-time: 'tomorrow'"):
        clock.set("tomorrow")
    with pytest.raises(TypeError, match="not int"):
        clock.set(1_900_000_000)  # type: ignore[arg-type]
    assert clock.now() == datetime(2030, 1, 1, tzinfo=UTC)  # a refused time changes nothing


def test_the_clock_advances_by_seconds_or_a_timedelta_and_refuses_anything_else() -> None:
    clock = Clock(datetime(2030, 1, 1, tzinfo=UTC))
    clock.advance(3600)
    clock.advance(0.25)
    clock.advance(timedelta(minutes=1))
    assert clock.now() == datetime(2030, 1, 1, 1, 1, 0, 250_000, tzinfo=UTC)
    for wrong in ("3600", None, True):
        with pytest.raises(TypeError, match=r"takes a timedelta or seconds \(an int or float\), not"):
            clock.advance(wrong)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite number of seconds, not nan"):
        clock.advance(float("nan"))
    assert clock.now() == datetime(2030, 1, 1, 1, 1, 0, 250_000, tzinfo=UTC)  # a refused step changes nothing


def test_a_partially_returned_seed_needs_a_cart_and_a_refused_one_stores_nothing() -> None:
    backend = Backend(clock=Clock(T0))
    with pytest.raises(
        InvalidRequest, match="empty cart: nothing could have been returned; give it cart_items"
    ):
        backend.seed_session(1, "r", State.PARTIALLY_RETURNED)
    assert backend.sessions() == []
    seeded = backend.seed_session(
        1, "r", State.PARTIALLY_RETURNED, SessionUpdate(cart_items=(CartItem("A", 2),))
    )
    assert [(i.returned_quantity, i.remaining_quantity) for i in seeded.cart_items] == [(1, 1)]
    assert seeded.id == 1  # the refused seed took no ID
