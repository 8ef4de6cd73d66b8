"""``talon-fakes check``: documents (or recorded exchanges) checked against the contracts.

Documents are read by :mod:`talon_fakes.contracts.documents` and checked by
:func:`talon_fakes.validate`; both are imported inside the command, so ``talon-fakes --help``
never loads a validator. One document is held at a time; only the counts (:class:`Tally`) are kept.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO

import click

from talon_fakes.cli.options import (
    EXIT_INVALID,
    EXIT_UNREADABLE,
    EXIT_VALID,
    completion,
    contract_name,
    contract_names,
    progress_bar,
    reader_left,
)

if TYPE_CHECKING:
    from tqdm import tqdm

    from talon_fakes.contracts.documents import Document
    from talon_fakes.contracts.violations import Violation

Format = Literal["text", "json"]

_CHECK_HELP = """Check documents against the contract NAME (see `talon-fakes contracts`).

\b
FILE is one of:
  *.json, or any other name   exactly one JSON document; a top-level array
                              holds one document per item (what `talon-fakes
                              sample --count N` prints): reports name FILE[INDEX]
  *.jsonl, *.ndjson           JSON Lines: one document per line, blank lines
                              skipped; reports name FILE:LINE
  -                           standard input, read as ONE JSON document (or an
                              array of them; pretty-printed or not) unless
                              --jsonl is given

With --exchanges, FILE... are recorded HTTP exchanges (HAR files, VCR.py cassettes,
`talon-fakes proxy` recordings; - reads one from stdin) and no --contract is given: each request
and answer is checked against the contract of its route and status, and reported as FILE#N
METHOD PATH -> STATUS (operation), then one line per violation (part, contract, JSON path, rule).
Exchanges of routes without a contract are listed, not failed.

The report goes to stdout: each document with violations (its name, then one line per
violation), then a summary line. With --format json the report is JSON Lines: one object per
document with violations, then {"summary": {...}}.

Problems reading the input go to stderr and do not stop the run: a malformed document is
reported as FILE:LINE:COLUMN: invalid JSON: ... (saying so when it looks like JSON Lines read
without --jsonl), a missing or unreadable file as FILE: cannot read: ..., and checking goes on
with the next line or file.

--max-reports N shows the first N reports (documents with violations and unreadable inputs) and
counts the rest: a line before the summary (in JSON, "not_shown" in the summary) says how many
were left out, of which kind, and their violations by rule. Every document is still checked.

On a terminal, progress is shown on stderr; never when stderr is a pipe or a file.

\b
Exit status:
  0  every document is valid (drift warnings are reported but do not fail)
  1  some document has an error-level violation
  2  usage error, or some input could not be read or parsed (this wins over 1)
"""


@click.command("check", help=_CHECK_HELP, short_help="Check JSON or JSON Lines documents against a contract.")
@click.option(
    "--contract",
    "-c",
    metavar="NAME",
    callback=contract_name,
    shell_complete=completion(contract_names),
    help="The contract every document must match.",
)
@click.option("--strict", is_flag=True, help="Unknown fields are errors, not drift warnings.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report as readable text, or as JSON Lines for machines.",
)
@click.option("--jsonl", is_flag=True, help="Read every input, stdin included, as JSON Lines.")
@click.option(
    "--exchanges",
    is_flag=True,
    help="FILE... are recorded HTTP exchanges (HAR, VCR.py cassettes, `talon-fakes proxy` "
    "recordings): each request and answer is checked against the contract of its route and "
    "status, so no --contract is given.",
)
@click.option(
    "--max-reports",
    type=click.IntRange(min=0),
    metavar="N",
    help="Show at most N reports; count the rest in the summary  [default: all]",
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...", type=click.Path(allow_dash=True))
@click.pass_context
def command(
    ctx: click.Context,
    contract: str | None,
    strict: bool,
    fmt: Format,
    jsonl: bool,
    exchanges: bool,
    max_reports: int | None,
    files: tuple[str, ...],
) -> None:
    """Run ``check``: its help is the module's ``_CHECK_HELP``."""
    if exchanges:
        from talon_fakes.contracts.traffic import check_exchange_files

        if contract is not None or jsonl:
            message = "--exchanges takes no --contract or --jsonl: each exchange's route names its contract"
            raise click.UsageError(message, ctx)
        traffic = check_exchange_files(files, strict=strict, fmt=fmt, out=sys.stdout, err=sys.stderr)
        ctx.exit(traffic.exit_code)
    if contract is None:
        raise click.UsageError("Missing option '--contract' / '-c' (or give --exchanges).", ctx)
    from talon_fakes.contracts.documents import size

    progress = None
    total = sum(size(name) for name in files) if sys.stderr.isatty() else 0
    if total:
        progress = progress_bar(total, "checking", "B")
    try:
        tally = check_files(
            files,
            contract=contract,
            strict=strict,
            fmt=fmt,
            jsonl=jsonl,
            out=sys.stdout,
            err=sys.stderr,
            stdin=sys.stdin.buffer,
            progress=progress,
            max_reports=max_reports,
        )
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly, as Unix tools do; the verdict is incomplete.
        reader_left()
        ctx.exit(EXIT_UNREADABLE)
    ctx.exit(tally.exit_code)


@dataclass
class Tally:
    """The counts of one run; the summary line and the exit status come from it."""

    documents: int = 0
    valid: int = 0
    invalid: int = 0
    with_warnings: int = 0
    unreadable: int = 0

    def add(self, violations: Sequence[Violation]) -> None:
        """Count one checked document."""
        self.documents += 1
        if any(v.is_error for v in violations):
            self.invalid += 1
        else:
            self.valid += 1
        if any(not v.is_error for v in violations):
            self.with_warnings += 1

    @property
    def exit_code(self) -> int:
        """2 if any input could not be read, else 1 if any document is invalid, else 0."""
        if self.unreadable:
            return EXIT_UNREADABLE
        return EXIT_INVALID if self.invalid else EXIT_VALID

    def as_dict(self) -> dict[str, int]:
        """The counts, by name."""
        return {
            "documents": self.documents,
            "valid": self.valid,
            "invalid": self.invalid,
            "with_warnings": self.with_warnings,
            "unreadable": self.unreadable,
        }

    def __str__(self) -> str:
        noun = "document" if self.documents == 1 else "documents"
        text = (
            f"checked {self.documents} {noun}: {self.valid} valid, {self.invalid} invalid, "
            f"{self.with_warnings} with drift warnings"
        )
        if self.unreadable:
            text += f"; {self.unreadable} unreadable (see stderr)"
        return text


def _emit(stream: TextIO, text: str, progress: tqdm[Any] | None) -> None:
    if progress is None:
        click.echo(text, file=stream)
    else:  # clears the progress bar, writes, redraws it
        progress.write(text, file=stream)


def _text_entry(document: Document, violations: Sequence[Violation]) -> str:
    errors = sum(v.is_error for v in violations)
    warnings = len(violations) - errors
    counts = [
        f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((errors, "error"), (warnings, "warning")) if n
    ]
    lines = [f"{document.where}: {', '.join(counts)}"]
    lines += [f"  {violation}" for violation in violations]
    return "\n".join(lines)


def _json_line(value: dict[str, Any]) -> str:
    import orjson

    # Violation values are JSON already; str() is only a guard for anything exotic.
    try:
        return orjson.dumps(value, default=str).decode()
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (it reads deeper)
        from talon_fakes.contracts.violations import short

        for violation in value.get("violations", ()):
            violation["value"] = short(violation["value"])
        return orjson.dumps(value, default=str).decode()


def _json_entry(document: Document, violations: Sequence[Violation]) -> str:
    where: dict[str, Any] = {"source": document.source, "line": document.line}
    if document.index is not None:  # an item of a top-level array
        where["index"] = document.index
    return _json_line(
        where
        | {"valid": not any(v.is_error for v in violations), "violations": [v.as_dict() for v in violations]}
    )


def check_files(
    names: Iterable[str],
    *,
    contract: str,
    strict: bool = False,
    fmt: Format = "text",
    jsonl: bool = False,
    out: TextIO,
    err: TextIO,
    stdin: IO[bytes] | None = None,
    progress: tqdm[Any] | None = None,
    max_reports: int | None = None,
) -> Tally:
    """Check every document of ``names`` against ``contract``, writing the report as it goes.

    One document is held at a time and only the counts are kept, so memory does not grow with
    the number of documents. ``max_reports`` caps the reports shown (see
    :mod:`talon_fakes.contracts.report_limit`). Returns the counts; ``.exit_code`` is the command's status.
    """
    from talon_fakes.contracts.documents import Unreadable, read_all
    from talon_fakes.contracts.loading import schema
    from talon_fakes.contracts.report_limit import ReportLimit
    from talon_fakes.contracts.validation import validate

    entry = _text_entry if fmt == "text" else _json_entry
    tally = Tally()
    limit = ReportLimit(max_reports)
    on_bytes = None if progress is None else progress.update
    # A top-level array is many documents, unless the contract's documents are arrays.
    arrays = schema(contract).get("type") != "array"
    for item in read_all(names, jsonl=jsonl, stdin=stdin, on_bytes=on_bytes, arrays=arrays):
        if isinstance(item, Unreadable):
            tally.unreadable += 1
            if not limit.admit_unreadable():
                continue
            _emit(err, str(item), progress)
            if fmt == "json":
                record = {
                    "source": item.source,
                    "line": item.line,
                    "column": item.column,
                    "error": item.message,
                }
                _emit(out, _json_line(record), progress)
            continue
        violations = validate(item.value, contract, strict=strict)
        tally.add(violations)
        if violations and limit.admit(violations):
            _emit(out, entry(item, violations), progress)
    if progress is not None:
        progress.close()  # leave=False: the bar is erased
    if tally.documents == 0 and not tally.unreadable:
        # An empty capture must not pass a CI check: nothing was checked, so nothing is known.
        tally.unreadable += 1
        click.echo("no documents to check: every input was empty", file=err)
    if fmt == "text":
        if limit.left_out:
            click.echo(str(limit), file=out)
        click.echo(str(tally), file=out)
    else:
        summary: dict[str, Any] = {"contract": contract, "strict": strict, **tally.as_dict()}
        if max_reports is not None:
            summary["not_shown"] = limit.as_dict()
        click.echo(_json_line({"summary": summary}), file=out)
    return tally
