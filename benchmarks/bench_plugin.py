"""What the pytest plugin costs: at start-up, and per test that uses ``talon_fake``.

Run ``python -m benchmarks.bench_plugin``. It prints:

1. start-up: ``pytest --collect-only`` of a small suite (20 modules, 100 tests) with and without
   the plugin, both in this run: once with every installed plugin (``-p no:talon_fakes`` takes
   ours out) and once with ours alone (autoload off, ``-p talon_fakes`` or nothing). Target:
   under 50 ms added.
2. per test: N tests that only ask for ``talon_fake`` against N plain tests plus one that starts
   the fake (so both pay for the server once); and N tests making one GET through ``talon_fake``
   against the same GET through a session fixture of the user's own (a bare ``TalonFake``, reset
   per test, nothing checked). The difference over N is the plugin's cost per test: reset,
   contract check of the journal, coverage. Target: under 1 ms beyond the test's own requests.

Every figure is a subprocess's wall time, the best of R runs (alternating the two sides); it
prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OWN_FAKE = """
import pytest
from talon_fakes.fake.server import TalonFake

@pytest.fixture(scope="session")
def own_fake():
    with TalonFake() as fake:
        yield fake

@pytest.fixture
def fresh(own_fake):
    own_fake.reset()
    return own_fake
"""
GET = "requests.get(f.url('/v2/customer_sessions/x'), headers=f.integration_headers)"


def _suite(folder: Path, modules: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in modules.items():
        (folder / name).write_text(text)
    return folder


def _pytest(folder: Path, *args: str, only_ours: bool | None = None) -> float:
    """Wall time of one pytest run in ``folder``; ``only_ours``: autoload off, with or without us."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    extra: list[str] = []
    if only_ours is not None:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        extra = ["-p", "talon_fakes"] if only_ours else []
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *args]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 5):
        raise SystemExit(f"pytest failed in {folder}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed


def _best_pair(
    repeats: int, a: tuple[Path, list[str], bool | None], b: tuple[Path, list[str], bool | None]
) -> tuple[float, float]:
    """The best of ``repeats`` runs of each side, alternating so drift hits both alike."""
    best_a = best_b = float("inf")
    for _ in range(repeats):
        best_a = min(best_a, _pytest(a[0], *a[1], only_ours=a[2]))
        best_b = min(best_b, _pytest(b[0], *b[1], only_ours=b[2]))
    return best_a, best_b


def start_up(work: Path, repeats: int) -> None:
    """The plugin's added ``--collect-only`` time."""
    modules = {
        f"test_m{i}.py": "".join(f"def test_{j}():\n    pass\n\n" for j in range(5)) for i in range(20)
    }
    suite = _suite(work / "startup", modules)
    print("1. start-up: pytest --collect-only, 20 modules / 100 tests (best of", repeats, "runs)")
    without, with_ = _best_pair(repeats, (suite, ["--collect-only", "-p", "no:talon_fakes"], None),
                                (suite, ["--collect-only"], None))  # fmt: skip
    print(f"   every installed plugin:  without {without * 1000:7.1f} ms, with {with_ * 1000:7.1f} ms, "
          f"added {(with_ - without) * 1000:6.1f} ms (target < 50 ms)")  # fmt: skip
    without, with_ = _best_pair(
        repeats, (suite, ["--collect-only"], False), (suite, ["--collect-only"], True)
    )
    print(f"   the plugin alone:        without {without * 1000:7.1f} ms, with {with_ * 1000:7.1f} ms, "
          f"added {(with_ - without) * 1000:6.1f} ms (target < 50 ms)")  # fmt: skip


def per_test(work: Path, tests: int, repeats: int) -> None:
    """The plugin's cost per test using ``talon_fake``, without and with one request."""
    bare = _suite(
        work / "bare",
        {
            "test_plain.py": "".join(f"def test_{i}():\n    pass\n\n" for i in range(tests))
            + "def test_start(talon_fake):\n    pass\n",
        },
    )
    faked = _suite(
        work / "faked",
        {"test_fake.py": "".join(f"def test_{i}(talon_fake):\n    pass\n\n" for i in range(tests))},
    )
    own = _suite(
        work / "own",
        {
            "conftest.py": OWN_FAKE,
            "test_own.py": "import requests\n\n"
            + "".join(f"def test_{i}(fresh):\n    f = fresh\n    {GET}\n\n" for i in range(tests)),
        },
    )
    plugin = _suite(
        work / "plugin",
        {
            "test_plugin.py": "import requests\n\n"
            + "".join(f"def test_{i}(talon_fake):\n    f = talon_fake\n    {GET}\n\n" for i in range(tests)),
        },
    )
    print(f"2. per test: {tests} tests a run, the plugin alone loaded (best of {repeats} runs)")
    plain, fake = _best_pair(repeats, (bare, [], True), (faked, [], True))
    print(f"   talon_fake, no request:  plain {plain:6.2f} s, with talon_fake {fake:6.2f} s, "
          f"added {(fake - plain) / tests * 1000:6.3f} ms a test (target < 1 ms)")  # fmt: skip
    mine, ours = _best_pair(repeats, (own, [], True), (plugin, [], True))
    print(f"   one GET a test:          own TalonFake fixture {mine:6.2f} s, talon_fake {ours:6.2f} s, "
          f"added {(ours - mine) / tests * 1000:6.3f} ms a test (target < 1 ms)")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000, help="tests per suite for the per-test cost")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side; the best is kept")
    args = parser.parse_args(argv)
    if args.tests < 1 or args.repeats < 1:
        parser.error(f"--tests and --repeats must be at least 1, got {args.tests} and {args.repeats}")
    with tempfile.TemporaryDirectory() as folder:
        start_up(Path(folder), args.repeats)
        per_test(Path(folder), args.tests, args.repeats)


if __name__ == "__main__":
    main()
