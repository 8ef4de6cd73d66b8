"""What the ``talon-fakes`` commands share: exit statuses, option callbacks and completions.

Nothing here imports more than click at import time, so ``talon-fakes --help`` stays fast; what an
option needs to check its value (the contracts, the auth rules) is imported when it is used.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from click.decorators import FC
    from click.shell_completion import CompletionItem
    from tqdm import tqdm

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2  # also click's status for a usage error


class Fatal(click.ClickException):
    """Nothing can be checked at all (no contract files): not a verdict on any document."""

    exit_code = EXIT_UNREADABLE


def contract_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from talon_fakes.contracts.loading import check_name
    from talon_fakes.errors import ContractsNotFound, UnknownContract

    if value is None:  # only --exchanges goes without (check_command says so otherwise)
        return None
    try:
        return check_name(value)
    except UnknownContract as error:
        raise click.BadParameter(str(error), ctx, param) from None
    except ContractsNotFound as error:
        raise Fatal(str(error)) from None


def completion(names: Callable[[], Iterable[str]]) -> Callable[..., list[CompletionItem]]:
    """A ``shell_complete`` callback offering those of ``names()`` that start with what was typed.

    ``names`` imports what it needs when called, so that defining an option imports nothing.
    """

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(name) for name in names() if name.startswith(incomplete)]

    return complete


def contract_names() -> list[str]:
    from talon_fakes.contracts.loading import contract_names

    return contract_names()


def progress_bar(total: int, desc: str, unit: str) -> tqdm[Any]:
    """A progress bar on stderr that is erased when closed; only for a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total, desc=desc, unit=unit, unit_scale=True, file=sys.stderr, leave=False, mininterval=0.1
    )


def reader_left() -> None:
    """The reader of stdout left (`| head`): send what is still buffered to /dev/null.

    Without this, Python's final flush of stdout fails again and prints a traceback-like warning.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# Kept literal (not read from talon_fakes.states) so that --help imports nothing; a test checks
# that they match the rule sets.
RULE_SET_NAMES = ("current", "v1", "legacy")


def secret(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A key or token as given, unless the fake could not hold it (empty: it would admit anyone)."""
    from talon_fakes.auth import secret_problem

    problem = None if value is None else secret_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{problem}; give a non-empty value", ctx, param)
    return value


def rules_option(help_text: str) -> Callable[[FC], FC]:
    """The ``--rules`` option (a rule set name, ``current`` by default), with its own help."""
    return click.option(
        "--rules", type=click.Choice(RULE_SET_NAMES), default="current", show_default=True, help=help_text
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


@contextmanager
def until_signalled(stop: Callable[[], None]) -> Iterator[Callable[[], None]]:
    """For the commands that run a server until stopped (``serve``, ``proxy``): inside, SIGINT and
    SIGTERM end the ``wait()`` this yields instead of the process; on leaving, however it is left,
    ``stop()`` stops the server while a second signal still only sets the flag, and the handlers
    that were there before come back."""
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}

    def wait() -> None:
        while not stopping.wait(0.5):  # a timeout keeps the wait interruptible on every platform
            pass

    try:
        yield wait
    finally:
        try:
            stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
