"""``talon-fakes check``: JSON arrays, JSON Lines given as JSON, and ``--max-reports``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from commands import SCRIPT

from talon_fakes.cli import main
from talon_fakes.generators.factories import Factories

CONTRACT = "customer-session-v2"


def sessions(count: int, **changes: Any) -> list[dict[str, Any]]:
    """``count`` valid sessions, each with ``changes`` applied (which may break them)."""
    return [doc | changes for doc in Factories(seed=3).batch(CONTRACT, count)]


def check(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "check", "-c", CONTRACT, *args], input=stdin, capture_output=True, text=True, timeout=60
    )


# --- a top-level JSON array is many documents -------------------------------------------------


def test_what_sample_prints_is_checked_as_many_documents() -> None:
    sample = subprocess.run(
        [SCRIPT, "sample", CONTRACT, "--count", "3", "--seed", "7"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sample.returncode == 0
    assert isinstance(json.loads(sample.stdout), list)
    result = check("-", stdin=sample.stdout)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "checked 3 documents: 3 valid, 0 invalid, 0 with drift warnings\n"


def test_each_item_of_an_array_file_is_named_by_its_index(tmp_path: Path) -> None:
    docs = sessions(3)
    docs[1]["state"] = "weird"
    docs[2]["loyaltyTier"] = "gold"
    path = tmp_path / "sessions.json"
    path.write_text(json.dumps(docs, indent=2), encoding="utf-8")
    result = check(str(path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{path}[1]: 1 error",
        '  $.state: "weird" is not one of open, closed, partially_returned, cancelled',
        f"{path}[2]: 1 warning",
        "  $.loyaltyTier: unknown field 'loyaltyTier': the contract does not define it"
        " [unknown_field] (warning)",
        "checked 3 documents: 2 valid, 1 invalid, 1 with drift warnings",
    ]
    records = [json.loads(line) for line in check("--format", "json", str(path)).stdout.splitlines()]
    assert [(r["source"], r["line"], r["index"], r["valid"]) for r in records[:2]] == [
        (str(path), None, 1, False),
        (str(path), None, 2, True),
    ]
    assert records[2]["summary"]["documents"] == 3


def test_an_array_inside_a_json_lines_file_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_text(json.dumps(sessions(2)) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:1: 1 error\n  $: expected object, got array")


def test_an_empty_array_is_not_a_pass(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(path)])
    assert result.exit_code == 2
    assert "no documents to check" in result.stderr


# --- JSON Lines read as one document ----------------------------------------------------------


def test_a_json_file_holding_json_lines_gets_a_hint_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "capture.json"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in sessions(3)), encoding="utf-8")
    result = check(str(path))
    assert (result.returncode, result.stdout.splitlines()[-1]) == (
        2,
        "checked 0 documents: 0 valid, 0 invalid, 0 with drift warnings; 1 unreadable (see stderr)",
    )
    assert result.stderr == (
        f"{path}:2:1: invalid JSON: unexpected content after document; it looks like JSON Lines "
        "(one document a line): to read it so, pass --jsonl, or name the file *.jsonl\n"
    )
    assert check("--jsonl", str(path)).returncode == 0


def test_json_lines_on_stdin_without_jsonl_get_the_hint() -> None:
    text = "\n".join(json.dumps(doc) for doc in sessions(2))
    result = check("-", stdin=text)
    assert result.returncode == 2
    assert result.stderr.startswith("<stdin>:2:1: invalid JSON: unexpected content after document")
    assert result.stderr.endswith(
        "it looks like JSON Lines (one document a line): to read it so, pass --jsonl\n"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(sessions(1)[0], indent=2) + "\n{",  # a pretty-printed document, then garbage
        '{"id": 1,\n"state": }',  # broken on line 2
        '{"id": 1}\nnot json\n',  # the second line is no document
    ],
)
def test_other_malformed_json_gets_no_json_lines_hint(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(path)])
    assert result.exit_code == 2
    assert "invalid JSON" in result.stderr
    assert "JSON Lines" not in result.stderr


# --- --max-reports ------------------------------------------------------------------------------


def _lines(tmp_path: Path, docs: list[Any], extra: tuple[str, ...] = ()) -> Path:
    path = tmp_path / "capture.jsonl"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs) + "".join(extra), encoding="utf-8")
    return path


def test_max_reports_shows_the_first_reports_and_says_what_was_left_out(tmp_path: Path) -> None:
    docs = sessions(6, state="weird")
    del docs[4]["profileId"]
    docs[5] = sessions(1, loyaltyTier="gold")[0]
    path = _lines(tmp_path, [*docs, sessions(1)[0]])
    result = check("--max-reports", "2", str(path))
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if not line.startswith("  ")] == [
        f"{path}:1: 1 error",
        f"{path}:2: 1 error",
        "4 more reports not shown (--max-reports 2): 3 invalid documents, "
        "1 document with drift warnings only; their violations by rule: enum 3, required 1, unknown field 1",
        "checked 7 documents: 2 valid, 5 invalid, 1 with drift warnings",
    ]


def test_max_reports_counts_unreadable_lines_and_keeps_the_verdict(tmp_path: Path) -> None:
    path = _lines(tmp_path, sessions(2, state="weird"), ("{not json\n", "{\n"))
    result = check("--max-reports", "1", "--format", "json", str(path))
    assert result.returncode == 2  # unreadable input wins over invalid, shown or not
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 2
    assert records[0]["line"] == 1
    assert records[1]["summary"]["not_shown"] == {
        "reports": 3,
        "invalid": 1,
        "with_warnings": 0,
        "unreadable": 2,
        "rules": {"enum": 1},
    }
    assert (records[1]["summary"]["invalid"], records[1]["summary"]["unreadable"]) == (2, 2)
    assert result.stderr == ""  # the unreadable lines were left out


def test_max_reports_zero_prints_only_the_summary(tmp_path: Path) -> None:
    path = _lines(tmp_path, sessions(3, state="weird"))
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, "--max-reports", "0", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "3 more reports not shown (--max-reports 0): 3 invalid documents; their violations by rule: enum 3",
        "checked 3 documents: 0 valid, 3 invalid, 0 with drift warnings",
    ]


def test_max_reports_larger_than_the_run_changes_nothing(tmp_path: Path) -> None:
    path = _lines(tmp_path, sessions(3, state="weird"))
    capped = CliRunner().invoke(main, ["check", "-c", CONTRACT, "--max-reports", "3", str(path)])
    plain = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(path)])
    assert (capped.exit_code, capped.stdout) == (plain.exit_code, plain.stdout)
    json_summary = CliRunner().invoke(
        main, ["check", "-c", CONTRACT, "--max-reports", "3", "--format", "json", str(path)]
    )
    summary = json.loads(json_summary.stdout.splitlines()[-1])["summary"]
    assert summary["not_shown"]["reports"] == 0


def test_a_negative_max_reports_is_a_usage_error(tmp_path: Path) -> None:
    path = _lines(tmp_path, sessions(1))
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, "--max-reports", "-1", str(path)])
    assert result.exit_code == 2
    assert "--max-reports" in result.stderr
