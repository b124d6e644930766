"""Where a Word document carries the bookmarks of its anchors (review/anchors.py), as
plain data for the Word writer: a comment made in Word on a bookmarked part is mapped
back to its anchor on import (review/importer.py).

A mark names a heading (its text without the number, or the heading starts with it and
a space: `IF-022 LSS Period Data`), or a table row under the heading of another mark
whose cell `column` reads `cell`. The writer places each bookmark once, at its first
match in the document; a heading's bookmark spans its whole section, a row's the row.
The marks follow the bundled templates' sections and tables; a template that drops a
table loses those bookmarks, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from mhhsarch.model.model import Model
from mhhsarch.review import anchors


@dataclass(frozen=True)
class Mark:
    name: str  # the Word bookmark (anchors.bookmark_name)
    heading: str | None = None
    within: str | None = None  # a row: under the heading marked with this bookmark
    column: int = 0
    cell: str = ""


def _section(title: str) -> Mark:
    return Mark(anchors.bookmark_name(anchors.section_anchor(title)), heading=title)


def _row(section_title: str, anchor_id: str, column: int, cell: str) -> Mark:
    within = anchors.bookmark_name(anchors.section_anchor(section_title))
    return Mark(anchors.bookmark_name(anchor_id), within=within, column=column, cell=cell)


def document_marks(model: Model, artefact_id) -> tuple[Mark, ...]:
    """The marks of a process description or an interface specification (none for others)."""
    process = model.processes.get(artefact_id)
    if process is not None:
        marks = [_section(t) for t in anchors.PROCESS_SECTIONS]
        marks += [_row("Steps", f"step:{s.id}", 0, str(s.id)) for s in process.steps]
        marks += [_row("Participants", f"ROLE:{r}", 1, r) for r in process.participants]
        used = dict.fromkeys(s.interface for s in process.steps if s.interface)
        marks += [Mark(anchors.bookmark_name(i), heading=i) for i in used if i in model.interfaces]
        return tuple(marks)
    interface = model.interfaces.get(artefact_id)
    if interface is None:
        return ()
    marks = [_section(t) for t in anchors.INTERFACE_SECTIONS]
    marks += [
        _row("Sender and receivers", f"ROLE:{r}", 2, r) for r in dict.fromkeys(interface.senders + interface.receivers)
    ]
    items = [model.data_items[u.ref] for u in interface.data_items if u.ref in model.data_items]
    marks += [_row("Data items", d.id, 0, d.id) for d in items]
    # the DIP CommonBlock header's items are listed once, in their appendix
    marks += [_row("Appendix B  DIP CommonBlock header", d.id, 0, d.id) for d in items]
    for set_id in dict.fromkeys(d.valid_set for d in items if d.valid_set):
        valid_set = model.valid_sets.get(set_id)
        if valid_set is None:
            continue
        name = anchors.bookmark_name(valid_set.id)
        marks.append(Mark(name, heading=valid_set.id))
        marks += [
            Mark(anchors.bookmark_name(f"{valid_set.id}:{v.code}"), within=name, column=0, cell=v.code)
            for v in valid_set.values
        ]
    users = sorted({p.id for p in model.processes.values() for s in p.steps if s.interface == interface.id})
    marks += [Mark(anchors.bookmark_name(p), heading=p) for p in users]
    marks += [_row("Where used", p, 0, p) for p in users]
    return tuple(marks)
