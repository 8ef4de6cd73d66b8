"""The ``talon-fakes`` command line: argument parsing and output only.

One module per command (``check``, ``serve``, ``sample``, ``diagram``, ``proxy``, ``spec-diff``),
each defining ``command`` and imported only when that command is used or listed, so
``talon-fakes --help`` loads neither a validator nor the fake; what they share is in
:mod:`talon_fakes.cli.options`. ``contracts`` and ``openapi`` are small enough to live here.
"""

from __future__ import annotations

from typing import ClassVar

import click

from talon_fakes import __version__
from talon_fakes.cli.options import Fatal

__all__ = ["main"]


class _Commands(click.Group):
    """A group that imports a command's module only when that command is used or listed.

    Each module imports :mod:`talon_fakes.cli.options`, never this one: loading them on demand keeps
    the imports one-way and ``--help`` light.
    """

    # command name -> the module that defines it as ``command``
    _ELSEWHERE: ClassVar[dict[str, str]] = {
        "check": "talon_fakes.cli.check",
        "serve": "talon_fakes.cli.serve",
        "sample": "talon_fakes.cli.sample",
        "diagram": "talon_fakes.cli.diagram",
        "proxy": "talon_fakes.cli.proxy",
        "spec-diff": "talon_fakes.cli.spec_diff",
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
    from talon_fakes.contracts import loading
    from talon_fakes.errors import ContractsNotFound

    try:
        rows = [(name, loading.describe(name)) for name in loading.contract_names()]
    except ContractsNotFound as error:
        raise Fatal(str(error)) from None
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        click.echo(f"{name.ljust(width)}  {description}")


@main.command("openapi")
@click.option("--strict", is_flag=True, help="Embed the strict contracts (objects closed to unknown fields).")
def openapi_command(strict: bool) -> None:
    """Print the OpenAPI 3.1 document of the endpoints the fake serves, as JSON."""
    import json

    from talon_fakes.errors import ContractsNotFound
    from talon_fakes.fake.web.openapi import document

    try:
        doc = document(strict=strict)
    except ContractsNotFound as error:
        raise Fatal(str(error)) from None
    click.echo(json.dumps(doc, indent=2))
