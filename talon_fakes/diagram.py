"""The state diagram of a rule set, drawn from the transitions table (:mod:`talon_fakes.states`).

Three spellings of the same graph: Mermaid (``stateDiagram-v2``, for READMEs and GitHub), DOT
(Graphviz) and a self-contained SVG (the dashboard's; no layout engine needed, the four states
have fixed places). Every edge is one row of the table, labelled with the operation that may
cause it; given the moves a fake made (``TalonFake.transitions()``, or the plugin's coverage
counts), each edge is marked exercised (with its count) or never.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

from talon_fakes.states import RuleSet, State, Transition, rule_set

#: Counts of moves made, by move; ``None`` draws the bare rule set.
Made = Mapping[Transition, int] | None

NEW = "[*]"  # Mermaid's start pseudo-state; DOT and SVG call it "(new)"


def _moves(rules: RuleSet) -> list[Transition]:
    """The table's order: creations first, then by source state, target and operation."""
    order = {state: index for index, state in enumerate(State)}
    return sorted(
        rules.transitions,
        key=lambda t: (-1 if t.source is None else order[t.source], order[t.target], t.operation.value),
    )


def _mark(move: Transition, made: Made) -> str:
    if made is None:
        return ""
    count = made.get(move, 0)
    return f" (x{count})" if count else " (never)"


def mermaid(rules: str | RuleSet = "current", made: Made = None) -> str:
    """The rule set as a Mermaid ``stateDiagram-v2``; with ``made``, labels say ``(xN)`` or ``(never)``."""
    table = rule_set(rules)
    lines = ["stateDiagram-v2"]
    for move in _moves(table):
        source = NEW if move.source is None else move.source.value
        lines.append(f"    {source} --> {move.target.value}: {move.operation.value}{_mark(move, made)}")
    return "\n".join(lines) + "\n"


def dot(rules: str | RuleSet = "current", made: Made = None) -> str:
    """The rule set as a Graphviz digraph; with ``made``, exercised edges bold, the rest dashed."""
    table = rule_set(rules)
    lines = [
        f'digraph "{table.name}" {{',
        "    rankdir=LR;",
        '    "(new)" [shape=point];',
        *(f'    "{state.value}" [shape=box, style=rounded];' for state in State if state in table.states),
    ]
    for move in _moves(table):
        source = "(new)" if move.source is None else move.source.value
        style = ""
        if made is not None:
            style = ", style=bold" if made.get(move, 0) else ", style=dashed"
        label = f"{move.operation.value}{_mark(move, made)}"
        lines.append(f'    "{source}" -> "{move.target.value}" [label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- SVG --------------------------------------------------------------------------------------

_WIDTH, _HEIGHT = 700, 330
_RX, _RY = 78.0, 21.0  # a state's ellipse
_PLACES: dict[State | None, tuple[float, float]] = {
    None: (40.0, 165.0),
    State.OPEN: (240.0, 80.0),
    State.CLOSED: (240.0, 250.0),
    State.CANCELLED: (560.0, 80.0),
    State.PARTIALLY_RETURNED: (560.0, 250.0),
}
_CENTRE = (_WIDTH / 2, _HEIGHT / 2)


# Inside the SVG, so that it looks the same alone (a file, an <img>) and inline in the dashboard.
_STYLE = " ".join(
    (
        ".state-diagram ellipse { fill: #ddf4ff; stroke: #0969da; stroke-width: 1.5; }",
        ".state-diagram .start { fill: #24292f; }",
        ".state-diagram text { font: 13px system-ui, sans-serif; fill: #1f2328; }",
        ".state-diagram .edge path { stroke-width: 1.5; }",
        ".state-diagram .edge.made path { stroke: #1a7f37; stroke-width: 3.5; }",
        ".state-diagram .edge.made text { fill: #1a7f37; font-weight: 700; }",
        ".state-diagram .edge.never path { stroke: #8c959f; stroke-dasharray: 5 4; }",
        ".state-diagram .edge.never text { fill: #6e7781; }",
        ".state-diagram .edge.plain path { stroke: #444; }",
    )
)


def _rim(x: float, y: float, towards: tuple[float, float], *, new: bool) -> tuple[float, float]:
    """Where the line from a state's centre towards ``towards`` leaves its ellipse (or the dot)."""
    dx, dy = towards[0] - x, towards[1] - y
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    reach = 7.0 if new else 1.0 / math.sqrt((ux / _RX) ** 2 + (uy / _RY) ** 2)
    return x + ux * reach, y + uy * reach


def _edge(move: Transition, bend: float, *, back: bool) -> tuple[str, tuple[float, float, str]]:
    """The SVG path of a move, and where its label goes (x, y and its ``text-anchor``)."""
    (x1, y1), (x2, y2) = _PLACES[move.source], _PLACES[move.target]
    if move.source == move.target:  # a loop, drawn on the side away from the middle
        side = -1.0 if y1 < _CENTRE[1] else 1.0
        start, end = (x1 - 30, y1 + side * _RY * 0.8), (x1 + 30, y1 + side * _RY * 0.8)
        c1, c2 = (x1 - 55, y1 + side * 75), (x1 + 55, y1 + side * 75)
        path = "M {:.1f} {:.1f} C {:.1f} {:.1f} {:.1f} {:.1f} {:.1f} {:.1f}".format(*start, *c1, *c2, *end)
        return path, (x1, y1 + side * 68 + (10 if side > 0 else 0), "middle")
    # A quadratic curve bent away from the middle of the picture, where labels would crowd; a move
    # that has a way ``back`` bends to the right of its direction, so the two bend apart, and a
    # second operation on one move bends further.
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    nx, ny = -dy / length, dx / length
    outward = (nx * ((x1 + x2) / 2 - _CENTRE[0]) + ny * ((y1 + y2) / 2 - _CENTRE[1])) >= 0
    if not back and not outward:
        nx, ny = -nx, -ny
    cx, cy = (x1 + x2) / 2 + nx * bend, (y1 + y2) / 2 + ny * bend
    start = _rim(x1, y1, (cx, cy), new=move.source is None)
    end = _rim(x2, y2, (cx, cy), new=False)
    path = f"M {start[0]:.1f} {start[1]:.1f} Q {cx:.1f} {cy:.1f} {end[0]:.1f} {end[1]:.1f}"
    # The label sits just outside the curve's middle, on its bent side, so that the labels of two
    # moves between the same states never overlap.
    mx, my = (start[0] + 2 * cx + end[0]) / 4, (start[1] + 2 * cy + end[1]) / 4
    anchor = "start" if nx > 0.3 else "end" if nx < -0.3 else "middle"
    return path, (mx + nx * 6, my + ny * 6 + (11 if ny > 0.3 else -3 if ny < -0.3 else 4), anchor)


def move_id(move: Transition) -> str:
    """A move's name in the SVG's ``data-move`` and the control API: ``closed->open:reopen``."""
    source = "(new)" if move.source is None else move.source.value
    return f"{source}->{move.target.value}:{move.operation.value}"


def svg(rules: str | RuleSet = "current", made: Made = None) -> str:
    """The rule set as an inline SVG: states as ellipses, moves as labelled arrows; with ``made``,
    exercised moves are green and thick (``data-exercised="true"``), the others grey and dashed."""
    table = rule_set(rules)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'class="state-diagram" data-rules="{escape(table.name)}" role="img" '
        f'aria-label="state diagram of the {escape(table.name)} rules">',
        f"<style>{_STYLE}</style>",
        "<defs>",
        *(
            f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
            for kind, colour in (("made", "#1a7f37"), ("never", "#8c959f"), ("plain", "#444"))
        ),
        "</defs>",
    ]
    pairs: dict[tuple[State | None, State], int] = {}
    table_pairs = {(t.source, t.target) for t in table.transitions if t.source != t.target}
    for move in _moves(table):
        nth = pairs[(move.source, move.target)] = pairs.get((move.source, move.target), -1) + 1
        back = (move.target, move.source) in table_pairs  # the way back too: bend both further apart
        path, (lx, ly, anchor) = _edge(move, bend=(32.0 if back else 18.0) + 34.0 * nth, back=back)
        count = None if made is None else made.get(move, 0)
        kind = "plain" if count is None else ("made" if count else "never")
        label = move.operation.value + ("" if count is None else f" \u00d7{count}" if count else "")
        parts.append(
            f'<g class="edge {kind}" data-move="{escape(move_id(move))}" '
            f'data-exercised="{"true" if count else "false"}">'
            f'<path d="{path}" fill="none" marker-end="url(#arrow-{kind})"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">{escape(label)}</text></g>'
        )
    x, y = _PLACES[None]
    parts.append(f'<circle class="start" cx="{x}" cy="{y}" r="7"/>')
    for state in State:
        if state in table.states:
            x, y = _PLACES[state]
            parts.append(
                f'<g class="state" data-state="{state.value}">'
                f'<ellipse cx="{x}" cy="{y}" rx="{_RX}" ry="{_RY}"/>'
                f'<text x="{x}" y="{y + 5}" text-anchor="middle">{state.value}</text></g>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


#: The formats :func:`render` writes.
FORMATS = {"mermaid": mermaid, "dot": dot, "svg": svg}


def render(rules: str | RuleSet, fmt: str, made: Made = None) -> str:
    """The diagram of ``rules`` in ``fmt`` (``mermaid``, ``dot`` or ``svg``)."""
    try:
        draw = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"no diagram format {fmt!r}; one of {', '.join(FORMATS)}") from None
    return draw(rules, made)
