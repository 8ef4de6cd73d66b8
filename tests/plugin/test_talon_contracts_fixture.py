"""The plugin's ``talon_contracts`` fixture, as a downstream suite uses it."""

from __future__ import annotations

import pytest


def test_talon_contracts_fixture_checks_documents(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_clean(talon_contracts):
            talon_contracts.assert_contract({"message": "bad"}, "error-response")

        def test_broken(talon_contracts):
            talon_contracts.assert_contract({"errors": []}, "error-response")
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ContractViolation*", "*$.message: required field 'message' is missing*"])
