"""A Hypothesis state machine that drives the fake over HTTP against the transition table.

Every expected status comes from ``rule_set(name).allows(source, target, operation)``: nothing in
this module restates a rule. The model keeps, per session, the state, the update count, the
(operation, state) steps and the cart; every response body is checked against its contract in
strict mode (the ``client`` fixture does that), and every rejected request must leave the stored
session exactly as it was. ``test_model_based.py`` runs it, alone and with declared campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from talon_fakes import Operation, RuleSet, State, Transition

if TYPE_CHECKING:
    import requests
    from conftest import Client  # tests/http/conftest.py


# A small pool, so that creations and updates of existing sessions both happen; one ID needs
# percent-encoding (a space and non-ASCII).
SESSION_IDS = ("s1", "s2", "sess ü 3")
KEYS = ("key-1", "key-2")

session_ids = st.sampled_from(SESSION_IDS)
# None: the request leaves `state` out.
states = st.none() | st.sampled_from(list(State))
Cart = list[tuple[str, int, float]]  # (sku, quantity, price) per line
Codes = list[str] | None
ROLLED_BACK = {
    "acceptCoupon": "rollbackCoupon",
    "acceptReferral": "rollbackReferral",
    "setDiscount": "rollbackDiscount",
    "setDiscountPerItem": "rollbackDiscount",
}
cart_lines = st.tuples(
    st.sampled_from(["SKU-A", "SKU-B"]), st.integers(1, 3), st.sampled_from([0.5, 1.25, 10.0])
)
full_carts = st.lists(cart_lines, min_size=1, max_size=3)
carts = st.one_of(full_carts, st.none(), st.just([]))  # None: the request leaves the cart out
dry_runs = st.integers(0, 3).map(lambda n: n == 0)  # one request in four


def returned_lines(cart_size: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    """Mostly lines that can be valid; sometimes a position off the cart or a quantity of 0."""
    positions = st.integers(0, max(cart_size - 1, 0)) | st.sampled_from([-1, cart_size])
    quantities = st.integers(1, 3) | st.just(0)
    lines = st.tuples(positions, quantities)
    return st.lists(lines, min_size=1, max_size=2) | st.lists(lines, max_size=0)


@dataclass
class Expected:
    """What the fake must hold for one session."""

    state: State
    update_count: int = 1
    steps: list[tuple[Operation, State]] = field(default_factory=list)
    cart: list[list[Any]] = field(default_factory=list)  # [price, quantity, returned] per line

    @property
    def remaining(self) -> list[int]:
        return [quantity - returned for _, quantity, returned in self.cart]

    @property
    def cart_item_total(self) -> float:
        return sum(price * (quantity - returned) for price, quantity, returned in self.cart)


def remaining_of(session: dict[str, Any]) -> list[int]:
    return [item["remainingQuantity"] for item in session["cartItems"]]


def pointer(response: requests.Response) -> str | None:
    return response.json()["errors"][0]["source"].get("pointer")


def parameter(response: requests.Response) -> str | None:
    return response.json()["errors"][0]["source"].get("parameter")


class SessionMachine(RuleBasedStateMachine):
    """Creates, updates, returns, reopens and reads sessions, and checks them against the model."""

    def __init__(self, client: Client, rules: RuleSet) -> None:
        super().__init__()
        self.client, self.rules = client, rules
        client.fake.reset()  # one clean fake per Hypothesis example
        self.model: dict[str, Expected] = {}
        # (session, Idempotency-Key) -> ((lines, dry) of the first request, its answer)
        self.replays: dict[tuple[str, str], tuple[tuple[Any, bool], Any]] = {}
        self.snapshot: dict[str, Any] = {}  # session -> its GET body (None: 404), after the last step
        self.checks = 0

    # -- helpers -----------------------------------------------------------------------------

    def source(self, session_id: str) -> State | None:
        expected = self.model.get(session_id)
        return None if expected is None else expected.state

    def before(self, session_id: str) -> Any:
        """The GET body as the last invariant check read it (saves a request per step)."""
        if session_id not in self.snapshot:
            self.snapshot[session_id] = self.client.stored(session_id)
        return self.snapshot[session_id]

    def assert_unchanged(self, session_id: str, before: Any) -> None:
        assert self.client.stored(session_id) == before, f"a rejected or dry request changed {session_id!r}"

    def step(self, session_id: str, operation: Operation, state: State) -> Expected:
        """Record a persisted move (the snapshot of the session is stale from here)."""
        self.snapshot.pop(session_id, None)
        expected = self.model[session_id]
        expected.state = state
        expected.update_count += 1
        expected.steps.append((operation, state))
        return expected

    # -- requests: each one checks its outcome against the table and the model ----------------

    def put(
        self, session_id: str, state: State | None, cart: Cart | None, *, dry: bool, coupons: Codes = None
    ) -> None:
        source = self.source(session_id)
        goal = state or source or State.OPEN  # a PUT without `state` keeps it (new: open)
        body: dict[str, Any] = {}
        if state is not None:
            body["state"] = state.value
        if coupons is not None:
            body["couponCodes"] = coupons
        if cart is not None:
            body["cartItems"] = [{"sku": sku, "quantity": n, "price": price} for sku, n, price in cart]
        before = self.before(session_id)
        response = self.client.update(session_id, body, dry=dry)
        if not self.rules.allows(source, goal, Operation.UPDATE):
            assert response.status_code == 400, response.text
            assert pointer(response) == "/customerSession/state"
            self.assert_unchanged(session_id, before)
            return
        assert response.status_code == 200, response.text
        session = response.json()["customerSession"]
        assert session["state"] == goal.value
        lines = [[price, quantity, 0] for _, quantity, price in cart or []]
        if dry:  # persists nothing, and evaluates this payload alone
            assert remaining_of(session) == [quantity for _, quantity, _ in lines]
            self.assert_unchanged(session_id, before)
            return
        if source is None:
            self.snapshot.pop(session_id, None)
            self.model[session_id] = Expected(goal, 1, [(Operation.UPDATE, goal)], lines)
        else:
            expected = self.step(session_id, Operation.UPDATE, goal)
            if cart is not None:  # a sent cart replaces the stored one
                expected.cart = lines
        assert session["updateCount"] == self.model[session_id].update_count
        assert remaining_of(session) == self.model[session_id].remaining

    def put_a_bad_body(self, session_id: str, quantity: int) -> None:
        """Whatever the state, a body that breaks its contract is a 400 that changes nothing."""
        before = self.before(session_id)
        response = self.client.update(session_id, {"cartItems": [{"sku": "SKU-A", "quantity": quantity}]})
        assert response.status_code == 400, response.text
        assert pointer(response) == "/customerSession/cartItems/0/quantity"
        self.assert_unchanged(session_id, before)

    def post_return(
        self, session_id: str, lines: list[tuple[int, int]], key: str | None, *, dry: bool
    ) -> None:
        items = [{"position": position, "quantity": quantity} for position, quantity in lines]
        before = self.before(session_id)
        response = self.client.return_items(
            session_id, items, key=key, dry=dry, response_content=("customerSession", "previousReturns")
        )
        expected = self.model.get(session_id)
        if expected is None:
            assert response.status_code == 404, response.text
            return
        if key is not None and (session_id, key) in self.replays:
            first_request, first_answer = self.replays[session_id, key]
            if (items, dry) == first_request:
                assert response.status_code == 200, response.text
                assert response.json() == first_answer, "a replay differs from the first answer"
            else:  # a key is for one request only
                assert response.status_code == 400, response.text
                assert parameter(response) == "Idempotency-Key"
            self.assert_unchanged(session_id, before)
            return
        if not self.rules.allows(expected.state, State.PARTIALLY_RETURNED, Operation.RETURN):
            assert response.status_code == 400, response.text
            assert parameter(response) == "customerSessionId"  # the state forbids it, not the body
            self.assert_unchanged(session_id, before)
            return
        cart, problem = [line.copy() for line in expected.cart], None
        if not lines:
            problem = "/return/returnedCartItems"
        for index, (position, quantity) in enumerate(lines):
            if not 0 <= position < len(cart):
                problem = f"/return/returnedCartItems/{index}/position"
                break
            _, bought, returned = cart[position]
            if not 1 <= quantity <= bought - returned:
                problem = f"/return/returnedCartItems/{index}/quantity"
                break
            cart[position][2] += quantity
        if problem is not None:
            assert response.status_code == 400, response.text
            assert pointer(response) == problem
            self.assert_unchanged(session_id, before)
            return
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["customerSession"]["state"] == State.PARTIALLY_RETURNED.value
        assert remaining_of(body["customerSession"]) == [bought - returned for _, bought, returned in cart]
        assert body["return"]["returnedCartItems"] == items
        if dry:
            self.assert_unchanged(session_id, before)
            return
        self.step(session_id, Operation.RETURN, State.PARTIALLY_RETURNED).cart = cart
        if key is not None:
            self.replays[session_id, key] = ((items, dry), body)

    def put_reopen(self, session_id: str) -> None:
        before = self.before(session_id)
        response = self.client.reopen(session_id)
        expected = self.model.get(session_id)
        if expected is None:
            assert response.status_code == 404, response.text
        elif not self.rules.allows(expected.state, State.OPEN, Operation.REOPEN):
            assert response.status_code == 400, response.text
            assert parameter(response) == "customerSessionId"
            self.assert_unchanged(session_id, before)
        else:
            assert response.status_code == 200, response.text
            # The rollbacks of what the closed session held (docs: "Rolling back effects").
            held = [e for e in (before or {}).get("effects", []) if e["effectType"] in ROLLED_BACK]
            rolled = response.json()["effects"]
            assert list(response.json()) == ["effects"]
            assert [(e["effectType"], e["campaignId"]) for e in rolled] == [
                (ROLLED_BACK[e["effectType"]], e["campaignId"]) for e in held
            ]
            self.step(session_id, Operation.REOPEN, State.OPEN)

    # -- rules -------------------------------------------------------------------------------

    @initialize(data=st.data(), carts=st.tuples(full_carts, full_carts))
    def create_two_sessions(self, data: st.DataObject, carts: tuple[Cart, Cart]) -> None:
        """Start with s1 and s2 (in a state the table may or may not allow); the third comes later."""
        initial = sorted(self.rules.initial_states)
        for session_id, cart in zip(SESSION_IDS[:2], carts, strict=True):
            state = data.draw(st.sampled_from(initial) | states, label=f"{session_id} state")
            self.put(session_id, state, cart, dry=False)

    @rule(data=st.data(), session_id=session_ids, state=states, cart=carts, dry=dry_runs)
    def update(
        self, data: st.DataObject, session_id: str, state: State | None, cart: Cart | None, dry: bool
    ) -> None:
        """Any state, legal or not, for a new or a stored session; sometimes a body that is bad."""
        if data.draw(st.integers(0, 7), label="bad body one time in eight") == 0:
            self.put_a_bad_body(session_id, data.draw(st.sampled_from([0, -1]), label="quantity"))
        else:
            coupons = data.draw(self.coupon_codes, label="couponCodes")
            self.put(session_id, state, cart, dry=dry, coupons=coupons)

    #: What ``couponCodes`` a PUT sends (None: it leaves them out); the campaigns machine sends some.
    coupon_codes: st.SearchStrategy[Codes] = st.none()

    @rule(data=st.data(), session_id=session_ids, key=st.none() | st.sampled_from(KEYS), dry=dry_runs)
    def return_items(self, data: st.DataObject, session_id: str, key: str | None, dry: bool) -> None:
        """Any lines, valid or not, from any session, known or not."""
        expected = self.model.get(session_id)
        lines = data.draw(returned_lines(len(expected.cart) if expected else 1), label="lines")
        self.post_return(session_id, lines, key, dry=dry)

    @rule(session_id=session_ids)
    def reopen(self, session_id: str) -> None:
        self.put_reopen(session_id)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        """A stored session (often deep in its history) makes a move: mostly one the table allows,
        so that every state gets reached, else any operation towards any state."""
        session_id = data.draw(st.sampled_from(sorted(self.model)), label="session_id")
        expected = self.model[session_id]
        moves = self.rules.moves_from(expected.state)
        # Mostly moves that lead on (cancelled would end the session's story early).
        onward = [move for move in moves if self.rules.moves_from(move.target)] or moves
        anything = [Transition(expected.state, state, Operation.UPDATE) for state in State] + [
            Transition(expected.state, State.PARTIALLY_RETURNED, Operation.RETURN),
            Transition(expected.state, State.OPEN, Operation.REOPEN),
        ]
        choices = [st.sampled_from(onward), st.sampled_from(moves)] if moves else []
        move = data.draw(st.one_of(*choices, st.sampled_from(anything)), label="move")
        if move.operation is Operation.UPDATE:
            cart = data.draw(st.none() | full_carts, label="cart")  # keep it, or a new one to return
            coupons = data.draw(self.coupon_codes, label="couponCodes")
            self.put(session_id, move.target, cart, dry=False, coupons=coupons)
        elif move.operation is Operation.RETURN:
            left = [(index, bought - returned) for index, (_, bought, returned) in enumerate(expected.cart)]
            lines = [(index, data.draw(st.integers(1, n), label="quantity")) for index, n in left if n][:1]
            key = data.draw(st.none() | st.sampled_from(KEYS), label="key")
            self.post_return(session_id, lines or [(0, 1)], key, dry=False)
        else:
            self.put_reopen(session_id)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def the_fake_holds_the_model(self) -> None:
        for session_id in SESSION_IDS:
            expected = self.model.get(session_id)
            response = self.client.get(session_id)
            self.snapshot[session_id] = response.json() if response.status_code == 200 else None
            if expected is None:
                assert response.status_code == 404, response.text
                continue
            assert response.status_code == 200, response.text
            session = response.json()["customerSession"]
            assert (session["state"], session["updateCount"]) == (expected.state.value, expected.update_count)
            assert remaining_of(session) == expected.remaining
            assert session["cartItemTotal"] == pytest.approx(expected.cart_item_total)
            assert list(self.client.fake.history(session_id)) == expected.steps

    @invariant()
    def the_management_list_agrees(self) -> None:
        # The whole list; every fourth check also the list filtered by one state (each in turn).
        self.checks += 1
        filtered = [list(State)[self.checks // 4 % len(State)]] if self.checks % 4 == 0 else []
        for state in (None, *filtered):
            response = self.client.list_sessions(state=state and state.value)
            assert response.status_code == 200, response.text
            listed = {session["integrationId"]: session["state"] for session in response.json()["data"]}
            assert listed == {
                session_id: expected.state.value
                for session_id, expected in self.model.items()
                if state is None or expected.state is state
            }

    @invariant()
    def the_server_thread_raised_nothing(self) -> None:
        self.client.fake.check_errors()
