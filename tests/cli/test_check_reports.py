"""``talon-fakes check``'s report: JSON Lines, progress on a terminal, exit codes from the counts,
constant memory, a reader that leaves early, and inputs that cannot be read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from commands import CONTRACT, SCRIPT, run, session, write_json, write_lines
from terminal_helpers import run_with_stderr_on_a_terminal

from talon_fakes.cli.check import Tally, check_files


def test_json_format_is_json_lines_with_a_final_summary(tmp_path: Path) -> None:
    odd_value = {"nested": [1, 2.5, None, True, "é"]}
    lines = [json.dumps(session()), json.dumps(session(extra=odd_value)), json.dumps(session(id=[1]))]
    path = write_lines(tmp_path / "orders.jsonl", lines)
    result = run("check", "-c", CONTRACT, "--format", "json", str(path))
    assert (result.returncode, result.stderr) == (1, "")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records == [
        {
            "source": str(path),
            "line": 2,
            "valid": True,
            "violations": [
                {
                    "path": "$.extra",
                    "value": odd_value,
                    "message": "unknown field 'extra': the contract does not define it",
                    "kind": "unknown_field",
                    "rule": "additionalProperties",
                    "severity": "warning",
                }
            ],
        },
        {
            "source": str(path),
            "line": 3,
            "valid": False,
            "violations": [
                {
                    "path": "$.id",
                    "value": [1],
                    "message": "expected integer, got array [1]",
                    "kind": "schema",
                    "rule": "type",
                    "severity": "error",
                }
            ],
        },
        {
            "summary": {
                "contract": CONTRACT,
                "strict": False,
                "documents": 3,
                "valid": 2,
                "invalid": 1,
                "with_warnings": 1,
                "unreadable": 0,
            }
        },
    ]


def test_json_format_of_a_single_json_file_has_line_null(tmp_path: Path) -> None:
    bad = write_json(tmp_path / "bad.json", session(state="weird"))
    result = run("check", "-c", CONTRACT, "--format", "json", str(bad))
    first = json.loads(result.stdout.splitlines()[0])
    assert (first["source"], first["line"], first["valid"]) == (str(bad), None, False)


def _big_jsonl(path: Path, count: int) -> Path:
    good, drift = json.dumps(session()), json.dumps(session(extra=1))
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            handle.write((drift if index % 10 == 0 else good) + "\n")
    return path


def test_no_progress_output_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    path = _big_jsonl(tmp_path / "big.jsonl", 3000)
    result = run("check", "-c", CONTRACT, str(path))
    assert result.returncode == 0
    assert result.stderr == ""
    assert "\r" not in result.stdout
    assert "%" not in result.stdout
    assert result.stdout.endswith("checked 3000 documents: 3000 valid, 0 invalid, 300 with drift warnings\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_is_shown_on_stderr_when_it_is_a_terminal(tmp_path: Path) -> None:
    path = _big_jsonl(tmp_path / "big.jsonl", 200)
    status, seen = run_with_stderr_on_a_terminal(
        [SCRIPT, "check", "-c", CONTRACT, str(path)], tmp_path / "out"
    )
    report = (tmp_path / "out").read_text()
    assert status == 0
    assert b"checking" in seen
    assert b"%" in seen
    assert b"checking" not in seen.rsplit(b"\r", 2)[-2] + seen.rsplit(b"\r", 1)[-1]  # erased at the end
    assert "%" not in report  # the report itself stays clean


@pytest.mark.parametrize(
    ("tally", "code"),
    [
        (Tally(documents=3, valid=3), 0),
        (Tally(documents=3, valid=3, with_warnings=3), 0),
        (Tally(documents=3, valid=2, invalid=1), 1),
        (Tally(documents=3, valid=2, invalid=1, unreadable=1), 2),
        (Tally(unreadable=1), 2),
    ],
)
def test_exit_code_from_the_counts(tally: Tally, code: int) -> None:
    assert tally.exit_code == code


def _peak_bytes(path: Path) -> tuple[int, Tally]:
    with open(os.devnull, "w", encoding="utf-8") as sink:
        tracemalloc.start()
        try:
            tally = check_files([str(path)], contract=CONTRACT, fmt="json", out=sink, err=sink)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak, tally


def test_memory_does_not_grow_with_the_number_of_documents(tmp_path: Path) -> None:
    small = _big_jsonl(tmp_path / "small.jsonl", 2_000)
    large = _big_jsonl(tmp_path / "large.jsonl", 20_000)
    _peak_bytes(small)  # compile the validators and fill every cache first
    peak_small, tally_small = _peak_bytes(small)
    peak_large, tally_large = _peak_bytes(large)
    assert (tally_small.documents, tally_large.documents) == (2_000, 20_000)
    assert tally_large.with_warnings == 2_000  # every tenth document is reported, none kept
    # Holding the documents or the results would make the large run ~10x the small one.
    assert peak_large < 2 * peak_small + 256 * 1024, (peak_small, peak_large)


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path) -> None:
    """`talon-fakes check big.jsonl | head -1`: the pipe closes; the run stops quietly with 2."""
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(['{"not": "a session"}'] * 20_000) + "\n", encoding="utf-8")
    child = subprocess.Popen(
        [SCRIPT, "check", "-c", CONTRACT, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    first = child.stdout.readline()
    child.stdout.close()  # the reader goes away
    _, stderr = child.communicate(timeout=60)
    assert first.startswith(f"{path}:1:".encode())
    assert b"Traceback" not in stderr
    assert child.returncode == 2


def test_empty_input_is_not_a_pass(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    result = run("check", "-c", CONTRACT, str(empty))
    assert result.returncode == 2
    assert "no documents to check" in result.stderr


def test_a_truncated_jsonl_record_is_reported_on_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_bytes(
        json.dumps(session()).encode() + b'\r\n{"effects":[],\r\n' + json.dumps(session()).encode()
    )
    result = run("check", "-c", CONTRACT, str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:2:15: invalid JSON:")


def test_json_format_reports_unreadable_inputs_as_records(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    result = run("check", "-c", CONTRACT, "--format", "json", str(missing))
    first, summary = (json.loads(line) for line in result.stdout.splitlines())
    assert first["source"] == str(missing)
    assert first["error"].startswith("cannot read:")
    assert summary["summary"]["unreadable"] == 1


def test_very_deep_values_do_not_crash_the_json_report(tmp_path: Path) -> None:
    deep = json.loads("[" * 600 + "]" * 600)
    path = write_json(tmp_path / "deep.json", session() | {"zz": deep})
    result = run("check", "-c", CONTRACT, "--strict", "--format", "json", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    record = json.loads(result.stdout.splitlines()[0])
    assert record["violations"][0]["path"] == "$.zz"
