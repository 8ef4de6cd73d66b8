"""The plugin's fixtures. Each imports what it needs when first used.

The fake, the target and the client are module-scoped (one server per configuration a run, or
per xdist worker), so that ``@given`` tests may use them without tripping Hypothesis's
``function_scoped_fixture`` health check, and a sub-directory's ``conftest.py`` may configure its
own; the per-test reset, the contract check and the coverage happen in the plugin's hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .state import STATE, RunState, derive_seed

if TYPE_CHECKING:
    from talon_fakes.generators.factories import Factories

    from .client import TalonClient
    from .contracts import Contracts
    from .fakes import PluginFake
    from .target import Target

#: Where a test's factories seed is kept, for the failure report.
SEED = pytest.StashKey[int]()


def _run(config: pytest.Config) -> RunState:
    return config.stash[STATE]


# -- configuration: override these by name in a conftest.py ----------------------------------------


@pytest.fixture(scope="session")
def talon_fake_rules(pytestconfig: pytest.Config) -> str:
    """The rule set of the fake: ``--talon-rules``, else ``current``. Override to pin one."""
    return _run(pytestconfig).rules


@pytest.fixture(scope="session")
def talon_fake_options() -> dict[str, Any]:
    """Keyword arguments of the fake: ``api_key``, ``management_key``, ``bearer_token``,
    ``application_id``, ``host``, ``port``, ``campaigns`` (a campaigns document), and its
    server's ``read_timeout``, ``idle_timeout``, ``max_connections``, ``grace_period``. None by
    default (a free port on 127.0.0.1, the default keys, no bearer token, Application 1, no
    campaigns, the server's defaults: 10 s, 60 s, 256, 5 s)."""
    return {}


# -- the fake and the target -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def talon_fake(
    pytestconfig: pytest.Config, talon_fake_rules: str, talon_fake_options: dict[str, Any]
) -> PluginFake:
    """The fake, served on loopback: started once per run (per xdist worker), reset before every test.

    Module-scoped, not function-scoped, so ``@given`` tests may use it; not session-scoped, so a
    ``conftest.py`` in a sub-directory may override ``talon_fake_rules``/``talon_fake_options`` for
    its tests (each distinct configuration gets its own server, started once).

    ``base_url``, ``url(path)``, ``integration_headers``, ``management_headers``, the controls
    (``seed_session``, ``inject_fault``, ``effects``, ``clock``, ``sessions``, ``history``) and
    the ``journal``. In ``@given`` tests call ``talon_fake.reset()`` at the start of each example.
    """
    return _run(pytestconfig).server(talon_fake_rules, talon_fake_options)


@pytest.fixture(scope="module")
def talon_target(
    pytestconfig: pytest.Config, talon_fake_rules: str, talon_fake_options: dict[str, Any]
) -> Target:
    """Where the test's requests go: the fake, or a real deployment in a ``talon_verified`` test
    under ``--talon-live``: ``base_url``, ``url(path)``, the headers and keys, ``live``."""
    from .target import Target

    return Target(_run(pytestconfig), talon_fake_rules, talon_fake_options)


@pytest.fixture(scope="module")
def talon_client(pytestconfig: pytest.Config, talon_target: Target) -> TalonClient:
    """An HTTP client (standard library) of ``talon_target``: ``update_customer_session``, ..."""
    from .client import TalonClient

    return TalonClient(talon_target, _run(pytestconfig))


@pytest.fixture
def talon_integration_api(talon_target: Target) -> Any:
    """The official SDK's ``talon_one.IntegrationApi`` for ``talon_target`` (skips without the SDK)."""
    from .sdk import integration_api

    return integration_api(talon_target)


@pytest.fixture
def talon_management_api(talon_target: Target) -> Any:
    """The official SDK's ``talon_one.ManagementApi`` for ``talon_target`` (skips without the SDK)."""
    from .sdk import management_api

    return management_api(talon_target)


# -- data and checks -------------------------------------------------------------------------------


@pytest.fixture
def talon_factories(request: pytest.FixtureRequest, talon_fake_rules: str) -> Factories:
    """Factories seeded for this test: from the run seed (``--talon-seed``) and the test's node ID,
    or ``@pytest.mark.talon_seed(N)``. The seed is shown when the test fails."""
    from talon_fakes.generators.factories import Factories

    seed = seed_of(request.node)
    request.node.stash[SEED] = seed
    return Factories(seed, rules=talon_fake_rules)


def seed_of(item: pytest.Item) -> int:
    """The factories seed of ``item``: its ``talon_seed`` marker, else derived from the run seed."""
    marker = item.get_closest_marker("talon_seed")
    if marker is None:
        return derive_seed(_run(item.config).seed, item.nodeid)
    if len(marker.args) != 1 or marker.kwargs or not isinstance(marker.args[0], int):
        raise pytest.UsageError(
            f"{item.nodeid}: @pytest.mark.talon_seed takes one whole number, "
            f"got args={marker.args!r} kwargs={marker.kwargs!r}; e.g. @pytest.mark.talon_seed(1234)"
        )
    return marker.args[0]


@pytest.fixture(scope="session")
def talon_contracts(pytestconfig: pytest.Config) -> Contracts:
    """The contract checks: ``validate``, ``is_valid``, ``assert_contract`` (strict by ``--talon-strict``)."""
    from .contracts import Contracts

    return Contracts(strict=_run(pytestconfig).strict)
