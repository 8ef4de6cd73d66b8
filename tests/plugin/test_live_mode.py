"""``talon_verified`` tests: the fake by default, a real deployment under ``--talon-live``.

A second fake, started here with its own keys and Application, plays the real deployment.
"""

from __future__ import annotations

import pytest

from talon_fakes.fake.server import TalonFake

VERIFIED = """
import pytest
import requests

@pytest.mark.talon_verified
def test_verified(talon_target, talon_client):
    cart = [{"sku": "A", "quantity": 1, "price": 3}]
    created = talon_client.update_customer_session("v1", {"cartItems": cart})
    assert created.status == 200, created.body
    application = created.body["customerSession"]["applicationId"]
    print("TARGET", talon_target.live, talon_target.base_url, application)
    got = requests.get(talon_target.url("/v2/customer_sessions/v1"), headers=talon_target.integration_headers)
    assert got.json()["customerSession"]["integrationId"] == "v1"

def test_not_verified(talon_target):
    print("TARGET", talon_target.live, talon_target.base_url)
    assert not talon_target.live
"""


def test_verified_tests_run_against_the_fake_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(VERIFIED)
    result = pytester.runpytest_inprocess("-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*TARGET False http://127.0.0.1:* 1*", "*TARGET False http://127.0.0.1:*"])


def test_live_mode_without_the_variables_skips_naming_the_missing_ones(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TALON_API_KEY", "TALON_MANAGEMENT_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TALON_BASE_URL", "https://example.talon.one")
    pytester.makepyfile(VERIFIED)
    result = pytester.runpytest_inprocess("--talon-live", "-rs")
    result.assert_outcomes(passed=1, skipped=1)  # the unverified test still runs, on the fake
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] test_live_mode_without*: talon_verified test under --talon-live: "
            "set TALON_API_KEY, TALON_MANAGEMENT_KEY to name the Talon.One deployment*"
        ]
    )


def test_live_required_without_the_variables_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TALON_BASE_URL", "TALON_MANAGEMENT_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TALON_API_KEY", "some-key")
    pytester.makepyfile(VERIFIED)
    result = pytester.runpytest_inprocess("--talon-live-required")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--talon-live-required: set TALON_BASE_URL, TALON_MANAGEMENT_KEY to name the Talon.One deployment*"]
    )
    assert "skipped" not in result.stdout.str()
    assert "passed" not in result.stdout.str()  # nothing ran


def test_live_required_with_the_variables_runs_live(pytester: pytest.Pytester, live_env: TalonFake) -> None:
    pytester.makepyfile(VERIFIED)
    result = pytester.runpytest_inprocess("--talon-live-required", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"*TARGET True {live_env.base_url} 7*", "*TARGET False http://127.0.0.1:*"])


def test_live_mode_sends_verified_tests_to_the_deployment(
    pytester: pytest.Pytester, live_env: TalonFake
) -> None:
    pytester.makepyfile(VERIFIED)
    result = pytester.runpytest_inprocess("--talon-live", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"*TARGET True {live_env.base_url} 7*", "*TARGET False http://127.0.0.1:*"])
    assert [s.integration_id for s in live_env.sessions()] == ["v1"]
    assert [entry.operation for entry in live_env.journal] == [
        "update_customer_session",
        "get_customer_session",
    ]


@pytest.mark.parametrize("client", ["requests", "talon_client"])
def test_live_responses_are_contract_checked(
    pytester: pytest.Pytester, live_env: TalonFake, client: str
) -> None:
    live_env.inject_fault(status=404, body={"message": 404})  # the deployment misbehaves
    call = {
        "requests": "requests.get(talon_target.url('/v2/customer_sessions/x'), "
        "headers=talon_target.integration_headers)",
        "talon_client": 'talon_client.get_customer_session("x")',
    }[client]
    pytester.makepyfile(
        f"""
import pytest
import requests

@pytest.mark.talon_verified
def test_live(talon_target, talon_client):
    {call}
    assert talon_target.live
"""
    )
    result = pytester.runpytest_inprocess("--talon-live")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 response contract violation*",
            "*GET /v2/customer_sessions/x -> 404 (get_customer_session): "
            "contract 'error-response-with-status': "
            "$.message = 404: *",
        ]
    )


def test_requests_to_other_hosts_are_not_checked_in_live_mode(
    pytester: pytest.Pytester, live_env: TalonFake
) -> None:
    with TalonFake() as other:
        other.inject_fault(status=404, body={"error": "not ours to check"})
        pytester.makepyfile(
            f"""
import pytest
import requests

@pytest.mark.talon_verified
def test_live(talon_target):
    assert requests.get("{other.base_url}/v2/customer_sessions/x").status_code == 404
    assert talon_target.live
"""
        )
        pytester.runpytest_inprocess("--talon-live").assert_outcomes(passed=1)


def test_fake_only_controls_skip_under_live_mode(pytester: pytest.Pytester, live_env: TalonFake) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.talon_verified
def test_needs_the_fake(talon_fake):
    talon_fake.seed_session("s", "closed")

@pytest.mark.talon_verified
def test_reaches_for_the_fake(talon_target):
    talon_target.fake.clock.advance("1h")
"""
    )
    result = pytester.runpytest_inprocess("--talon-live", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(
        ["*uses talon_fake: it needs the fake's controls*", "*not run against a live deployment*"]
    )
    assert pytester.runpytest_inprocess().ret == pytest.ExitCode.TESTS_FAILED  # the 2nd is wrong on the fake


@pytest.mark.parametrize("live", [False, True], ids=["fake", "live"])
def test_the_shipped_life_cycle_suite_passes(
    pytester: pytest.Pytester, live_env: TalonFake, live: bool
) -> None:
    args = ["--pyargs", "talon_fakes._plugin.verified", "--talon-strict", "-p", "no:cacheprovider"]
    result = pytester.runpytest_inprocess(*args, *(["--talon-live"] if live else []))
    result.assert_outcomes(passed=9)
    made = {s.integration_id for s in live_env.sessions()}
    assert (len(made) >= 8) is live  # the deployment served the live run, and only it


def test_an_unreachable_deployment_is_a_short_error_naming_the_variable(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALON_BASE_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("TALON_API_KEY", "k")
    monkeypatch.setenv("TALON_MANAGEMENT_KEY", "m")
    pytester.makepyfile(VERIFIED)
    result = pytester.runpytest_inprocess("--talon-live", "--tb=short")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ConnectionError: talon_client: PUT http://127.0.0.1:9/v2/customer_sessions/v1 got no answer*"
            "check TALON_BASE_URL, 'http://127.0.0.1:9'"
        ]
    )
    result.stdout.no_fnmatch_line("*During handling of the above exception*")
