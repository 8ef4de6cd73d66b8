"""``talon-fakes spec-diff NEW_SPEC_DIR``: what a newer Talon.One spec would change in each contract.

Registered lazily by :mod:`talon_fakes.cli` (its ``_ELSEWHERE`` table), so ``talon-fakes --help``
reads no YAML. The comparison itself is :mod:`talon_fakes.contracts.spec_diff`.
"""

from __future__ import annotations

from pathlib import Path

import click

_HELP = """Report what a newer copy of Talon.One's OpenAPI spec would change in each contract.

NEW_SPEC_DIR holds the spec's path files in the published layout (integration-api/paths/...,
management-api/paths/...; a clone of github.com/talon-one/t1-openapi-specs will do). The
contracts are derived from it in memory, exactly as tools/build_contracts.py derives the shipped
ones, and compared with the contracts this talon-fakes ships (or, with --base, with those derived
from another spec folder): fields added and removed, fields newly required or no longer required,
enum values, types and limits, each at its JSON path.

Exits 0 when nothing would change, 1 when something would, 2 when a folder cannot be read.
"""


@click.command(
    "spec-diff", help=_HELP, short_help="What a newer Talon.One spec would change in each contract."
)
@click.argument("new_spec_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--base",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Compare with the contracts derived from this spec folder, not the shipped ones.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a block per contract; json: a list of {contract, path, kind, detail}.",
)
@click.pass_context
def command(ctx: click.Context, new_spec_dir: Path, base: Path | None, output_format: str) -> None:
    """The ``spec-diff`` command (see its help)."""
    import json

    from talon_fakes.contracts.spec_derivation import SpecError
    from talon_fakes.contracts.spec_diff import as_json, render, spec_diff
    from talon_fakes.errors import ContractsNotFound

    try:
        changes = spec_diff(new_spec_dir, base_spec=base)
    except (SpecError, ContractsNotFound) as error:
        click.echo(f"Error: {error}", err=True)
        ctx.exit(2)
    if output_format == "json":
        click.echo(json.dumps(as_json(changes), indent=2, ensure_ascii=False))
    else:
        click.echo(render(changes), nl=False)
    ctx.exit(1 if changes else 0)
