"""The plugin's hooks: options, markers, the per-test reset and checks, coverage, xdist wiring."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from .fixtures import SEED
from .state import FAKE_ONLY, FIXTURES, LIVE_VARIABLES, STATE, RunState

_RULE_SETS = ("current", "v1", "legacy")  # checked against talon_fakes.states by a test
_COVERAGE = "talon_fakes_coverage"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--talon-*`` options, in their own group."""
    group = parser.getgroup("talon-fakes", "talon-fakes (a fake Talon.One; fixtures talon_*)")
    group.addoption(
        "--talon-seed",
        type=int,
        dest="talon_seed",
        metavar="N",
        help="run seed for talon_factories (a test's seed derives from it and its node ID); default random",
    )
    group.addoption(
        "--talon-rules",
        choices=_RULE_SETS,
        dest="talon_rules",
        help="transition rules of the fake: current (default), v1 or legacy",
    )
    group.addoption(
        "--talon-strict",
        action="store_true",
        dest="talon_strict",
        help="strict contracts: fields a contract does not define fail the test (default: drift warnings)",
    )
    group.addoption(
        "--talon-live",
        action="store_true",
        dest="talon_live",
        help="run talon_verified tests against the deployment named by " + ", ".join(LIVE_VARIABLES),
    )
    group.addoption(
        "--talon-live-required",
        action="store_true",
        dest="talon_live_required",
        help="as --talon-live, but a usage error (exit 4) when a variable is missing, instead of skipping",
    )
    group.addoption(
        "--talon-transition-report",
        dest="talon_transition_report",
        metavar="PATH",
        help="write the transition coverage (moves exercised against the fake) as JSON to PATH",
    )
    group.addoption(
        "--talon-coverage-diagram",
        dest="talon_coverage_diagram",
        metavar="PATH",
        help="write the transition coverage as the rule set's state diagram, moves exercised "
        "marked: Markdown with Mermaid, or DOT when PATH ends in .dot or .gv",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers and make the run's state (the run seed is chosen here)."""
    config.addinivalue_line(
        "markers",
        "talon_verified: run against the fake, and under --talon-live against a real Talon.One "
        "deployment (" + ", ".join(LIVE_VARIABLES) + "); every response contract-checked",
    )
    config.addinivalue_line("markers", "talon_seed(n): seed this test's talon_factories with n")
    state = config.stash[STATE] = RunState(config)
    if state.live_required:  # a CI job that must run live fails rather than skip everything
        settings = state.live_settings()
        if isinstance(settings, list):
            raise pytest.UsageError(
                f"--talon-live-required: set {', '.join(settings)} to name the Talon.One deployment "
                "(base URL, Integration API key, Management API key); use --talon-live to skip the "
                "talon_verified tests instead when they are missing"
            )


def _state(config: pytest.Config) -> RunState:
    return config.stash[STATE]


def pytest_report_header(config: pytest.Config) -> str:
    """``talon-fakes: --talon-seed=N, rules, contracts, target``."""
    state = _state(config)
    contracts = "strict" if state.strict else "lenient"
    target = "fake"
    if state.live:
        settings = state.live_settings()
        target = (
            f"missing {', '.join(settings)}: talon_verified tests will be skipped"
            if isinstance(settings, list)
            else f"{settings.base_url} for talon_verified tests, the fake otherwise"
        )
    seed = f"--talon-seed={state.seed}"
    rules = f"rules {state.rules} (unless a talon_fake_rules fixture says otherwise)"
    return f"talon-fakes: {seed}, {rules}, {contracts} contracts, target: {target}"


# -- one test --------------------------------------------------------------------------------------


def _fixturenames(item: pytest.Item) -> list[str]:
    # Only test functions have fixtures (a doctest or a YAML test item has none).
    return list(getattr(item, "fixturenames", ()))


def _live_skip_reason(state: RunState, item: pytest.Item) -> str | None:
    settings = state.live_settings()
    if isinstance(settings, list):
        return (
            f"talon_verified test under --talon-live: set {', '.join(settings)} "
            "to name the Talon.One deployment (base URL, Integration API key, Management API key)"
        )
    if "talon_fake" in _fixturenames(item):
        return f"talon_verified test under --talon-live uses talon_fake: {FAKE_ONLY}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--talon-live``, skip the ``talon_verified`` tests that cannot run live (by a marker,
    so the report points at the test)."""
    state = _state(config)
    if not state.live:
        return
    for item in items:
        if item.get_closest_marker("talon_verified") is not None:
            reason = _live_skip_reason(state, item)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before fixtures: reset the fakes, or watch the live deployment's responses."""
    state = _state(item.config)
    verified = item.get_closest_marker("talon_verified") is not None
    if not verified and FIXTURES.isdisjoint(_fixturenames(item)):
        return
    live = state.live and verified
    if live and _live_skip_reason(state, item) is not None:
        return  # skipped by its marker (added at collection), after this hook
    state.begin(item.nodeid, live)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """After the test body: fail it for server-thread errors and broken response contracts."""
    __tracebackhide__ = True
    state = _state(item.config)
    if state.test is None:
        return (yield)
    try:
        result = yield
    except BaseException as failure:  # the test failed (or skipped) on its own: add, do not mask
        try:
            state.check()
        except BaseException as found:
            failure.add_note(f"talon-fakes also found:\n{found}")
        raise
    state.check()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    """After fixture teardown: check what teardown received, count the moves, stop watching."""
    try:
        return (yield)
    finally:
        _state(item.config).end()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """A failed test that used ``talon_factories`` shows its seed."""
    report: pytest.TestReport = yield
    if report.failed and SEED in item.stash:
        seed = item.stash[SEED]
        if item.get_closest_marker("talon_seed") is not None:  # pinned: every run draws the same
            text = f"talon_factories seed {seed}, pinned by @pytest.mark.talon_seed({seed})"
        else:
            run_seed = _state(item.config).seed
            text = (
                f"talon_factories seed {seed} (run seed {run_seed}); repeat with --talon-seed={run_seed}, "
                f"or pin this test with @pytest.mark.talon_seed({seed})"
            )
        report.sections.append(("talon-fakes", text))
    return report


# -- end of the run, and xdist ----------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before xdist's worker sends config.workeroutput
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the fakes; a worker sends its coverage to the controller, which writes the report."""
    state = _state(session.config)
    state.stop()
    if state.is_worker:
        session.config.workeroutput[_COVERAGE] = state.coverage.dump()  # type: ignore[attr-defined]
    else:
        if state.report_path is not None:
            state.coverage.write(state.report_path, state.seed)
        diagram = session.config.getoption("talon_coverage_diagram", None)
        if diagram is not None and state.coverage.rule_sets:
            state.coverage.write_diagram(Path(diagram))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: every worker gets the run seed chosen here."""
    node.workerinput["talon_fakes_seed"] = _state(node.config).seed


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist controller: merge a worker's transition coverage."""
    dumped = getattr(node, "workeroutput", {}).get(_COVERAGE)
    if dumped is not None:
        _state(node.config).coverage.merge(dumped)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The transition coverage of the run, when a test used the fake."""
    state = _state(config)
    if state.is_worker or not state.coverage.rule_sets:
        return
    terminalreporter.write_sep("=", "talon-fakes transition coverage")
    for line in state.coverage.summary_lines(state.seed):
        terminalreporter.write_line(line)
    if state.report_path is not None:
        terminalreporter.write_line(f"JSON report: {state.report_path}")
    diagram = config.getoption("talon_coverage_diagram", None)
    if diagram is not None:
        terminalreporter.write_line(f"state diagram: {diagram}")
