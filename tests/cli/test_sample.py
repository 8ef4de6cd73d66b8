"""``talon-fakes sample``: valid documents, every format, errors, streaming, and one seed, one output.

In process with click's CliRunner where the terminal does not matter; the installed console
script in subprocesses for what only a real process shows (hash seeds, closed pipes, a terminal).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from commands import SCRIPT
from hypothesis import given, settings
from hypothesis import strategies as st
from terminal_helpers import run_with_stderr_on_a_terminal

import talon_fakes
from talon_fakes.cli import main
from talon_fakes.cli import sample as _sample
from talon_fakes.generators.factories import FACTORY_NAMES, TRAITS, Factories
from talon_fakes.states import RULE_SETS, State, states_reachable

SESSION = "customer-session-v2"


def sample(*args: str) -> Result:
    return CliRunner().invoke(main, ["sample", *args])


def documents_of(result: Result, fmt: str, count: int) -> list[Any]:
    """The documents a successful run wrote, read the way its format says."""
    assert result.exit_code == 0, result.output + result.stderr
    if fmt == "jsonl":
        return [json.loads(line) for line in result.stdout.splitlines()]
    parsed = json.loads(result.stdout)
    if count == 1:
        assert isinstance(parsed, dict)
        return [parsed]
    assert isinstance(parsed, list)
    return parsed


def run(*args: str, hash_seed: str = "0") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([SCRIPT, "sample", *args], capture_output=True, timeout=120, check=False, env=env)


# --- what it writes ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FACTORY_NAMES)
def test_every_factory_name_gives_documents_that_pass_the_strict_contract(name: str) -> None:
    result = sample(name, "--count", "4", "--format", "jsonl", "--seed", "7")
    docs = documents_of(result, "jsonl", 4)
    assert len(docs) == 4
    for doc in docs:
        assert talon_fakes.validate(doc, name, strict=True) == []


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    count=st.integers(1, 4),
    fmt=st.sampled_from(["json", "jsonl"]),
    name=st.sampled_from(FACTORY_NAMES),
)
def test_the_output_is_what_the_factories_make_for_that_seed(
    seed: int, count: int, fmt: str, name: str
) -> None:
    result = sample(name, "--count", str(count), "--seed", str(seed), "--format", fmt)
    assert documents_of(result, fmt, count) == Factories(seed).batch(name, count)
    assert result.stderr == ""  # the seed is printed only when it was picked


def test_json_is_indented_and_jsonl_is_one_compact_document_a_line() -> None:
    expected = Factories(3).batch(SESSION, 3)
    one = sample(SESSION, "--seed", "3").stdout
    assert one == json.dumps(expected[0], indent=2, ensure_ascii=False) + "\n"
    many = sample(SESSION, "--seed", "3", "--count", "3").stdout
    assert many == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    lines = sample(SESSION, "--seed", "3", "--count", "3", "--format", "jsonl").stdout
    assert lines == "".join(
        json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n" for doc in expected
    )


@pytest.mark.parametrize("rules", sorted(RULE_SETS))
def test_every_reachable_state_can_be_asked_for(rules: str) -> None:
    for state in sorted(states_reachable(rules)):
        result = sample(
            SESSION, "--rules", rules, "--state", state.value, "--count", "3", "--format", "jsonl"
        )
        for doc in documents_of(result, "jsonl", 3):
            assert doc["state"] == state
            assert talon_fakes.validate(doc, SESSION, strict=True) == []


def _first_name_with(trait: str) -> str:
    """The first factory name the trait applies to (the factories check the options at once)."""
    for name in FACTORY_NAMES:
        try:
            Factories(0).stream(name, 0, traits=[trait])
        except talon_fakes.TalonFakesError:
            continue
        return name
    raise AssertionError(f"trait {trait!r} applies to no factory")


@pytest.mark.parametrize("trait", sorted(TRAITS))
def test_every_trait_gives_valid_documents(trait: str) -> None:
    name = _first_name_with(trait)
    result = sample(name, "--trait", trait, "--count", "3", "--seed", "5", "--format", "jsonl")
    docs = documents_of(result, "jsonl", 3)
    assert docs == Factories(5).batch(name, 3, traits=[trait])
    assert docs != Factories(5).batch(name, 3)  # the trait changed something
    for doc in docs:
        assert talon_fakes.validate(doc, name, strict=True) == []


def test_traits_combine() -> None:
    traits = ["with_coupons", "with_referral", "returning_customer"]
    args = [f"--trait={trait}" for trait in traits]
    result = sample(SESSION, *args, "--count", "3", "--seed", "5", "--format", "jsonl")
    docs = documents_of(result, "jsonl", 3)
    assert docs == Factories(5).batch(SESSION, 3, traits=traits)
    assert all(doc["couponCodes"] and doc["referralCode"] and not doc["firstSession"] for doc in docs)


@pytest.mark.parametrize(("fmt", "array"), [("jsonl", False), ("json", True), ("json", False)])
def test_documents_are_written_as_they_are_made(fmt: _sample.Format, array: bool) -> None:
    out = io.BytesIO()

    def made() -> Iterator[dict[str, Any]]:
        for number in range(5):
            # Before the next document is made, every earlier one is already out.
            assert out.getvalue().count(b'"number"') == number
            yield {"number": number}

    assert _sample.write(made(), out, fmt=fmt, array=array) == 5
    if array:
        assert json.loads(out.getvalue()) == [{"number": n} for n in range(5)]


# --- seeds ----------------------------------------------------------------------------------------


def test_without_a_seed_one_is_picked_and_printed_so_the_run_can_be_repeated() -> None:
    first = sample(SESSION, "--count", "2")
    assert first.exit_code == 0
    [line] = first.stderr.splitlines()
    assert line.startswith("seed ")
    seed = line.split()[1]
    assert f"--seed {seed}" in line
    assert sample(SESSION, "--count", "2", "--seed", seed).stdout == first.stdout


def test_same_seed_same_bytes_in_two_processes_with_different_hash_seeds() -> None:
    args = (SESSION, "--count", "30", "--seed", "42", "--trait", sorted(TRAITS)[0])
    first, second = run(*args, hash_seed="0"), run(*args, hash_seed="4242")
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout == second.stdout
    other = run(SESSION, "--count", "30", "--seed", "43", "--trait", sorted(TRAITS)[0], hash_seed="0")
    assert other.returncode == 0
    assert other.stdout != first.stdout


# --- errors ---------------------------------------------------------------------------------------


def test_an_unknown_name_is_a_usage_error_listing_the_names() -> None:
    result = sample("customer-sesion-v2")
    assert result.exit_code == 2
    assert "did you mean 'customer-session-v2'?" in result.stderr
    assert all(name in result.stderr for name in FACTORY_NAMES)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--trait", "no-such-trait"), "no-such-trait"),
        (("--trait", "with_effects"), "does not apply to customer-session-v2"),
        (("--trait", "empty_cart", "--trait", "big_cart"), "contradict"),
        (("--locale", "xx_YY"), "xx_YY"),
        (("--rules", "legacy", "--state", "partially_returned"), "partially_returned"),
        (("--state", "sleeping"), "sleeping"),
        (("--rules", "newest"), "newest"),
        (("--count", "0"), "0"),
        (("--count", "-3"), "-3"),
        (("--format", "xml"), "xml"),
    ],
)
def test_bad_options_are_usage_errors_naming_the_value(args: tuple[str, ...], named: str) -> None:
    result = sample(SESSION, "--seed", "1", *args)
    assert result.exit_code == 2
    assert named in result.stderr
    assert result.stdout == ""  # nothing half-written


def test_state_names_are_the_states() -> None:
    assert tuple(state.value for state in State) == _sample.STATE_NAMES


def test_names_and_traits_complete_in_the_shell() -> None:
    from click.shell_completion import ShellComplete

    complete = ShellComplete(main, {}, "talon-fakes", "_TALON_FAKES_COMPLETE")
    names = [item.value for item in complete.get_completions(["sample"], "customer-s")]
    assert names == [name for name in FACTORY_NAMES if name.startswith("customer-s")]
    assert SESSION in names
    traits = [item.value for item in complete.get_completions(["sample", SESSION, "--trait"], "")]
    assert traits == sorted(TRAITS)


def test_help_imports_no_factory() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from talon_fakes.cli import main\n"
        "for args in (['--help'], ['sample', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = ('talon_fakes.generators.factories', 'faker', 'hypothesis')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --- the terminal and the pipe --------------------------------------------------------------------


def test_a_reader_that_leaves_early_ends_the_run_quietly() -> None:
    """`talon-fakes sample NAME --count 1000000 --format jsonl | head -1`."""
    child = subprocess.Popen(
        [SCRIPT, "sample", SESSION, "--count", "1000000", "--format", "jsonl", "--seed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    first = child.stdout.readline()
    child.stdout.close()
    _, stderr = child.communicate(timeout=60)
    assert json.loads(first) == Factories(1).build(SESSION)
    assert stderr == b""
    assert child.returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_shows_on_a_terminal_and_never_in_the_output(tmp_path: Path) -> None:
    args = [SCRIPT, "sample", SESSION, "--count", "2000", "--format", "jsonl", "--seed", "9"]
    status, seen = run_with_stderr_on_a_terminal(args, tmp_path / "out.jsonl")
    assert status == 0
    assert b"sampling" in seen
    assert b"%" in seen
    piped = run(*args[2:])
    assert piped.stderr == b""  # not a terminal: no progress
    assert (tmp_path / "out.jsonl").read_bytes() == piped.stdout
