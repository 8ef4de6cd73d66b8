"""Every generated entity: how it is rendered, which states and traits apply, and option checks.

Responses the fake serves are rendered by :mod:`talon_fakes.fake.domain.wire` from the domain objects of
:mod:`talon_fakes.generators.builders`, so generated documents and the fake's answers have the same shape.
The other shapes are cut from those renderings by their contracts (:func:`overrides.project`):
a request keeps the fields its contract defines, less the readOnly ones; the V1 and legacy
sessions keep theirs. Only the request envelopes are spelled here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from talon_fakes.contracts.loading import schema
from talon_fakes.errors import UnknownFactory
from talon_fakes.fake.domain import wire
from talon_fakes.fake.domain.changes import Outcome
from talon_fakes.fake.domain.model import Session
from talon_fakes.generators import builders, promotions
from talon_fakes.generators.builders import Spec
from talon_fakes.generators.overrides import project
from talon_fakes.generators.sources import Pools, Source
from talon_fakes.generators.traits import Entity
from talon_fakes.states import Operation, State

Json = dict[str, Any]


def _session(source: Source, pools: Pools, spec: Spec) -> Session:
    return builders.session(source, pools, spec)


def _draft(source: Source, pools: Pools, spec: Spec) -> Session:
    """What a client sends: a session's fields and a cart, in a state an update may ask for."""
    state = builders.pick_state(source, spec)
    items = tuple(builders.cart(source, pools, spec, builders.EPOCH))
    return builders.draft(source, pools, spec, builders.EPOCH, state=state, cart_items=items)


def customer_session_v2(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``customer-session-v2`` (the fake's rendering)."""
    return wire.customer_session(_session(source, pools, spec))


def application_session(source: Source, pools: Pools, spec: Spec) -> Json:
    """An ``application-session`` (the fake's rendering)."""
    return wire.application_session(_session(source, pools, spec))


def _v1(session: Session) -> Json:
    doc: Json = project(
        {**wire.application_session(session), **wire.customer_session(session)}, "customer-session-v1"
    )
    return doc


def customer_session_v1(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``customer-session-v1``: the V2 rendering cut to V1 (single coupon and referral, discounts)."""
    return _v1(_session(source, pools, spec))


def customer_session_v2_legacy(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``customer-session-v2-legacy``: its total leaves out item-level costs."""
    doc: Json = project(wire.customer_session(_session(source, pools, spec)), "customer-session-v2-legacy")
    doc["total"] = round(doc["cartItemTotal"] + doc["additionalCostTotal"], 6)
    return doc


def project_request(session: Session) -> Json:
    """What a client sends for ``session``: a ``new-customer-session-v2``."""
    doc: Json = project(wire.customer_session(session), "new-customer-session-v2", request=True)
    return doc


def new_customer_session_v2(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``new-customer-session-v2``: the ``customerSession`` of a PUT."""
    session = _draft(source, pools, spec)
    doc = project_request(session)
    if session.state is State.OPEN and len(spec.states) > 1 and source.chance(0.5):
        del doc["state"]  # open is the default
    return doc


def new_customer_session_v1(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``new-customer-session-v1`` (client-supplied total)."""
    session = _draft(source, pools, spec)
    doc: Json = project(_v1(session), "new-customer-session-v1", request=True)
    if session.state is State.OPEN and len(spec.states) > 1 and source.chance(0.5):
        del doc["state"]
    return doc


def response_content(source: Source, contract: str, *, leave_out: Iterable[str] = ()) -> list[str]:
    """A ``responseContent`` list from the contract's enum: ``customerSession`` and a few others."""
    enum = schema(contract)["properties"]["responseContent"]["items"]["enum"]
    # campaignEligibility is for dry runs only and clashes with other values (SPEC-NOTES).
    others = [name for name in enum if name not in ("customerSession", "campaignEligibility", *leave_out)]
    return ["customerSession", *(name for name in others if source.chance(0.15))]


def integration_request(customer_session: Json, content: list[str]) -> Json:
    """The whole PUT body."""
    return {"customerSession": customer_session, "responseContent": content}


def integration_request_v2(source: Source, pools: Pools, spec: Spec) -> Json:
    """An ``integration-request-v2``: the whole PUT body."""
    body = new_customer_session_v2(source, pools, spec)
    return integration_request(body, response_content(source, "integration-request-v2"))


def return_body(source: Source, session: Session) -> Json:
    """A returns body for units still in ``session``'s cart (one to three lines, by position)."""
    left = [n for n, item in enumerate(session.cart_items) if item.remaining_quantity]
    count = source.integer(1, min(3, len(left)))
    start = source.integer(0, len(left) - count)
    lines = []
    for position in left[start : start + count]:
        item = session.cart_items[position]
        line: Json = {"position": position, "quantity": source.integer(1, item.remaining_quantity)}
        if source.chance(0.5):
            line["sku"] = item.sku
        lines.append(line)
    return {
        "return": {"returnedCartItems": lines},
        "responseContent": response_content(source, "return-request"),
    }


def return_request(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``return-request`` for a cart a client sent."""
    sized = replace(spec, min_items=1, max_items=max(spec.max_items, 1))
    items = tuple(builders.cart(source, pools, sized, builders.EPOCH))
    return return_body(source, builders.draft(source, pools, spec, builders.EPOCH, cart_items=items))


def integration_state_v2(source: Source, pools: Pools, spec: Spec) -> Json:
    """An ``integration-state-v2``: the session, maybe its profile, effects; the return after a return."""
    session = _session(source, pools, spec)
    wanted = "with_profile" in spec.traits or (bool(session.profile_id) and source.chance(0.6))
    known = builders.profile(source, pools, session) if wanted and session.profile_id else None
    content = response_content(source, "integration-request-v2", leave_out=("customerProfile",))
    if known is not None:
        content.insert(1, "customerProfile")
    last_move = session.history[-1][0] if session.history else None
    created = session.returns[-1] if last_move is Operation.RETURN else None
    return wire.integration_state(
        Outcome(session, known, created),
        effects=promotions.answer(source, pools, session, spec.traits),
        response_content=content,
    )


def customer_session_response_v2(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``customer-session-response-v2`` (GET session)."""
    session = _session(source, pools, spec)
    return {
        "customerSession": wire.customer_session(session),
        "effects": promotions.still_valid(source, pools, session, spec.traits),
    }


def application_sessions_page(source: Source, pools: Pools, spec: Spec) -> Json:
    """An ``application-sessions-page`` of up to three sessions."""
    data = [application_session(source, pools, spec) for _ in range(source.integer(0, 3))]
    return {"hasMore": source.chance(0.3), "data": data}


def _one_line(source: Source, pools: Pools, spec: Spec) -> Session:
    item = builders.cart_item(source, pools, spec, builders.EPOCH)
    return Session(0, "", 0, builders.EPOCH, builders.EPOCH, cart_items=(item,))


def cart_item(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``cart-item`` as a client sends it (no readOnly fields)."""
    rendered = wire.customer_session(_one_line(source, pools, spec))["cartItems"][0]
    return project(rendered, "cart-item", request=True)  # type: ignore[no-any-return]


def additional_cost(source: Source, pools: Pools, spec: Spec) -> Json:
    """An ``additional-cost``."""
    name, low, high = source.pick(builders.SESSION_COSTS)
    session = Session(
        0, "", 0, builders.EPOCH, builders.EPOCH, additional_costs={name: source.integer(low, high) / 100}
    )
    return wire.customer_session(session)["additionalCosts"][name]  # type: ignore[no-any-return]


def _closed_with_codes(source: Source, pools: Pools, spec: Spec) -> Session:
    wanted = replace(spec, traits=spec.traits | {"with_coupons"}, states=(State.CLOSED,), min_items=1)
    return builders.session(source, pools, wanted)


def effect(source: Source, pools: Pools, spec: Spec) -> Json:
    """One ``effect`` of the rule engine, for a session with coupons: an evaluation's, or (without
    outcome traits, one time in four) a rollback; an outcome trait picks an effect of that outcome."""
    session = _closed_with_codes(source, pools, spec)
    found = promotions.plan(source, pools, session, spec.traits)
    if not promotions.OUTCOME_TRAITS.keys() & spec.traits:
        if source.chance(0.25):
            undone = promotions.rollbacks(source, session, found)
            if undone:
                return source.pick(undone)
        return source.pick(
            promotions.evaluation(source, session, found) + promotions.extras(source, pools, session)
        )
    made = promotions.evaluation(source, session, found)
    return source.pick([e for e in made if promotions.outcome_traits(e) & spec.traits])


def reopen_response(source: Source, pools: Pools, spec: Spec) -> Json:
    """A ``reopen-response``: the effects reopening a closed session rolled back (of its coupons,
    discounts and referral), or none."""
    if not source.chance(0.7):
        return {"effects": []}
    session = _closed_with_codes(source, pools, spec)
    found = promotions.plan(source, pools, session, frozenset({"coupon_accepted"}))
    return {"effects": promotions.rollbacks(source, session, found)}


_ERRORS = (
    ("customerSession.cartItems[0].quantity: must be >= 1", "/customerSession/cartItems/0/quantity"),
    (
        "customerSession.state: must be one of open, closed, partially_returned, cancelled",
        "/customerSession/state",
    ),
    ("the request needs a JSON body", ""),
)


def error_response(source: Source, pools: Pools, spec: Spec) -> Json:
    """An ``error-response`` (400)."""
    message, pointer = source.pick(_ERRORS)
    return wire.error_response(message, pointer=pointer, title="bad request")


def error_response_with_status(source: Source, pools: Pools, spec: Spec) -> Json:
    """An ``error-response-with-status`` (401, 404, 409)."""
    status, title, message = source.pick(
        (
            (401, "unauthorized", "no valid API key in the Authorization header"),
            (404, "not found", "no customer session 'order-1' in application 1"),
            (409, "conflict", "Too many requests are updating this session at the same time"),
        )
    )
    return wire.error_with_status(message, status, title=title)


ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        Entity("customer-session-v2", customer_session_v2, "customer-session-v2"),
        Entity("new-customer-session-v2", new_customer_session_v2, "new-customer-session-v2"),
        Entity("integration-request-v2", integration_request_v2, "new-customer-session-v2"),
        Entity("integration-state-v2", integration_state_v2, "customer-session-v2"),
        Entity("return-request", return_request),
        Entity("application-session", application_session, "application-session"),
        Entity("customer-session-v1", customer_session_v1, "customer-session-v1"),
        Entity("new-customer-session-v1", new_customer_session_v1, "new-customer-session-v1"),
        Entity("customer-session-v2-legacy", customer_session_v2_legacy, "customer-session-v2-legacy"),
        Entity("cart-item", cart_item),
        Entity("additional-cost", additional_cost),
        Entity("customer-session-response-v2", customer_session_response_v2, "customer-session-v2"),
        Entity("application-sessions-page", application_sessions_page, "application-session"),
        Entity("effect", effect),
        Entity("reopen-response", reopen_response),
        Entity("error-response", error_response),
        Entity("error-response-with-status", error_response_with_status),
    )
}


def entity(name: str) -> Entity:
    """The entity of a contract name (``customer_session_v2`` spelled with underscores works too)."""
    key = name.replace("_", "-") if isinstance(name, str) else name
    if key in ENTITIES:
        return ENTITIES[key]
    close = difflib.get_close_matches(str(key), list(ENTITIES), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise UnknownFactory(f"no factory for {name!r}{hint} Factories: {', '.join(ENTITIES)}")
