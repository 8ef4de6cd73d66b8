"""MkDocs hooks: pages that state facts of the code are generated from the code.

``{{ contracts_table }}`` becomes the table of contracts (from the contract files themselves) and
``{{ rule_sets }}`` the transition table of each rule set (from ``talon_fakes.states``), so the
site cannot drift from what the package does.
"""

from __future__ import annotations

import re
from typing import Any

# A Sphinx cross-reference role left in a rendered docstring: :mod:`x` arrives as :mod:<code>x</code>.
_ROLE = re.compile(r":(?:mod|class|func|meth|data|attr|exc|obj):<code>(~?)([^<]*)</code>")


def _contracts_table() -> str:
    from talon_fakes.contracts.loading import contract_names, describe

    rows = ["| contract | what it describes |", "|---|---|"]
    rows += [f"| `{name}` | {describe(name)} |" for name in contract_names()]
    return "\n".join(rows)


def _rule_sets() -> str:
    from talon_fakes.states import RULE_SET_DESCRIPTIONS, RULE_SETS

    parts = []
    for name in RULE_SETS:
        rules = RULE_SETS[name]
        parts.append(f"### `{name}`\n\n{RULE_SET_DESCRIPTIONS[name]}\n")
        parts.append("| from | to | by |\n|---|---|---|")
        for move in rules.transitions:
            source = "(new session)" if move.source is None else f"`{move.source.value}`"
            parts.append(f"| {source} | `{move.target.value}` | {move.operation.value} |")
        parts.append("")
    return "\n".join(parts)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Fill the generated parts of a page."""
    if "{{ contracts_table }}" in markdown:
        markdown = markdown.replace("{{ contracts_table }}", _contracts_table())
    if "{{ rule_sets }}" in markdown:
        markdown = markdown.replace("{{ rule_sets }}", _rule_sets())
    return markdown


def _role(match: re.Match[str]) -> str:
    short, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if short else target}</code>"


def on_page_content(html: str, **_: Any) -> str:
    """Tidy what the renderers leave: the docstrings' Sphinx roles (``:class:`~a.B``` shows as
    ``B``, as Sphinx shows it), and click 8.3's ``Sentinel.UNSET``, which mkdocs-click prints for
    an option with no default."""
    html = _ROLE.sub(_role, html)
    return html.replace("<code>Sentinel.UNSET</code>", "").replace("Sentinel.UNSET", "")
