"""Session histories: requests that a rule set allows, one after another, and one it forbids.

A history is a list of ``(Operation, payload)`` steps against one session: the PUT body of an
update, the POST body of a return, ``None`` for a reopen. Every move comes from the transition
table (:mod:`talon_fakes.states`); the payloads follow the session as the fake keeps it (a return
only names units still in the cart), so a fake that follows the same rules accepts every step.
Built on a :class:`~talon_fakes.generators.sources.Source`, like every generator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from talon_fakes.fake.domain.model import CartItem, Session
from talon_fakes.generators import builders, entities
from talon_fakes.generators.builders import Spec
from talon_fakes.generators.sources import Pools, Source
from talon_fakes.states import Operation, RuleSet, State, Transition

Step = tuple[Operation, Any]


@dataclass(frozen=True)
class IllegalStep:
    """A step the rules forbid after a history: what it asks for, from which state."""

    operation: Operation
    payload: Any
    source: State | None
    target: State


def _extendable(rules: RuleSet) -> frozenset[State | None]:
    """The states from which ``open`` can be reached again, where a history can always go on."""
    return frozenset(state for state in builders.distances(rules, State.OPEN, True))


def _update(
    source: Source, pools: Pools, spec: Spec, here: State | None, move: Transition
) -> tuple[Any, Session | None]:
    """The PUT body of an update move, and the session it sends (``None``: only the state)."""
    if here not in (None, State.OPEN):  # a closed or returned session: only its state changes
        body = entities.integration_request({"state": move.target.value}, ["customerSession"])
        return body, None
    chosen = replace(spec, states=(move.target,))
    items = tuple(builders.cart(source, pools, chosen, builders.EPOCH))
    session = builders.draft(source, pools, chosen, builders.EPOCH, state=move.target, cart_items=items)
    sent = entities.project_request(session)
    if here is not None and move.target is here and source.chance(0.5):
        del sent["state"]  # leaving the state out keeps it
    elif here is None and move.target is State.OPEN and source.chance(0.5):
        del sent["state"]  # a new session is open unless told otherwise
    kept = here is not None and source.chance(0.3)
    if kept:
        del sent["cartItems"]  # leaving the cart out keeps it
    content = entities.response_content(source, "integration-request-v2")
    return entities.integration_request(sent, content), None if kept else session


def _returned(cart: tuple[CartItem, ...], body: Any) -> tuple[CartItem, ...]:
    lines = list(cart)
    for line in body["return"]["returnedCartItems"]:
        item = lines[line["position"]]
        lines[line["position"]] = replace(item, returned_quantity=item.returned_quantity + line["quantity"])
    return tuple(lines)


def history(
    source: Source, pools: Pools, spec: Spec, *, min_steps: int, max_steps: int
) -> tuple[list[Step], State | None, tuple[CartItem, ...]]:
    """A legal history of ``min_steps`` to ``max_steps`` steps; also the state and cart it leaves."""
    rules = spec.rules
    extendable = _extendable(rules)
    here: State | None = None
    cart: tuple[CartItem, ...] = ()
    steps: list[Step] = []
    while len(steps) < max_steps:
        if len(steps) >= max(min_steps, 1) and not source.chance(0.75):
            break
        units = sum(item.remaining_quantity for item in cart)
        moves = [m for m in rules.moves_from(here) if units or m.operation is not Operation.RETURN]
        if len(steps) < min_steps - 1:  # more steps must follow: keep a way back to open
            moves = [m for m in moves if m.target in extendable]
        if not moves:
            break
        move = source.pick(builders.ordered(moves))
        if move.operation is Operation.UPDATE:
            payload, sent = _update(source, pools, spec, here, move)
            if sent is not None:
                cart = sent.cart_items
        elif move.operation is Operation.RETURN:
            payload = entities.return_body(source, _holder(cart))
            cart = _returned(cart, payload)
        else:
            payload = None
        steps.append((move.operation, payload))
        here = move.target
    return steps, here, cart


def _holder(cart: tuple[CartItem, ...]) -> Session:
    return Session(0, "", 0, builders.EPOCH, builders.EPOCH, cart_items=cart)


def illegal_step(
    source: Source, rules: RuleSet, here: State | None, cart: tuple[CartItem, ...]
) -> IllegalStep:
    """A request the rules forbid in state ``here`` (``None``: no session yet), otherwise well formed."""
    candidates: list[tuple[Operation, State | None]] = []  # target None: the update leaves it out
    for target in State:
        if not rules.allows(here, target, Operation.UPDATE):
            candidates.append((Operation.UPDATE, target))
    if here is not None and not rules.allows(here, here, Operation.UPDATE):
        candidates.append((Operation.UPDATE, None))  # an edit that leaves the state out keeps it
    if here is not None and not rules.allows(here, State.PARTIALLY_RETURNED, Operation.RETURN):
        candidates.append((Operation.RETURN, State.PARTIALLY_RETURNED))
    if here is not None and not rules.allows(here, State.OPEN, Operation.REOPEN):
        candidates.append((Operation.REOPEN, State.OPEN))
    operation, asked = source.pick(candidates)
    if operation is Operation.UPDATE:
        sent = {"state": asked.value} if asked is not None else {"attributes": {"Edited": True}}
        payload: Any = entities.integration_request(sent, ["customerSession"])
        return IllegalStep(operation, payload, here, asked or here or State.OPEN)
    if operation is Operation.RETURN:
        if any(item.remaining_quantity for item in cart):
            payload = entities.return_body(source, _holder(cart))
        else:  # nothing to return: the state is checked first, so the line need not fit
            payload = {"return": {"returnedCartItems": [{"position": 0, "quantity": 1}]}}
        return IllegalStep(operation, payload, here, State.PARTIALLY_RETURNED)
    return IllegalStep(operation, None, here, State.OPEN)
