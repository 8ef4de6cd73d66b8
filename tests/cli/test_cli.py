"""The ``talon-fakes`` command: the installed console script end to end, the rest in process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from terminal_helpers import run_with_stderr_on_a_terminal

import talon_fakes
from talon_fakes.cli import main
from talon_fakes.cli.check import Tally, check_files
from talon_fakes.contracts import documents
from talon_fakes.contracts.loading import contract_names, describe

CONTRACT = "customer-session-v2"


def _script() -> str:
    found = shutil.which("talon-fakes", path=os.path.dirname(sys.executable)) or shutil.which("talon-fakes")
    assert found, "the talon-fakes console script is not installed next to this Python"
    return found


SCRIPT = _script()


def session(**changes: Any) -> dict[str, Any]:
    """A valid customer-session-v2 document, with ``changes`` applied."""
    doc: dict[str, Any] = {
        "id": 1,
        "created": "2024-01-01T10:00:00Z",
        "integrationId": "session-1",
        "applicationId": 7,
        "profileId": "profile-1",
        "state": "open",
        "cartItems": [{"sku": "A", "quantity": 2, "price": 5.0}, {"sku": "B", "quantity": 1, "price": 2.5}],
        "attributes": {},
        "firstSession": True,
        "updateCount": 0,
        "total": 12.5,
        "cartItemTotal": 12.5,
        "additionalCostTotal": 0,
        "cartItemAdditionalCostTotal": 0,
        "updated": "2024-01-01T10:05:00Z",
    }
    doc.update(changes)
    return doc


def test_the_base_document_is_valid() -> None:
    assert talon_fakes.validate(session(), CONTRACT) == []


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- end to end, through the installed script -------------------------------------------------


def test_valid_file_exits_0_with_only_the_summary(tmp_path: Path) -> None:
    good = write_json(tmp_path / "good.json", session())
    result = run("check", "--contract", CONTRACT, str(good))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "checked 1 document: 1 valid, 0 invalid, 0 with drift warnings\n"


def test_invalid_file_exits_1_and_names_the_path_and_value(tmp_path: Path) -> None:
    bad = write_json(tmp_path / "bad.json", session(id="x"))
    result = run("check", "-c", CONTRACT, str(bad))
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{bad}: 1 error",
        '  $.id: expected integer, got string "x"',
        "checked 1 document: 0 valid, 1 invalid, 0 with drift warnings",
    ]


def test_jsonl_reports_file_line_numbers_and_skips_blank_lines(tmp_path: Path) -> None:
    lines = [json.dumps(session()), "", "   ", json.dumps(session(total=99)), json.dumps(session())]
    path = write_lines(tmp_path / "orders.jsonl", lines)
    result = run("check", "-c", CONTRACT, str(path))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == f"{path}:4: 1 error"
    assert "$.total: total is 99" in result.stdout
    assert result.stdout.endswith("checked 3 documents: 2 valid, 1 invalid, 0 with drift warnings\n")


def test_malformed_json_file_reports_line_and_column_on_stderr_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": 1,\n  "state": open\n}\n', encoding="utf-8")
    result = run("check", "-c", CONTRACT, str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:3:12: invalid JSON: ")
    assert result.stdout == (
        "checked 0 documents: 0 valid, 0 invalid, 0 with drift warnings; 1 unreadable (see stderr)\n"
    )


def test_a_malformed_jsonl_line_is_reported_and_checking_goes_on(tmp_path: Path) -> None:
    lines = [json.dumps(session()), '{"id": 1,, }', json.dumps(session(state="weird"))]
    path = write_lines(tmp_path / "orders.ndjson", lines)
    result = run("check", "-c", CONTRACT, str(path))
    # exit 2 wins over the invalid document on line 3, which is still reported
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{path}:2:10: invalid JSON: unexpected character, expected a string key"
    ]
    assert result.stdout.splitlines()[0] == f"{path}:3: 1 error"
    assert "2 documents: 1 valid, 1 invalid" in result.stdout


def test_missing_file_is_reported_and_the_other_files_are_still_checked(tmp_path: Path) -> None:
    bad = write_json(tmp_path / "bad.json", session(id="x"))
    missing = tmp_path / "missing.json"
    result = run("check", "-c", CONTRACT, str(missing), str(bad))
    assert result.returncode == 2
    assert result.stderr == f"{missing}: cannot read: No such file or directory\n"
    assert f"{bad}: 1 error" in result.stdout
    assert "checked 1 document: 0 valid, 1 invalid" in result.stdout


def test_stdin_is_one_json_document_even_when_pretty_printed() -> None:
    result = run("check", "-c", CONTRACT, "-", stdin=json.dumps(session(), indent=2))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("checked 1 document: 1 valid")


def test_stdin_with_several_documents_needs_jsonl() -> None:
    text = json.dumps(session()) + "\n" + json.dumps(session()) + "\n"
    result = run("check", "-c", CONTRACT, "-", stdin=text)
    assert result.returncode == 2
    assert result.stderr.startswith("<stdin>:2:1: invalid JSON: unexpected content after document")


def test_stdin_as_json_lines_reports_stdin_line_numbers() -> None:
    text = json.dumps(session()) + "\n" + json.dumps(session(updateCount="3")) + "\n"
    result = run("check", "-c", CONTRACT, "--jsonl", "-", stdin=text)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:2] == [
        "<stdin>:2: 1 error",
        '  $.updateCount: expected integer, got string "3"',
    ]


def test_unknown_contract_is_a_usage_error_with_the_hint(tmp_path: Path) -> None:
    good = write_json(tmp_path / "good.json", session())
    result = run("check", "-c", "customer-sesion-v2", str(good))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown contract 'customer-sesion-v2'; did you mean 'customer-session-v2'?" in result.stderr
    assert "Known contracts: " in result.stderr


def test_no_file_is_a_usage_error() -> None:
    result = run("check", "-c", CONTRACT)
    assert result.returncode == 2
    assert "Missing argument 'FILE...'" in result.stderr


def test_strict_turns_an_unknown_field_from_a_warning_into_a_failure(tmp_path: Path) -> None:
    drifted = write_json(tmp_path / "drift.json", session(loyaltyTier="gold"))
    lenient = run("check", "-c", CONTRACT, str(drifted))
    assert lenient.returncode == 0
    assert lenient.stdout.splitlines() == [
        f"{drifted}: 1 warning",
        "  $.loyaltyTier: unknown field 'loyaltyTier': the contract does not define it "
        "[unknown_field] (warning)",
        "checked 1 document: 1 valid, 0 invalid, 1 with drift warnings",
    ]
    strict = run("check", "-c", CONTRACT, "--strict", str(drifted))
    assert strict.returncode == 1
    assert f"{drifted}: 1 error" in strict.stdout
    assert "(warning)" not in strict.stdout
    assert strict.stdout.endswith("checked 1 document: 0 valid, 1 invalid, 0 with drift warnings\n")


def test_multiple_files_are_checked_in_order_and_counted_together(tmp_path: Path) -> None:
    first = write_json(tmp_path / "a.json", session(total=1))
    second = write_lines(tmp_path / "b.jsonl", [json.dumps(session()), json.dumps(session(state="weird"))])
    third = write_json(tmp_path / "c.json", session())
    result = run("check", "-c", CONTRACT, str(first), str(second), str(third))
    assert result.returncode == 1
    headers = [line for line in result.stdout.splitlines() if not line.startswith(("  ", "checked"))]
    assert headers == [f"{first}: 1 error", f"{second}:2: 1 error"]
    assert result.stdout.endswith("checked 4 documents: 2 valid, 2 invalid, 0 with drift warnings\n")


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


def test_help_does_not_load_the_validators() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from talon_fakes.cli import main\n"
        "for args in (['--help'], ['check', '--help'], ['contracts', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = ('jsonschema', 'jsonschema_rs', 'talon_fakes.contracts.validation')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


# --- in process --------------------------------------------------------------------------------


def test_contracts_lists_every_contract_with_its_description_aligned() -> None:
    result = CliRunner().invoke(main, ["contracts"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    names = contract_names()
    assert [line.split()[0] for line in lines] == names
    column = max(len(name) for name in names) + 2
    for name, line in zip(names, lines, strict=True):
        assert line[:column].rstrip() == name
        assert line[column:] == describe(name)


def test_non_object_documents_are_invalid_not_unreadable(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "odd.jsonl", ["[]", "null", '"text"'])
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(path)])
    assert result.exit_code == 1
    assert "checked 3 documents: 0 valid, 3 invalid" in result.stdout
    assert result.stderr == ""


def test_a_directory_is_unreadable_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path}: cannot read: ")


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    single = tmp_path / "bom.json"
    single.write_bytes(b"\xef\xbb\xbf" + json.dumps(session()).encode())
    lines = tmp_path / "bom.jsonl"
    lines.write_bytes(b"\xef\xbb\xbf" + json.dumps(session()).encode() + b"\n")
    result = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(single), str(lines)])
    assert (result.exit_code, result.stderr) == (0, "")


def test_jsonl_flag_reads_any_file_as_json_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "export.txt", [json.dumps(session()), json.dumps(session(id="x"))])
    as_one = CliRunner().invoke(main, ["check", "-c", CONTRACT, str(path)])
    assert as_one.exit_code == 2
    as_lines = CliRunner().invoke(main, ["check", "-c", CONTRACT, "--jsonl", str(path)])
    assert as_lines.exit_code == 1
    assert as_lines.stdout.startswith(f"{path}:2: 1 error\n")


def test_a_malformed_line_reports_the_column_in_characters(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "x.jsonl", [json.dumps(session()), '{"prénom": x}'])
    items = list(documents.read(str(path)))
    assert isinstance(items[0], documents.Document)
    assert str(items[1]) == f"{path}:2:12: invalid JSON: unexpected character, expected a JSON value"


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
