"""``talon_factories``: seeded per test from the run seed and the node ID, shown on failure."""

from __future__ import annotations

import pytest

SUITE = """
import pytest

def record(talon_factories, request):
    session = talon_factories.customer_session_v2(state="closed")
    with open("seeds.txt", "a") as out:
        out.write(f"{request.node.name} {talon_factories.seed} {session['integrationId']}\\n")
    return session

def test_a(talon_factories, talon_contracts, request):
    talon_contracts.assert_contract(record(talon_factories, request), "customer-session-v2", strict=True)

def test_b(talon_factories, request):
    record(talon_factories, request)

@pytest.mark.talon_seed(1234)
def test_pinned(talon_factories, request):
    record(talon_factories, request)
    assert talon_factories.seed == 1234
"""


def _seeds(pytester: pytest.Pytester) -> dict[str, tuple[str, str]]:
    lines = (pytester.path / "seeds.txt").read_text().splitlines()
    (pytester.path / "seeds.txt").unlink()
    return {name: (seed, session) for name, seed, session in (line.split() for line in lines)}


def test_seeds_follow_the_run_seed_and_the_node_id(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    pytester.runpytest_inprocess("--talon-seed", "5").assert_outcomes(passed=3)
    first = _seeds(pytester)
    pytester.runpytest_inprocess(
        "--talon-seed", "5", "-p", "no:randomly", "test_seeds_follow_the_run_seed_and_the_node_id.py::test_b"
    ).assert_outcomes(passed=1)
    again = _seeds(pytester)
    pytester.runpytest_inprocess("--talon-seed", "6").assert_outcomes(passed=3)
    other = _seeds(pytester)
    assert again["test_b"] == first["test_b"]  # the same data, run alone or with others
    assert first["test_a"] != first["test_b"]  # each test its own seed
    assert other["test_a"] != first["test_a"]  # another run seed, other data
    assert first["test_pinned"][0] == other["test_pinned"][0] == "1234"
    assert first["test_pinned"] == other["test_pinned"]


def test_xdist_workers_derive_the_same_seeds(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    pytester.runpytest_inprocess("--talon-seed", "11").assert_outcomes(passed=3)
    alone = _seeds(pytester)
    pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "--talon-seed", "11").assert_outcomes(
        passed=3
    )
    assert _seeds(pytester) == alone


def test_a_failing_test_shows_its_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fails(talon_factories):
            assert talon_factories.cart_item()["quantity"] < 0
        """
    )
    result = pytester.runpytest_inprocess("--talon-seed", "3")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- talon-fakes -*",
            "talon_factories seed * (run seed 3); repeat with --talon-seed=3, or pin this test with "
            "@pytest.mark.talon_seed(*)",
        ]
    )


def test_a_failing_pinned_test_says_its_seed_is_pinned(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.talon_seed(5)
        def test_fails(talon_factories):
            assert talon_factories.cart_item()["quantity"] < 0
        """
    )
    result = pytester.runpytest_inprocess("--talon-seed", "3")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["talon_factories seed 5, pinned by @pytest.mark.talon_seed(5)"])
    result.stdout.no_fnmatch_line("*or pin this test*")


def test_a_bad_seed_marker_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.talon_seed("abc")
        def test_bad(talon_factories):
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*talon_seed takes one whole number, got args=('abc',)*"])


def test_factories_follow_the_fakes_rules(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_rules(talon_factories):\n    assert talon_factories.rules.name == 'legacy'\n"
    )
    pytester.runpytest_inprocess("--talon-rules", "legacy").assert_outcomes(passed=1)
