"""The ``talon-fakes`` command: the installed console script end to end, the rest in process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from commands import CONTRACT, run, session, write_json, write_lines

import talon_fakes
from talon_fakes.cli import main
from talon_fakes.contracts import documents
from talon_fakes.contracts.loading import contract_names, describe


def test_the_base_document_is_valid() -> None:
    assert talon_fakes.validate(session(), CONTRACT) == []


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
