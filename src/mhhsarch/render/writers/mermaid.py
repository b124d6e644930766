"""The Mermaid writer: Mermaid text for the diagrams: `sequenceDiagram` for sequences, `flowchart` for
communication diagrams (for wikis, Markdown previews and review tools that draw Mermaid).

Every piece of model text goes through `text()`: characters that mean something to
Mermaid (`;` ends a statement, `#` starts an entity, `%%` a comment, quotes end a
label, `<` `>` are HTML) are written as Mermaid entity codes (`#59;`), which Mermaid
turns into HTML character references, so they show as themselves and never as markup.
"""

from __future__ import annotations

import re

from mhhsarch.render.diagrams.common import category_fill, category_heading, clean, transport_style
from mhhsarch.render.views.diagrams import CommunicationView, Fragment, Item, Message, Note, SequenceView

_SAFE = re.compile(r"[\w .,()'/?!+=@-]", re.UNICODE)
_ID = re.compile(r"[^A-Za-z0-9_]")


def text(value) -> str:
    """Model text, one line, safe anywhere Mermaid takes free text or a quoted label."""
    return "".join(ch if _SAFE.fullmatch(ch) else f"#{ord(ch)};" for ch in clean(value))


def node_id(value: str) -> str:
    """A Mermaid identifier from a model id (role ids are already safe; the prefix keeps
    words like `end` from being read as keywords)."""
    return "r_" + _ID.sub("_", value)


# Arrow per transport: DIP solid, DTN dotted, anything else thick.
_FLOW_ARROWS = {"DIP": "-->", "DTN": "-.->"}


def flowchart(view: CommunicationView) -> str:
    lines = ["---", f'title: "{text(view.title)}"', "---", "flowchart LR"]
    focus_classes = []

    def node_line(node, indent: str) -> str:
        if node.focus:
            focus_classes.append(node_id(node.id))
        return f'{indent}{node_id(node.id)}["{text(node.id)}<br/>{text(node.name)}"]'

    if view.grouped:
        categories = list(dict.fromkeys(n.category for n in view.nodes))
        for category in categories:
            lines.append(f'    subgraph cat_{_ID.sub("_", category)}["{text(category_heading(category))}"]')
            lines += [node_line(n, "        ") for n in view.nodes if n.category == category]
            lines.append("    end")
    else:
        lines += [node_line(n, "    ") for n in view.nodes]
    styles = []
    for index, edge in enumerate(view.edges):
        arrow = _FLOW_ARROWS.get(edge.transport or "", "==>")
        label = "<br/>".join(text(label) for label in edge.labels)
        if edge.transport:
            label = f"{label}<br/>[{text(edge.transport)}]" if label else f"[{text(edge.transport)}]"
        lines.append(f'    {node_id(edge.sender)} {arrow}|"{label}"| {node_id(edge.receiver)}')
        styles.append(f"    linkStyle {index} stroke:{transport_style(edge.transport).colour}")
    lines += styles
    for category in dict.fromkeys(n.category for n in view.nodes):
        members = ",".join(node_id(n.id) for n in view.nodes if n.category == category)
        lines.append(f"    classDef cat_{_ID.sub('_', category)} fill:{category_fill(category)},stroke:#555555")
        lines.append(f"    class {members} cat_{_ID.sub('_', category)}")
    if focus_classes:
        lines.append("    classDef focus stroke:#000000,stroke-width:3px")
        lines.append(f"    class {','.join(focus_classes)} focus")
    return "\n".join(lines) + "\n"


def sequence(view: SequenceView) -> str:
    lines = ["sequenceDiagram", f"    title {text(view.title)}"]
    for lifeline in view.lifelines:
        lines.append(f"    participant {node_id(lifeline.id)} as {text(lifeline.id)}<br/>{text(lifeline.name)}")
    _items(view.items, lines, "    ")
    return "\n".join(lines) + "\n"


def _items(items: tuple[Item, ...], lines: list[str], indent: str) -> None:
    for item in items:
        if isinstance(item, Message):
            lines.append(f"{indent}{node_id(item.sender)}->>{node_id(item.receiver)}: {text(item.label)}")
        elif isinstance(item, Note):
            lines.append(f"{indent}Note over {node_id(item.actor)}: {text(item.label)}")
        elif isinstance(item, Fragment):
            for index, branch in enumerate(item.branches):
                keyword = item.kind if index == 0 else "else"
                lines.append(f"{indent}{keyword} {text(branch.condition)}")
                _items(branch.items, lines, indent + "    ")
            lines.append(f"{indent}end")
