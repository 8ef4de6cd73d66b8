"""Every response a test gets from the fake is checked against its contract; server errors fail the test."""

from __future__ import annotations

import pytest

EFFECT = {"campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "r", "effectType": "x", "props": {}}

HELPERS = """
import requests

def put(fake, session_id, session):
    body = {"customerSession": session, "responseContent": ["customerSession"]}
    url = fake.url(f"/v2/customer_sessions/{session_id}")
    return requests.put(url, json=body, headers=fake.integration_headers)
"""


def test_a_broken_response_fails_the_test_naming_operation_status_path_and_value(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        HELPERS
        + """
import talon_fakes.fake.domain.wire

def test_management_get(talon_fake, monkeypatch):
    render = talon_fakes.fake.domain.wire.application_session
    lost = lambda s: {**render(s), "state": "lost"}
    monkeypatch.setattr(talon_fakes.fake.domain.wire, "application_session", lost)
    session = put(talon_fake, "s1", {}).json()["customerSession"]
    url = talon_fake.url(f"/v1/applications/1/sessions/{session['id']}")
    got = requests.get(url, headers=talon_fake.management_headers)
    assert got.status_code == 200  # the test itself is happy
"""
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ResponseContractError: talon-fakes: 1 response contract violation (lenient contracts):",
            "*GET /v1/applications/1/sessions/1 -> 200 (get_application_session): "
            "contract 'application-session': $.state = 'lost':*[[]rule enum[]]",
        ]
    )


def test_drift_warns_by_default_and_fails_under_talon_strict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + f"""
def test_drift(talon_fake):
    talon_fake.effects(lambda session, operation: [{{**{EFFECT!r}, "surprise": 1}}])
    assert put(talon_fake, "s1", {{}}).status_code == 200
"""
    )
    lenient = pytester.runpytest_inprocess()
    lenient.assert_outcomes(passed=1, warnings=1)
    lenient.stdout.fnmatch_lines(
        ["*TalonDriftWarning: 1 field(s) the contracts do not define*", "*$.effects[[]0[]].surprise = 1*"]
    )
    strict = pytester.runpytest_inprocess("--talon-strict")
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(
        ["*(strict contracts)*", "*-> 200 (update_customer_session)*$.effects[[]0[]].surprise*"]
    )


def test_a_server_thread_error_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def broken_hook(session, operation):
    raise KeyError("rule engine exploded")

def test_breaks_the_fake(talon_fake):
    talon_fake.effects(broken_hook)
    assert put(talon_fake, "s1", {}).status_code == 500

def test_next_one_is_clean(talon_fake):
    assert put(talon_fake, "s1", {}).status_code == 200
"""
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(failed=1, passed=1)  # a failure of the test, not a teardown error
    result.stdout.fnmatch_lines(["*KeyError: 'rule engine exploded'", "*raised in the fake's server thread*"])


def test_an_injected_body_is_the_tests_own_and_is_not_checked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def test_client_copes_with_garbage(talon_fake):
    talon_fake.inject_fault(status=400, body={"garbage": True})
    assert put(talon_fake, "s1", {}).json() == {"garbage": True}
    assert put(talon_fake, "s1", {}).status_code == 200
"""
    )
    pytester.runpytest_inprocess("--talon-strict").assert_outcomes(passed=1)


def test_a_test_failing_on_its_own_keeps_its_failure_and_gets_the_findings_as_a_note(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        HELPERS
        + f"""
def test_fails(talon_fake):
    talon_fake.effects(lambda session, operation: [{{**{EFFECT!r}, "surprise": 1}}])
    put(talon_fake, "s1", {{}})
    assert 1 == 2, "my own assertion"
"""
    )
    result = pytester.runpytest_inprocess("--talon-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*AssertionError: my own assertion*", "*talon-fakes also found:*", "*surprise*"]
    )
