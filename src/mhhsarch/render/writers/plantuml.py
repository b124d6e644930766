"""The PlantUML writer: a sequence view as PlantUML text (`diagrams/sequence/BPxxx.puml`).

A lifeline per participant (in the order the process lists them); one arrow per
interface step and receiver, labelled "n. IF-xxx name" and coloured by transport;
internal steps as notes on the actor's lifeline; conditions as `opt` / `alt`
fragments; a long process in the parts `views.diagrams.paginate` chose, with
PlantUML's `newpage` (which repeats the lifeline heads on every part).

Model text goes through `text()`: everything outside letters, digits and plain
punctuation becomes a numeric character reference (`&#60;`), which PlantUML shows
as the character itself. So no name can start a preprocessor directive (`!include`),
call a built-in (`%date()`), fetch an image (`<img:...>`), add a link (`[[...]]`)
or style text (`**`, `//`, `--`).
"""

from __future__ import annotations

import re

from mhhsarch.render.diagrams.common import SEQUENCE_FONT, category_fill, clean, transport_style, wrap
from mhhsarch.render.views.diagrams import (
    CONDITION_LINES,
    CONDITION_WIDTH,
    MESSAGE_LINES,
    MESSAGE_WIDTH,
    NOTE_LINES,
    NOTE_WIDTH,
    PARTICIPANT_LINES,
    PARTICIPANT_WIDTH,
    Fragment,
    Item,
    Message,
    Note,
    SequenceView,
)

_SAFE = re.compile(r"[\w .,:;()'?-]")


def text(value) -> str:
    """Model text for PlantUML: one line, markup characters as `&#NN;`."""
    line = clean(value)
    out = []
    for index, ch in enumerate(line):
        doubled = index + 1 < len(line) and line[index + 1] == ch
        if ch != "_" and _SAFE.fullmatch(ch) and not (ch == "-" and doubled):
            out.append(ch)
        elif ch in "\\$":
            # PlantUML 1.2020 decodes `&#NN;` through a regex replacement, where `\` and
            # `$` are special and make it draw a stack trace; its `<U+XXXX>` form is safe
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(f"&#{ord(ch)};")
    return "".join(out)


def lines(value, width: int, max_lines: int = 6) -> str:
    """Wrapped model text, lines joined by PlantUML's `\\n`."""
    return "\\n".join(text(line) for line in wrap(value, width, max_lines))


def title(value) -> str:
    """A diagram title in bold, wrapped (a long name must not widen the picture past the limit)."""
    return "\\n".join(f"<b>{text(line)}</b>" for line in wrap(value, TITLE_WIDTH, TITLE_LINES))


def alias(role_id: str) -> str:
    return "P_" + re.sub(r"[^A-Za-z0-9_]", "_", role_id)


def puml_source(view: SequenceView, pages: tuple[SequenceView, ...] | None = None) -> str:
    """The PlantUML text of `view`, drawn in `pages` (from `paginate`; default: one)."""
    pages = pages or (view,)
    out = [
        f"@startuml {view.id}",
        f'skinparam defaultFontName "{SEQUENCE_FONT}"',
        "skinparam defaultFontSize 12",
        "skinparam shadowing false",
        "skinparam sequenceMessageAlign left",
        # compact, for paper: little space around the participants, no second row of
        # participant boxes at the foot (each part repeats them at its head)
        "skinparam ParticipantPadding 0",
        "skinparam BoxPadding 2",
        "hide footbox",
        "skinparam ArrowColor #333333",
        "skinparam SequenceLifeLineBorderColor #999999",
        "skinparam ParticipantBorderColor #555555",
        "skinparam NoteBackgroundColor #FFF8DC",
        "skinparam NoteBorderColor #B5A66C",
        "skinparam SequenceGroupBorderColor #888888",
        "skinparam SequenceGroupHeaderFontStyle bold",
        f"title {title(pages[0].title)}",
    ]
    for lifeline in view.lifelines:
        out.append(
            f'participant "<b>{text(lifeline.id)}</b>\\n{lines(lifeline.name, PARTICIPANT_WIDTH, PARTICIPANT_LINES)}" '
            f"as {alias(lifeline.id)} "
            f"{category_fill(lifeline.category)}"
        )
    for number, page in enumerate(pages):
        if number:
            out.append(f"newpage {title(page.title)}")
        _items(page.items, out)
    transports = view.transports
    if transports:
        out.append("legend top right")
        for transport in transports:
            style = transport_style(transport)
            name = text(style.legend) if transport else "transport not given"
            out.append(f"<color:{style.colour}>\u2501\u2501\u2501</color> {name}")
        out.append("endlegend")
    out.append("@enduml")
    return "\n".join(out) + "\n"


def _items(items: tuple[Item, ...], out: list[str]) -> None:
    for item in items:
        if isinstance(item, Message):
            colour = transport_style(item.transport).colour
            out.append(
                f"{alias(item.sender)} -[{colour}]> {alias(item.receiver)} : {lines(item.label, MESSAGE_WIDTH, MESSAGE_LINES)}"
            )
        elif isinstance(item, Note):
            out.append(f"hnote over {alias(item.actor)} : {lines(item.label, NOTE_WIDTH, NOTE_LINES)}")
        elif isinstance(item, Fragment):
            for index, branch in enumerate(item.branches):
                keyword = item.kind if index == 0 else "else"
                out.append(f"{keyword} {lines(branch.condition, CONDITION_WIDTH, CONDITION_LINES)}")
                _items(branch.items, out)
            out.append("end")


TITLE_WIDTH, TITLE_LINES = 90, 2
