"""The plugin's ``talon_contracts`` fixture, as a downstream suite uses it."""

from __future__ import annotations

import pytest


def test_talon_contracts_fixture_checks_documents(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_clean(talon_contracts):
            talon_contracts.assert_contract({"message": "bad"}, "error-response")
            assert talon_contracts.is_valid({"message": "bad", "extra": 1}, "error-response")
            assert "customer-session-v2" in talon_contracts.names()

        def test_broken(talon_contracts):
            talon_contracts.assert_contract({"errors": []}, "error-response")
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ContractViolation*", "*$.message: required field 'message' is missing*"])


def test_talon_strict_makes_the_fixture_strict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_drift(talon_contracts):
            assert talon_contracts.strict
            assert not talon_contracts.is_valid({"message": "bad", "extra": 1}, "error-response")
            assert talon_contracts.is_valid({"message": "bad", "extra": 1}, "error-response", strict=False)
        """
    )
    pytester.runpytest_inprocess("--talon-strict").assert_outcomes(passed=1)
