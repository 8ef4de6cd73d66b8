"""``talon-fakes sample``: generated documents on stdout, as JSON or JSON Lines.

Loaded by :mod:`talon_fakes.cli` only when used or listed, like every command. The factories are
imported when the command runs, never for ``--help``. The bytes written depend only on the
documents (orjson keeps the factories' key order and writes floats the same way everywhere), so
one seed gives one output in every process.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Iterable
from typing import IO, Any, Literal

import click

from talon_fakes.cli.options import completion, progress_bar, reader_left, rules_option
from talon_fakes.errors import TalonFakesError

Json = dict[str, Any]
Format = Literal["json", "jsonl"]

# Kept literal, like the rule set names, so that --help imports nothing; a test checks them.
STATE_NAMES = ("open", "closed", "partially_returned", "cancelled")


def factory_names() -> tuple[str, ...]:
    """The names a factory makes (imports the factories)."""
    from talon_fakes.generators.factories import FACTORY_NAMES

    return FACTORY_NAMES


def trait_names() -> list[str]:
    """Every trait, sorted (imports the factories)."""
    from talon_fakes.generators.factories import TRAITS

    return sorted(TRAITS)


def _name_argument(ctx: click.Context, param: click.Parameter, value: str) -> str:
    names = factory_names()
    if value in names:
        return value
    close = difflib.get_close_matches(value, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise click.BadParameter(
        f"no factory makes {value!r}{hint} Choose one of: {', '.join(sorted(names))}", ctx, param
    )


def write(
    docs: Iterable[Json],
    out: IO[bytes],
    *,
    fmt: Format,
    array: bool,
    on_document: Callable[[], object] | None = None,
) -> int:
    """Write ``docs`` to ``out`` as they come and return how many were written.

    ``jsonl``: one compact document a line. ``json``: each document indented by two spaces and,
    when ``array``, inside one JSON array laid out as ``json.dumps(docs, indent=2)`` lays out the
    whole list, without ever holding the list. ``on_document`` is called after each document
    (a progress bar's update).
    """
    import orjson

    written = 0
    if fmt == "json" and array:
        out.write(b"[")
    for doc in docs:
        if fmt == "jsonl":
            out.write(orjson.dumps(doc) + b"\n")
        elif array:
            # JSON strings hold no raw newline, so every newline is between tokens.
            body = orjson.dumps(doc, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
            out.write((b"\n  " if written == 0 else b",\n  ") + body)
        else:
            out.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        written += 1
        if on_document is not None:
            on_document()
    if fmt == "json" and array:
        out.write(b"\n]\n" if written else b"]\n")
    return written


_HELP = """Write generated NAME documents (see `talon-fakes contracts`) to stdout.

Every document passes the contract NAME in strict mode, invariants included. The same arguments
and --seed give the same bytes in every run; without --seed one is picked and printed on stderr,
so that the run can be repeated.

\b
--format json   one pretty-printed document, or a JSON array when --count is above 1
--format jsonl  one compact document a line

Documents are written as they are made, so a large --count runs in constant memory. When stdout
is a file or a pipe and stderr a terminal, progress is shown on stderr. A reader that leaves
early (`| head`) ends the run quietly with status 0. Status 2: a usage error (an unknown NAME,
state, trait, locale, or a state the --rules cannot reach).
"""


@click.command("sample", help=_HELP, short_help="Write generated documents that pass their contract.")
@click.argument("name", callback=_name_argument, shell_complete=completion(factory_names))
@click.option("--count", "-n", type=click.IntRange(min=1), default=1, show_default=True, help="Documents.")
@click.option("--seed", type=click.IntRange(min=0), help="Repeat an earlier run.  [default: a new one]")
@click.option("--state", type=click.Choice(STATE_NAMES), help="The state of every session made.")
@click.option(
    "--trait",
    "traits",
    multiple=True,
    metavar="TRAIT",
    shell_complete=completion(trait_names),
    help="A trait every document has; repeat for several.",
)
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True)
@click.option("--locale", default="en_US", show_default=True, help="The Faker locale of names and places.")
@rules_option("The transition rules that decide which states and histories are made.")
@click.pass_context
def command(
    ctx: click.Context,
    name: str,
    count: int,
    seed: int | None,
    state: str | None,
    traits: tuple[str, ...],
    fmt: Format,
    locale: str,
    rules: str,
) -> None:
    """Run ``sample``: its help is the module's ``_HELP``."""
    from talon_fakes.generators.factories import Factories

    try:
        source = Factories(seed, locale=locale, rules=rules)
        docs = source.stream(name, count, state=state, traits=traits)  # checks the options at once
    except TalonFakesError as error:
        raise click.UsageError(str(error), ctx) from None
    if seed is None:
        click.echo(f"seed {source.seed} (pass --seed {source.seed} to repeat this run)", err=True)
    # With stdout on the same terminal, the documents scrolling by are the progress.
    show = count > 1 and sys.stderr.isatty() and not sys.stdout.isatty()
    progress = progress_bar(count, "sampling", "doc") if show else None
    out = sys.stdout.buffer
    try:
        write(docs, out, fmt=fmt, array=count > 1, on_document=None if progress is None else progress.update)
        out.flush()  # inside the try: a reader that left may show up only with the last bytes
    except BrokenPipeError:
        reader_left()
    finally:
        if progress is not None:
            progress.close()
