"""The plugin's state for one pytest run: options, the run seed, the fakes, the test being run.

Kept in ``config.stash`` (nothing lives at module level), so pytester runs in the same process
each get their own. The fakes start on first use and are handed back at the end of the run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .coverage import Coverage

if TYPE_CHECKING:
    from .checks import Observed
    from .fakes import PluginFake
    from .testrun import LiveSettings, TestRun

#: The fixtures that put a test under the plugin's care (reset, checks, coverage, live mode).
FIXTURES = frozenset(
    {"talon_fake", "talon_target", "talon_client", "talon_integration_api", "talon_management_api"}
)
#: What ``talon_fake_options`` may set (the keyword arguments of ``TalonFake``).
FAKE_OPTIONS = (
    "api_key",
    "management_key",
    "bearer_token",
    "application_id",
    "host",
    "port",
    "read_timeout",
    "idle_timeout",
    "max_connections",
    "grace_period",
    "campaigns",
)
LIVE_VARIABLES = ("TALON_BASE_URL", "TALON_API_KEY", "TALON_MANAGEMENT_KEY")
FAKE_ONLY = (
    "it needs the fake's controls (talon_fake: seed_session, clock, inject_fault, effects, journal), "
    "which a live deployment does not have"
)


def _hashable(value: Any) -> Any:
    """An option's value as a dictionary key (a campaigns document by its JSON text)."""
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True, default=repr)
    return value


def derive_seed(run_seed: int, nodeid: str) -> int:
    """A test's seed: the same for a run seed and node ID in every process, order and worker."""
    import hashlib

    digest = hashlib.blake2b(f"{run_seed}:{nodeid}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # 63 bits: fits every RNG's seed


class RunState:
    """Everything the plugin keeps for one run (``config.stash[STATE]``)."""

    def __init__(self, config: pytest.Config) -> None:
        workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
        option = config.getoption("talon_seed")
        if workerinput is not None and "talon_fakes_seed" in workerinput:
            self.seed: int = workerinput["talon_fakes_seed"]  # chosen once, by the controller
        else:
            self.seed = option if option is not None else int.from_bytes(os.urandom(4), "big") % 10**9
        self.rules: str = config.getoption("talon_rules") or "current"
        self.strict: bool = config.getoption("talon_strict")
        self.live_required: bool = config.getoption("talon_live_required")
        self.live: bool = config.getoption("talon_live") or self.live_required
        report = config.getoption("talon_transition_report")
        self.report_path: Path | None = None if report is None else Path(report)
        self.is_worker = workerinput is not None
        self.coverage = Coverage()
        self.servers: dict[tuple[Any, ...], PluginFake] = {}
        self.test: TestRun | None = None
        self._live_settings: LiveSettings | list[str] | None = None

    # -- live mode --------------------------------------------------------------------------------

    def live_settings(self) -> LiveSettings | list[str]:
        """The deployment under ``--talon-live`` (read once), or the variables that are missing."""
        if self._live_settings is None:
            from .testrun import LiveSettings

            self._live_settings = LiveSettings.from_env(os.environ)
        return self._live_settings

    # -- the fakes --------------------------------------------------------------------------------

    def server(self, rules: str, options: Mapping[str, Any]) -> PluginFake:
        """The started fake for ``rules`` and ``options`` (``TalonFake`` keyword arguments)."""
        unknown = sorted(set(options) - set(FAKE_OPTIONS))
        if unknown:
            raise pytest.UsageError(
                f"talon_fake_options returned unknown option(s) {', '.join(map(repr, unknown))}; "
                f"the fake takes: {', '.join(FAKE_OPTIONS)}"
            )
        # A campaigns document is a dict: it keys its fake by its JSON text (one fake a document).
        key = (rules, *sorted((name, _hashable(value)) for name, value in options.items()))
        if key not in self.servers:
            from .fakes import PluginFake

            self.servers[key] = PluginFake(rules=rules, on_reset=self._collect, **options).start()
            self.coverage.rule_sets.add(rules)
        return self.servers[key]

    def _collect(self, fake: PluginFake) -> None:
        taken = fake.take()
        self.coverage.add(fake.rules, taken.moves)
        if self.test is not None:  # between tests (a session fixture's teardown) nobody can fail
            self.test.responses += taken.responses
            self.test.errors += taken.errors

    def stop(self) -> None:
        """Collect what the fakes did last and stop them."""
        for fake in self.servers.values():
            self._collect(fake)
            fake.stop()
        self.servers.clear()

    # -- one test ---------------------------------------------------------------------------------

    def begin(self, nodeid: str, live: bool) -> None:
        """Before a test: fresh fakes; under live mode, watch the deployment's responses."""
        from .testrun import LiveSettings, TestRun

        self.test = TestRun(nodeid, live)
        if live:
            from .observer import Urllib3Observer

            settings = self.live_settings()
            assert isinstance(settings, LiveSettings)  # the caller skipped the test otherwise
            self.test.observer = Urllib3Observer(settings.base_url, self.test.responses.append)
            self.test.observer.install()
            return
        for fake in self.servers.values():
            fake.reset()

    def record(self, response: Observed) -> None:
        """Record a response of the live deployment received by other means (the plugin's client)."""
        if self.test is not None and self.test.live:
            self.test.responses.append(response)

    def check(self) -> None:
        """Fail the test for what it received so far: server-thread errors, then broken contracts.

        Drift (unknown fields in lenient mode) becomes a :class:`TalonDriftWarning`.
        """
        __tracebackhide__ = True
        test = self.test
        if test is None:
            return
        import warnings

        from .checks import check_responses, failure_message
        from .errors import ResponseContractError, TalonDriftWarning

        for fake in self.servers.values():
            self._collect(fake)
        errors, test.errors = test.errors, []
        responses = list(test.responses)
        test.responses.clear()  # in place: the live observer appends to this very list
        if errors:
            error = errors[0]
            more = f"; {len(errors) - 1} more after it" if len(errors) > 1 else ""
            error.add_note(
                f"talon-fakes: raised in the fake's server thread while answering this test "
                f"(the client got a 500){more}"
            )
            raise error
        findings = check_responses(responses, strict=self.strict)
        if findings.warnings:
            count = len(findings.warnings)
            lines = "\n".join(f"  - {line}" for line in findings.warnings)
            warnings.warn(
                TalonDriftWarning(
                    f"{count} field(s) the contracts do not define (drift; --talon-strict fails on them):\n"
                    + lines
                ),
                stacklevel=2,
            )
        if findings.errors:
            raise ResponseContractError(failure_message(findings.errors, strict=self.strict))

    def end(self) -> None:
        """After a test's teardown: stop watching, check what teardown received, forget the test."""
        __tracebackhide__ = True
        test = self.test
        if test is None:
            return
        try:
            if test.observer is not None:
                test.observer.uninstall()
            self.check()
        finally:
            self.test = None


#: Where the run's state is kept.
STATE = pytest.StashKey[RunState]()
