"""The fake accepts every ``session_histories`` history and rejects every ``illegal_transitions`` step.

Driven with ``requests`` as a client would: in process (fast, many examples) and over a real
socket (the ``fake_for`` servers of conftest.py, fewer examples). Every answer is checked against
its contract in strict mode; after a rejected step the stored session must be as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy

import talon_fakes
from talon_fakes.fake.server import TalonFake
from talon_fakes.generators import strategies as ts
from talon_fakes.generators.factories import Factories
from talon_fakes.states import Operation, State

T = TypeVar("T")
RULES = ["current", "v1", "legacy"]
CONDITIONAL = {"storeIntegrationId", "evaluableCampaignIds", "experimentVariantAllocations"}
SESSION = "/v2/customer_sessions/hist-1"
OK_CONTRACT = {
    Operation.UPDATE: "integration-state-v2",
    Operation.RETURN: "integration-state-v2",
    Operation.REOPEN: "reopen-response",
}


class Driver:
    """Sends history steps to one fake at ``base`` (in process or over HTTP)."""

    def __init__(self, fake: TalonFake, base: str, *, examples: int) -> None:
        self.fake, self.base, self.http = fake, base, requests.Session()
        self.examples = examples  # Hypothesis examples per test: fewer over a real socket

    def send(self, operation: Operation, payload: Any) -> requests.Response:
        url, headers = self.base + SESSION, self.fake.integration_headers
        if operation is Operation.UPDATE:
            return self.http.put(url, json=payload, headers=headers)
        if operation is Operation.RETURN:
            return self.http.post(url + "/returns", json=payload, headers=headers)
        return self.http.put(url + "/reopen", headers=headers)

    def stored(self) -> Any:
        return self.http.get(self.base + SESSION, headers=self.fake.integration_headers).json()


def expected_state(operation: Operation, payload: Any, before: State | None) -> State:
    """The state a legal step leaves (an update without a state keeps it; a new session is open)."""
    if operation is Operation.RETURN:
        return State.PARTIALLY_RETURNED
    if operation is Operation.REOPEN:
        return State.OPEN
    asked = payload["customerSession"].get("state")
    return State(asked) if asked else (before or State.OPEN)


def assert_clean(body: Any, contract: str) -> None:
    violations = talon_fakes.validate(body, contract, strict=True)
    assert violations == [], f"{contract}: " + "; ".join(map(str, violations))


def replay(driver: Driver, history: list[tuple[Operation, Any]]) -> State | None:
    """Send every step, each must be accepted; return the state the session ends in."""
    state: State | None = None
    for index, (operation, payload) in enumerate(history):
        response = driver.send(operation, payload)
        assert response.status_code == 200, f"step {index} {operation.value}: {response.text}"
        assert_clean(response.json(), OK_CONTRACT[operation])
        state = expected_state(operation, payload, state)
        if operation is not Operation.REOPEN:
            assert response.json()["customerSession"]["state"] == state.value
    return state


@pytest.fixture(params=["in-process", "http"])
def drive(
    request: pytest.FixtureRequest, fake_for: Callable[[str], TalonFake]
) -> Iterator[Callable[[str], Driver]]:
    """A function making a driver for a rule set's fake, in process or over a socket."""
    opened: list[Any] = []

    def make(rules: str) -> Driver:
        if request.param == "http":
            fake = fake_for(rules)
            return Driver(fake, fake.base_url, examples=30)
        fake = TalonFake(rules=rules)
        context = fake.in_process()
        opened.append(context)
        return Driver(fake, context.__enter__(), examples=120)

    yield make
    for context in opened:
        context.__exit__(None, None, None)


def run(driver: Driver, strategy: SearchStrategy[T], check: Callable[[T], None]) -> None:
    """Run ``check`` on examples of ``strategy``, each against a freshly reset fake."""

    @settings(max_examples=driver.examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy)
    def each(value: T) -> None:
        driver.fake.reset()
        check(value)

    each()
    driver.fake.check_errors()


@pytest.mark.parametrize("rules", RULES)
def test_every_legal_history_is_accepted(rules: str, drive: Callable[[str], Driver]) -> None:
    driver = drive(rules)

    def check(history: list[tuple[Operation, Any]]) -> None:
        end = replay(driver, history)
        assert end is not None
        assert driver.stored()["customerSession"]["state"] == end.value
        assert [operation for operation, _ in driver.fake.history("hist-1")] == [op for op, _ in history]

    run(driver, ts.session_histories(rules=rules, max_steps=8), check)


@pytest.mark.parametrize("rules", RULES)
def test_every_illegal_step_is_rejected(rules: str, drive: Callable[[str], Driver]) -> None:
    driver = drive(rules)

    def check(case: tuple[list[tuple[Operation, Any]], tuple[Operation, Any]]) -> None:
        history, (operation, payload) = case
        replay(driver, history)
        before = driver.stored() if history else None
        response = driver.send(operation, payload)
        assert response.status_code == 400, response.text
        assert_clean(response.json(), "error-response")
        assert response.json()["errors"][0]["title"] == "invalid state transition", response.text
        after = driver.stored() if history else None
        assert after == before, "a rejected step changed the session"

    run(driver, ts.illegal_transitions(rules=rules), check)


@pytest.mark.parametrize("rules", RULES)
def test_generated_requests_are_what_the_fake_takes(rules: str) -> None:
    """Factory requests (in every state an update may ask for) create sessions the fake renders alike."""
    factories = Factories(seed=31, rules=rules)
    fake = TalonFake(rules=rules)
    with fake.in_process() as base:
        driver = Driver(fake, base, examples=0)
        for body in factories.batch("integration-request-v2", 40):
            fake.reset()
            asked = State(body["customerSession"].get("state", "open"))
            response = driver.send(Operation.UPDATE, body)
            if not fake.backend.rules.allows(None, asked, Operation.UPDATE):
                assert response.status_code == 400, response.text
                continue
            assert response.status_code == 200, response.text
            session = response.json()["customerSession"]
            sent = body["customerSession"]
            lines = [(i["sku"], i["quantity"], i.get("price")) for i in session["cartItems"]]
            assert lines == [(i["sku"], i["quantity"], i.get("price")) for i in sent.get("cartItems", [])]
            generated = factories.customer_session_v2(state=asked)
            # the same shape as the fake's own answer, but for the fields both leave out when empty
            assert set(generated) ^ set(session) <= CONDITIONAL
