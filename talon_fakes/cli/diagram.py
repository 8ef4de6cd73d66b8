"""``talon-fakes diagram``: a rule set's state diagram, drawn from the transitions table.

Loaded by :mod:`talon_fakes.cli` only when used or listed, like every command. Each edge is one row
of :data:`talon_fakes.states.TRANSITIONS`, labelled with the operation that may cause it; the
README's diagrams are this command's output (a test keeps them equal).
"""

from __future__ import annotations

import click

from talon_fakes.cli.options import rules_option

_FORMATS = ("mermaid", "dot", "svg")


@click.command("diagram")
@rules_option("The rule set to draw.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default="mermaid",
    show_default=True,
    help="Mermaid (stateDiagram-v2, for Markdown), Graphviz DOT, or a self-contained SVG.",
)
def command(rules: str, fmt: str) -> None:
    """Print a rule set's state diagram: every legal move, labelled with its operation."""
    from talon_fakes.diagram import render

    click.echo(render(rules, fmt), nl=False)
