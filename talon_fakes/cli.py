"""The ``talon-fakes`` command: argument parsing and output only.

Documents are read by :mod:`talon_fakes.documents` and checked by :func:`talon_fakes.validate`;
both are imported inside the commands, so ``talon-fakes --help`` never loads a validator.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal, TextIO

import click

from talon_fakes import __version__

if TYPE_CHECKING:
    from click.decorators import FC
    from click.shell_completion import CompletionItem
    from tqdm import tqdm

    from talon_fakes.documents import Document
    from talon_fakes.violations import Violation

Format = Literal["text", "json"]

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2  # also click's status for a usage error


class _Fatal(click.ClickException):
    """Nothing can be checked at all (no contract files): not a verdict on any document."""

    exit_code = EXIT_UNREADABLE


class _Commands(click.Group):
    """A group that imports a command's module only when that command is used or listed.

    ``sample`` lives in :mod:`talon_fakes._sample`, which imports this module's helpers; loading it
    on demand keeps that one-way (no import cycle) and keeps this module to argument parsing.
    """

    # command name -> the module that defines it as ``command``
    _ELSEWHERE: ClassVar[dict[str, str]] = {
        "sample": "talon_fakes._sample",
        "diagram": "talon_fakes._diagram",
        "proxy": "talon_fakes.proxy_command",
        "spec-diff": "talon_fakes.cli_spec_diff",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self._ELSEWHERE])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._ELSEWHERE:
            import importlib

            command: click.Command = importlib.import_module(self._ELSEWHERE[cmd_name]).command
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="talon-fakes")
def main() -> None:
    """Talon.One customer sessions: contracts to check documents against, sample payloads, and a
    stateful fake to serve (with its OpenAPI document)."""


@main.command("contracts")
def contracts_command() -> None:
    """List every contract name with its one-line description."""
    from talon_fakes import contracts
    from talon_fakes.errors import ContractsNotFound

    try:
        rows = [(name, contracts.describe(name)) for name in contracts.contract_names()]
    except ContractsNotFound as error:
        raise _Fatal(str(error)) from None
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        click.echo(f"{name.ljust(width)}  {description}")


def _contract(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from talon_fakes.contracts import check_name
    from talon_fakes.errors import ContractsNotFound, UnknownContract

    if value is None:  # only --exchanges goes without (check_command says so otherwise)
        return None
    try:
        return check_name(value)
    except UnknownContract as error:
        raise click.BadParameter(str(error), ctx, param) from None
    except ContractsNotFound as error:
        raise _Fatal(str(error)) from None


def _completion(names: Callable[[], Iterable[str]]) -> Callable[..., list[CompletionItem]]:
    """A ``shell_complete`` callback offering those of ``names()`` that start with what was typed.

    ``names`` imports what it needs when called, so that defining an option imports nothing.
    """

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(name) for name in names() if name.startswith(incomplete)]

    return complete


def _contract_names() -> list[str]:
    from talon_fakes.contracts import contract_names

    return contract_names()


def _progress(total: int, desc: str, unit: str) -> tqdm[Any]:
    """A progress bar on stderr that is erased when closed; only for a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total, desc=desc, unit=unit, unit_scale=True, file=sys.stderr, leave=False, mininterval=0.1
    )


def _reader_left() -> None:
    """The reader of stdout left (`| head`): send what is still buffered to /dev/null.

    Without this, Python's final flush of stdout fails again and prints a traceback-like warning.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


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


@main.command("check", help=_CHECK_HELP, short_help="Check JSON or JSON Lines documents against a contract.")
@click.option(
    "--contract",
    "-c",
    metavar="NAME",
    callback=_contract,
    shell_complete=_completion(_contract_names),
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
def check_command(
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
        from talon_fakes.traffic import check_exchange_files

        if contract is not None or jsonl:
            message = "--exchanges takes no --contract or --jsonl: each exchange's route names its contract"
            raise click.UsageError(message, ctx)
        traffic = check_exchange_files(files, strict=strict, fmt=fmt, out=sys.stdout, err=sys.stderr)
        ctx.exit(traffic.exit_code)
    if contract is None:
        raise click.UsageError("Missing option '--contract' / '-c' (or give --exchanges).", ctx)
    from talon_fakes.documents import size

    progress = None
    total = sum(size(name) for name in files) if sys.stderr.isatty() else 0
    if total:
        progress = _progress(total, "checking", "B")
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
        _reader_left()
        ctx.exit(EXIT_UNREADABLE)
    ctx.exit(tally.exit_code)


@main.command("openapi")
@click.option("--strict", is_flag=True, help="Embed the strict contracts (objects closed to unknown fields).")
def openapi_command(strict: bool) -> None:
    """Print the OpenAPI 3.1 document of the endpoints the fake serves, as JSON."""
    import json

    from talon_fakes.errors import ContractsNotFound
    from talon_fakes.openapi import document

    try:
        doc = document(strict=strict)
    except ContractsNotFound as error:
        raise _Fatal(str(error)) from None
    click.echo(json.dumps(doc, indent=2))


class _CannotServe(click.ClickException):
    """The fake could not listen where it was told to (a port in use, an unknown host)."""

    exit_code = EXIT_UNREADABLE


_SERVE_HELP = """Run the fake standalone, for clients in any language, until SIGINT or SIGTERM.

The first line of stdout is the base URL (e.g. http://127.0.0.1:50123), flushed at once, so a
test harness can start this command and read one line. The keys follow on the next lines.
Stopped by Ctrl-C or SIGTERM, it exits 0 once the requests in flight are answered (within
--grace-period); if it cannot listen (a port in use), it exits 2. Connections are kept alive
(HTTP/1.1); a stalled client is answered 408 after --read-timeout.
"""

# Kept literal (not read from talon_fakes.states) so that --help imports nothing; a test checks
# that they match the rule sets.
_RULE_SET_NAMES = ("current", "v1", "legacy")


def _secret(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A key or token as given, unless the fake could not hold it (empty: it would admit anyone)."""
    from talon_fakes.auth import secret_problem

    problem = None if value is None else secret_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{problem}; give a non-empty value", ctx, param)
    return value


def _rules_option(help_text: str) -> Callable[[FC], FC]:
    """The ``--rules`` option (a rule set name, ``current`` by default), with its own help."""
    return click.option(
        "--rules", type=click.Choice(_RULE_SET_NAMES), default="current", show_default=True, help=help_text
    )


def listen_options(command: FC) -> FC:
    """``--host`` and ``--port``, for the commands that listen (``serve``, ``proxy``)."""
    command = click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=0,
        show_default=True,
        help="The port to listen on; 0 picks a free one.",
    )(command)
    return click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")(
        command
    )


def _campaigns_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--campaigns FILE``, read and checked before anything starts (a bad one exits 2)."""
    if value is None:
        return None
    from talon_fakes.campaigns import load_campaigns_file
    from talon_fakes.errors import InvalidCampaigns

    try:
        return load_campaigns_file(value)
    except InvalidCampaigns as error:
        raise click.BadParameter(f"{value}: {error}", ctx=ctx, param=param) from None


@main.command("serve", help=_SERVE_HELP, short_help="Run the fake on a local port until stopped.")
@listen_options
@click.option(
    "--api-key",
    metavar="KEY",
    callback=_secret,
    help="The Integration API key  [default: talon-fakes-api-key]",
)
@click.option(
    "--management-key",
    metavar="KEY",
    callback=_secret,
    help="The Management API key  [default: talon-fakes-management-key]",
)
@click.option(
    "--bearer-token",
    metavar="TOKEN",
    callback=_secret,
    help="A Management API bearer token it also accepts (Authorization: Bearer TOKEN)  [default: none]",
)
@_rules_option("The transition rules the fake enforces.")
@click.option(
    "--application-id",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="The Application the Integration API key belongs to.",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a request may take to arrive, from its first byte (a stalled client gets a 408).",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a kept-alive connection may wait for its next request before it is closed.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=256,
    show_default=True,
    help="Connections served at once (one thread each); past it the longest idle one is closed, else a 503.",
)
@click.option(
    "--grace-period",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Seconds requests in flight get to finish after SIGINT or SIGTERM.",
)
@click.option(
    "--admin-token",
    metavar="TOKEN",
    help="The control API (/__admin/) needs Authorization: Bearer TOKEN  "
    "[default: none on loopback; beyond it, the management key]",
)
@click.option("--log", "-v", "log", is_flag=True, help="Print one line per request to stderr.")
@click.option(
    "--campaigns",
    metavar="FILE",
    callback=_campaigns_option,
    help="A JSON file of the campaigns the fake judges coupons and referrals by (see the README)  "
    "[default: none: every code is rejected as not found]",
)
def serve_command(
    host: str,
    port: int,
    api_key: str | None,
    management_key: str | None,
    bearer_token: str | None,
    rules: str,
    application_id: int,
    read_timeout: float,
    idle_timeout: float,
    max_connections: int,
    grace_period: float,
    admin_token: str | None,
    log: bool,
    campaigns: Any,
) -> None:
    """Run ``serve``: its help is the module's ``_SERVE_HELP``."""
    import signal
    import threading

    from talon_fakes.app import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY
    from talon_fakes.errors import TalonFakesError
    from talon_fakes.server import TalonFake

    fake = TalonFake(
        rules=rules,
        api_key=DEFAULT_API_KEY if api_key is None else api_key,
        management_key=DEFAULT_MANAGEMENT_KEY if management_key is None else management_key,
        bearer_token=bearer_token,
        application_id=application_id,
        host=host,
        port=port,
        read_timeout=read_timeout,
        idle_timeout=idle_timeout,
        max_connections=max_connections,
        grace_period=grace_period,
        campaigns=campaigns,
    )
    from talon_fakes.admin import required_token

    fake.admin.token = required_token(host, admin_token, fake.management_key)
    if log:
        from talon_fakes.requestlog import RequestLog

        fake.app.observers.append(RequestLog(sys.stderr))
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            fake.start()
        except TalonFakesError as error:
            reason = getattr(error.__cause__, "strerror", None) or str(error)  # the OS's reason
            in_use = reason == os.strerror(errno.EADDRINUSE)
            fix = "choose another --port, or --port 0 for a free one" if in_use else "check --host and --port"
            raise _CannotServe(f"cannot listen on {host}:{port}: {reason}; {fix}") from None
        click.echo(fake.base_url)
        integration, management = fake.integration_headers, fake.management_headers
        click.echo(
            f"Integration API: Authorization: {integration['Authorization']} (application {application_id})"
        )
        click.echo(f"Management API: Authorization: {management['Authorization']}")
        if bearer_token is not None:
            click.echo(f"Management API: Authorization: {fake.bearer_headers['Authorization']}")
        if campaigns is not None:
            click.echo(f"campaigns: {', '.join(str(c.id) for c in campaigns.campaigns) or 'none'}")
        guard = "open on loopback" if fake.admin.token is None else "needs Authorization: Bearer <token>"
        if fake.admin.token is not None and admin_token is None:
            guard += " (listening beyond loopback: the token is the management key)"
        click.echo(f"control API: {fake.base_url}/__admin/ (dashboard); {guard}")
        click.echo(f"rules: {rules}; stop with Ctrl-C or SIGTERM")
        sys.stdout.flush()
        while not stop.wait(0.5):  # a timeout keeps the wait interruptible on every platform
            pass
    finally:
        fake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
        from talon_fakes.violations import short

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
    :mod:`talon_fakes.report_limit`). Returns the counts; ``.exit_code`` is the command's status.
    """
    from talon_fakes.contracts import schema
    from talon_fakes.documents import Unreadable, read_all
    from talon_fakes.report_limit import ReportLimit
    from talon_fakes.validation import validate

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
