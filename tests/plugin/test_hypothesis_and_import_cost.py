"""The fake inside ``@given`` (no health check trips), and the plugin's cost for runs that never use it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

HEAVY = ("hypothesis", "faker", "werkzeug", "talon_fakes.fake.server", "pytest_httpserver", "jsonschema")


def test_given_tests_reset_the_fake_per_example_without_health_check_failures(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import requests
        from hypothesis import given, settings, strategies as st

        seen = []

        @settings(max_examples=25, database=None, deadline=None)
        @given(quantity=st.integers(1, 500))
        def test_every_example_starts_fresh(talon_fake, talon_target, talon_client, talon_contracts,
                                            quantity):
            talon_fake.reset()
            assert talon_fake.sessions() == []
            cart = [{"sku": "A", "quantity": quantity, "price": 2}]
            body = {"customerSession": {"cartItems": cart}, "responseContent": ["customerSession"]}
            url, headers = talon_fake.url("/v2/customer_sessions/s"), talon_fake.integration_headers
            created = requests.put(url, json=body, headers=headers)
            assert created.json()["customerSession"]["cartItemTotal"] == 2 * quantity
            seen.append(quantity)

        def test_ran_many_examples():
            assert len(seen) >= 10
        """
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_violation_in_an_earlier_example_still_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests
        from hypothesis import given, settings, strategies as st

        EFFECT = {"campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "r", "effectType": "x",
                  "props": {}}

        @settings(max_examples=10, database=None, deadline=None)
        @given(st.integers(0, 9))
        def test_examples(talon_fake, n):
            talon_fake.reset()
            if n == 0:
                talon_fake.effects(lambda session, operation: [{**EFFECT, "surprise": 1}])
            requests.put(talon_fake.url("/v2/customer_sessions/s"), json={"customerSession": {}},
                         headers=talon_fake.integration_headers)
        """
    )
    result = pytester.runpytest_inprocess("--talon-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*$.effects[[]0[]].surprise*"])


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    assert _modules_after("import talon_fakes.pytest_plugin") == set()


def test_a_collect_only_run_with_the_plugin_imports_nothing_heavy(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n\ndef test_fake(talon_fake):\n    pass\n")
    pytester.makeconftest(
        textwrap.dedent(
            f"""
            import sys

            def pytest_collection_finish(session):
                print("HEAVY:", sorted(m for m in {HEAVY!r} if m in sys.modules))
            """
        )
    )
    # Only this plugin: the others installed here (Hypothesis's, Faker's, pytest-httpserver's)
    # import their own packages.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = pytester.runpytest_subprocess("--collect-only", "-p", "talon_fakes", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["HEAVY: []", "*2 tests collected*"])
