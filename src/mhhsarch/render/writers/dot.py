"""The DOT writer: a communication view as Graphviz DOT text.

One edge per sender -> receiver -> transport, labelled with what it carries; the
transport sets the line (DIP solid blue, DTN dashed orange, API dotted green, file
bold grey) and a legend explains it. All model text reaches DOT as HTML-like labels
with every markup character escaped, so names cannot break the syntax or the SVG.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import graphviz

from mhhsarch.render.diagrams.common import (
    FONT,
    category_fill,
    category_heading,
    category_order,
    clean,
    transport_style,
    wrap,
)
from mhhsarch.render.views.diagrams import CommunicationView

TITLE_WIDTH = 90  # characters a line of a diagram's title
# A process's communication diagram is embedded in its description, so it is drawn for
# paper: no text below 10 points, names and edge labels wrapped narrow, ranks close
# together, and the key of interface names (two columns) and the transport legend
# under the title instead of beside the graph, so the picture is about as wide as the
# graph. Scaled to an A4 page at 7 points it fits: the shipped model's widest is
# 19 cm (landscape), its tallest 21 cm (portrait). Market and context diagrams, which
# no document embeds, keep the screen layout.
PRINT_FONT_SIZE = 10
PRINT_NAME_WIDTH, PRINT_NAME_LINES = 14, 4
PRINT_EDGE_WIDTH = 16
PRINT_KEY_WIDTH = 28
PRINT_TITLE_WIDTH = 60
PAD = 0.3  # inches of white round every diagram
PNG_DPI = 96  # dot's resolution for PNG (its default)


def html(value) -> str:
    """Text for inside a Graphviz HTML-like label."""
    return (
        clean(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _lines(lines: list[str]) -> str:
    return '<BR ALIGN="LEFT"/>'.join(html(line) for line in lines) + '<BR ALIGN="LEFT"/>'


def _tooltip(value: str) -> str:
    # tooltips are escString: a backslash would start an escape (\N, \G ...)
    return clean(value).replace("\\", "\u2216")


# A line drawn in text: solid, dashed, dotted, bold (DejaVu Sans has these box-drawing glyphs).
_LEGEND_LINES = {"solid": "\u2500" * 6, "dashed": "\u254c" * 6, "dotted": "\u2504" * 6, "bold": "\u2501" * 6}


def legend_label(transports: list[str], categories: Sequence[str] = ()) -> str:
    """An HTML table: one row per transport drawn, its line and what it is; then one
    row per role category, its fill colour and name."""
    rows = []
    for transport in transports:
        style = transport_style(transport)
        line = _LEGEND_LINES.get(style.line, _LEGEND_LINES["solid"])
        name = style.legend if transport else "transport not given"
        rows.append(
            f'<TR><TD><FONT COLOR="{style.colour}">{line}</FONT></TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="{style.colour}">{html(name)}</FONT></TD></TR>'
        )
    if categories:
        rows.append('<TR><TD COLSPAN="2" ALIGN="LEFT"><I>Role category</I></TD></TR>')
        for category in sorted(categories, key=category_order):
            rows.append(
                f'<TR><TD BGCOLOR="{category_fill(category)}" BORDER="1" COLOR="#555555"> </TD>'
                f'<TD ALIGN="LEFT">{html(category_heading(category))}</TD></TR>'
            )
    return (
        '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="#BBBBBB" STYLE="ROUNDED">'
        '<TR><TD COLSPAN="2" ALIGN="LEFT"><I>Transport</I></TD></TR>' + "".join(rows) + "</TABLE>>"
    )


def _key_column(key) -> str:
    rows = "".join(
        f'<TR><TD ALIGN="LEFT" VALIGN="TOP"><B>{html(i)}</B></TD>'
        f'<TD ALIGN="LEFT">{_lines(wrap(name, PRINT_KEY_WIDTH, 4))}</TD></TR>'
        for i, name in key
    )
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{rows}</TABLE>'


def print_label(title: str, key: tuple[tuple[str, str], ...], legend: str) -> str:
    """The graph label of a diagram drawn for paper: the title, then the key of interface
    names in two columns, then the transport legend (an HTML table given as `legend`)."""
    half = (len(key) + 1) // 2
    heading = "<BR/>".join(html(line) for line in wrap(title, PRINT_TITLE_WIDTH, 2))
    rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="12"><B>{heading}</B></FONT></TD></TR>']
    if key:
        rows.append(
            '<TR><TD ALIGN="LEFT"><TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
            'COLOR="#BBBBBB" STYLE="ROUNDED"><TR><TD COLSPAN="2" ALIGN="LEFT"><I>Interfaces</I></TD></TR>'
            f'<TR><TD VALIGN="TOP">{_key_column(key[:half])}</TD>'
            + (f'<TD VALIGN="TOP">{_key_column(key[half:])}</TD>' if key[half:] else "")
            + "</TR>"
            "</TABLE></TD></TR>"
        )
    if legend:
        rows.append(f'<TR><TD ALIGN="LEFT">{legend}</TD></TR>')
    return (
        f'<<FONT POINT-SIZE="{PRINT_FONT_SIZE}"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">'
        + "".join(rows)
        + "</TABLE></FONT>>"
    )


def key_label(key: tuple[tuple[str, str], ...]) -> str:
    """An HTML table of the interfaces the edges name by id."""
    rows = "".join(
        f'<TR><TD ALIGN="LEFT" VALIGN="TOP"><B>{html(i)}</B></TD><TD ALIGN="LEFT">{_lines(wrap(name, 48, 3))}</TD></TR>'
        for i, name in key
    )
    return (
        '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" COLOR="#BBBBBB" STYLE="ROUNDED">'
        '<TR><TD COLSPAN="2" ALIGN="LEFT"><I>Interfaces</I></TD></TR>' + rows + "</TABLE>>"
    )


def dot_source(view: CommunicationView, tooltips: dict[str, str] | None = None) -> str:
    """The DOT text of a communication view; `tooltips` maps interface ids to the text
    shown when hovering over an edge in the SVG."""
    graph = graphviz.Digraph(view.id)
    printed = view.kind == "process"  # embedded in a document: drawn for paper
    small = str(PRINT_FONT_SIZE) if printed else "9"
    categories = list(dict.fromkeys(n.category for n in view.nodes)) if view.grouped else []
    legend = legend_label(view.transports, categories) if view.edges else ""
    graph.attr(
        fontname=FONT,
        fontsize="14",
        labelloc="t",
        labeljust="l",
        # wrapped: a long name must not make the picture wider than the page (or than
        # the PNG size at which dot scales the whole picture down)
        label=print_label(view.title, view.key, legend[1:-1])
        if printed
        else f"<<B>{'<BR/>'.join(html(line) for line in wrap(view.title, TITLE_WIDTH, 2))}</B>>",
        bgcolor="white",
        pad=str(PAD),
    )
    if view.kind == "market":
        # many roles talking to many: top to bottom keeps the picture nearer a page's shape
        graph.attr(rankdir="TB", nodesep="0.35", ranksep="0.8")
    elif printed:
        graph.attr(rankdir="LR", nodesep="0.2", ranksep="0.5", newrank="true")
    else:
        graph.attr(rankdir="LR", nodesep="0.5", ranksep="1.2", newrank="true")
    graph.attr(
        "node", shape="box", style="rounded,filled", fontname=FONT, fontsize="11", color="#555555", margin="0.15,0.07"
    )
    graph.attr("edge", fontname=FONT, fontsize=small, arrowsize="0.7")
    name_width, name_lines = (PRINT_NAME_WIDTH, PRINT_NAME_LINES) if printed else (22, 3)

    def add_node(target, node) -> None:
        name = wrap(node.name, name_width, max_lines=name_lines)
        label = f'<<B>{html(node.id)}</B><BR/><FONT POINT-SIZE="{small}">{"<BR/>".join(html(n) for n in name)}</FONT>>'
        extra = {"penwidth": "2.5", "color": "#000000"} if node.focus else {}
        target.node(node.id, label=label, fillcolor=category_fill(node.category), **extra)

    # Roles are coloured by category, with a key: category boxes (dot clusters) were
    # tried, but with the market's many crossing edges dot 2.43 either aborts
    # ("trouble in init_rank") or, with newrank, draws the boxes over each other.
    for node in view.nodes:
        add_node(graph, node)

    for edge in view.edges:
        style = transport_style(edge.transport)
        # ids on the edges (names in the key table), a few to a line; every one of them,
        # however many steps a long process sends along one edge (never cut short)
        text = wrap(", ".join(edge.short or edge.labels), PRINT_EDGE_WIDTH if printed else 26, max_lines=None)
        attrs = {"label": f"<{_lines(text)}>", "color": style.colour, "fontcolor": style.colour, "style": style.line}
        if tooltips:
            attrs["tooltip"] = _tooltip("; ".join(f"{i} {tooltips.get(i, '')}".strip() for i in edge.interfaces))
        graph.edge(edge.sender, edge.receiver, **attrs)

    if printed:
        return graph.source  # key and legend are in the graph's label
    if view.edges:
        graph.node("legend", label=legend, shape="plaintext", style="", margin="0")
    if view.key:
        graph.node("key", label=key_label(view.key), shape="plaintext", style="", margin="0")
    return graph.source


_SVG_SIZE = re.compile(r'<svg [^>]*?viewBox="0\.00 0\.00 (\d+\.\d+) (\d+\.\d+)"')


def png_source(source: str, svg: str) -> str:
    """The DOT text `source` for its PNG, given the SVG dot drew from it: the same graph
    with its pad a fraction of a pixel wider or narrower, so that the white background
    covers every pixel of the PNG. dot makes the PNG round(size x dpi / 72) pixels and
    paints the background over `size` only: where that rounds up, the last column or
    row of pixels is partly transparent, and cairo then writes the whole PNG with an
    alpha channel, a third more bytes to filter and compress (about a sixth of all the
    time `dot` takes for these diagrams). With the pad changed the PNG has as many
    pixels as before and is opaque, so it is RGB; the layout (the pad is not part of
    it) and the SVG stay as they are. An SVG whose size cannot be read leaves `source`
    as it is."""
    found = _SVG_SIZE.search(svg)
    if not found or not source.rstrip().endswith("}"):
        return source
    pads = []
    for points in map(float, found.groups()):
        pixels = points * PNG_DPI / 72
        whole = math.floor(pixels + 0.5)  # the pixels dot makes, as now
        # a quarter pixel more than fills them (the part outside the picture is cut off)
        extra = (whole + 0.25 - pixels) * 72 / PNG_DPI
        pads.append((PAD * 72 + extra / 2) / 72)
    return source.rstrip()[:-1] + f'\tgraph [pad="{pads[0]:.6f},{pads[1]:.6f}"]\n}}\n'
