"""Interface specifications: `specs/IF-xxx.docx`, one Word document per interface.

`interface_view` gathers what the document says (pure, from the model and graph);
`write_interface_spec` lays it out with the shared Word writer. The sequence
diagrams are the PNGs the diagram renderers wrote in phase 0
(`diagrams/sequence/BPxxx.png`, and the further parts of a long process); where one
is missing the document says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mhhsarch import __version__
from mhhsarch.graph import ModelGraph
from mhhsarch.model import entities as e
from mhhsarch.model.entities import CLASSIFICATION_ORDER
from mhhsarch.model.model import Model
from mhhsarch.render.base import RenderContext
from mhhsarch.render.diagrams import sequence
from mhhsarch.render.documents.docxkit import Cell, Column, DocMeta, WordDocument, WordDocumentRenderer, render_date
from mhhsarch.render.documents.text import data_size, thousands, yes_no

TRANSPORTS = {
    "DIP": "Data Integration Platform (DIP)",
    "DTN": "Data Transfer Network (DTN)",
    "API": "Application programming interface (API)",
    "file": "File transfer",
}
PATTERNS = {
    "publish": "Publish: the sender publishes; every subscribed receiver gets the message",
    "request": "Request: the sender asks and expects a response",
    "response": "Response: the answer to a request",
}
FREQUENCIES = {
    "on-event": "On event",
    "daily": "Daily",
    "half-hourly": "Every half hour",
    "monthly": "Monthly",
    "ad-hoc": "Ad hoc",
}
REPEATS = {"1": "Once", "0..1": "At most once", "1..*": "One or more", "0..*": "Any number"}
NOT_STATED = "not stated"


def sequence_png(process_id: str) -> str:
    """The sequence diagram's (first) PNG."""
    return f"diagrams/sequence/{process_id}.png"


def sequence_figures(
    doc: WordDocument, model: Model, out_dir: Path, process: e.Process, caption: str, interface: str | None = None
) -> None:
    """The process's sequence diagram as pictures: one, or each part of a long process
    (only the parts that send `interface` when it is given), saying that it is in parts."""
    parts = sequence.parts(model, process)
    shown = [
        (number, rel)
        for number, (rel, page) in enumerate(parts, 1)
        if interface is None or any(m.interface == interface for m in page.messages())
    ]
    if len(parts) > 1:
        which = "" if len(shown) == len(parts) else f"; the {len(shown)} that show this interface follow"
        doc.note(
            f"The sequence diagram of {process.id} ({len(process.steps)} steps) is too long for one picture: "
            f"it is drawn in {len(parts)} parts{which}."
        )
    missing = [rel for _, rel in shown if not (out_dir / rel).is_file()]
    if missing:
        doc.note(
            f"The sequence diagram of {process.id} was not rendered in this run "
            f"(it is published as {sequence_png(process.id)} when diagrams are rendered)."
        )
        return
    for number, rel in shown:
        part = f", part {number} of {len(parts)}" if len(parts) > 1 else ""
        doc.picture(
            out_dir / rel,
            f"Sequence diagram of process {process.id} {process.name}{part}",
            f"Figure: sequence of process {process.id} {process.name}{part}{caption}",
        )


def communication_png(process_id: str) -> str:
    return f"diagrams/communication/{process_id}.png"


def role_label(model: Model, role_id: str) -> str:
    """'Supplier (SUP)': the name a reviewer knows, with the code the tables use."""
    role = model.roles.get(role_id)
    return f"{role.name} ({role_id})" if role else role_id


def model_label(model: Model) -> str:
    config = model.config
    label = config.name + (f" {config.version}" if config.version else "")
    return label + (f" (baseline {config.baseline})" if config.baseline else "")


def tranche_label(model: Model, tranche: int | None) -> str:
    if tranche is None:
        return NOT_STATED
    found = model.tranches.get(tranche)
    return found.name if found and found.name else f"Tranche {tranche}"


def highest(classifications) -> str | None:
    ranked = [c for c in classifications if c in CLASSIFICATION_ORDER]
    return max(ranked, key=CLASSIFICATION_ORDER.index) if ranked else None


def interface_facts(model: Model, interface: e.Interface) -> list[tuple[str, str]]:
    """The key facts of an interface, as label/value pairs (also used by process descriptions)."""
    return [
        ("Sender", role_label(model, interface.sender)),
        ("Receivers", ", ".join(role_label(model, r) for r in interface.receivers)),
        ("Transport", TRANSPORTS.get(interface.transport, interface.transport)),
        ("Pattern", (interface.pattern or NOT_STATED).capitalize()),
        ("Frequency", FREQUENCIES.get(interface.frequency, interface.frequency or NOT_STATED)),
        ("Messages per day", thousands(interface.volumetrics.messages_per_day)),
        ("Classification", (interface.classification or NOT_STATED).capitalize()),
    ]


@dataclass
class Usage:
    process: e.Process
    steps: list[e.Step]


@dataclass
class InterfaceView:
    interface: e.Interface
    meta: DocMeta
    uses: list[tuple[e.DataItemUse, e.DataItem | None]]
    valid_sets: list[e.ValidSet]
    usages: list[Usage]
    principles: list[tuple[e.Principle, str]]  # (principle, where it is traced from)
    comments: list[e.Comment]
    sources: tuple[str, ...] = field(default=())


def interface_view(model: Model, graph: ModelGraph, interface: e.Interface, epoch: int) -> InterfaceView:
    uses = [(use, model.data_items.get(use.ref)) for use in interface.data_items]
    set_ids = dict.fromkeys(item.valid_set for _, item in uses if item is not None and item.valid_set)
    valid_sets = [model.valid_sets[s] for s in set_ids if s in model.valid_sets]
    usages = []
    for _, process_id in graph.referrers(("interface", interface.id), label="uses", kind="process"):
        process = model.processes[process_id]
        usages.append(Usage(process, [s for s in process.steps if s.interface == interface.id]))
    principles: dict[str, tuple[e.Principle, str]] = {}
    for pid in interface.principles:
        if pid in model.principles:
            principles[pid] = (model.principles[pid], "this interface")
    for usage in usages:
        for pid in usage.process.principles:
            if pid in model.principles and pid not in principles:
                principles[pid] = (model.principles[pid], f"process {usage.process.id}")
    comments = [c for c in model.comments.values() if c.artefact == interface.id]
    meta = DocMeta(
        document_id=interface.id,
        title=interface.name,
        version=interface.version or "unversioned",
        status=interface.status or "draft",
        classification=interface.classification or "internal",
        date=render_date(epoch),
        model=model_label(model),
        subject="Interface specification",
        keywords=" ".join((interface.id, interface.sender, *interface.receivers, interface.transport)),
    )
    sources = tuple(
        dict.fromkeys(
            (
                interface.id,
                *dict.fromkeys((interface.sender, *interface.receivers)),
                *(use.ref for use in interface.data_items),
                *(v.id for v in valid_sets),
                *(u.process.id for u in usages),
                *principles,
            )
        )
    )
    return InterfaceView(interface, meta, uses, valid_sets, usages, list(principles.values()), comments, sources)


def describe(doc: WordDocument, entity: e.Entity, missing: str) -> None:
    if entity.description:
        for para in entity.description.strip().split("\n\n"):
            doc.paragraph(para.strip())
    else:
        doc.note(missing)
    if entity.notes:
        doc.parts([("Notes. ", True), (entity.notes.strip(), False)])
    if entity.assumed:
        doc.note(
            "Parts of this description are assumed by the design team (x-source: assumed) "
            "and are to be confirmed in review."
        )


def document_control(
    doc: WordDocument, model: Model, view_meta: DocMeta, entity, comments, tranche: int | None
) -> None:
    doc.heading("Document control")
    doc.heading("Document information", 2)
    tranche_entity = model.tranches.get(tranche) if tranche is not None else None
    review = NOT_STATED
    if tranche_entity and (tranche_entity.review_start or tranche_entity.review_end):
        review = f"{tranche_entity.review_start or '?'} to {tranche_entity.review_end or '?'}"
    source = "generated in memory"
    if entity.origin is not None:  # shown relative to the model folder: no local paths in documents
        source = Path(os.path.relpath(entity.origin.file_path, model.root)).as_posix()
    doc.facts(
        [
            ("Document", f"{view_meta.document_id} {view_meta.title}"),
            ("Owner", entity.owner_team or "MHHS design team"),
            ("Review period", review),
            ("Approval date", (tranche_entity.approval if tranche_entity else None) or NOT_STATED),
            ("Source", f"{source} in {view_meta.model}"),
            ("Produced by", f"mhhsarch {__version__} on {view_meta.date}; do not edit, change the model instead"),
        ]
    )
    doc.heading("Version history", 2)
    doc.table(
        [Column("Version", 2.5), Column("Date", 2.5), Column("Status", 2.5), Column("Change", 9.5)],
        [
            (
                view_meta.version,
                view_meta.date,
                view_meta.status.capitalize(),
                f"Issued from {view_meta.model}" + (f" for {tranche_label(model, tranche)}" if tranche else ""),
            )
        ],
    )
    if comments:
        doc.heading("Review comments", 2)
        doc.table(
            [Column("Comment", 2.0), Column("From", 3.2), Column("Comment and response", 9.3), Column("Status", 2.5)],
            [
                (
                    c.id,
                    Cell(c.constituency, (c.organisation, True) if c.organisation else None),
                    Cell(c.text or "", ("Response: " + c.response, True) if c.response else None),
                    c.status.capitalize(),
                )
                for c in comments
            ],
        )


def write_interface_spec(
    view: InterfaceView, model: Model, template: bytes, out_dir: Path, target: Path, epoch: int
) -> None:
    i = view.interface
    doc = WordDocument(template, view.meta)
    doc.title(f"{i.id} {i.name}", "Interface specification")
    doc.facts(
        [
            ("Interface", i.id),
            ("Name", i.name),
            ("Version", view.meta.version),
            ("Status", view.meta.status.capitalize()),
            ("Tranche", tranche_label(model, i.tranche)),
            ("Date", view.meta.date),
            ("Classification", view.meta.classification.capitalize()),
        ]
    )
    doc.toc()
    document_control(doc, model, view.meta, i, view.comments, i.tranche)

    doc.heading("Purpose and description")
    describe(doc, i, "No description has been recorded for this interface in the model.")

    doc.heading("Sender and receivers")
    doc.paragraph(
        f"{role_label(model, i.sender)} sends this interface to {_and(role_label(model, r) for r in i.receivers)}."
    )
    rows = [("Sender", *_role_cells(model, i.sender))] + [("Receiver", *_role_cells(model, r)) for r in i.receivers]
    doc.table(
        [
            Column("Direction", 2.4),
            Column("Role", 5.5),
            Column("Code", 2.0),
            Column("Category", 3.0),
            Column("Role description", 4.1),
        ],
        rows,
    )

    doc.heading("Trigger, frequency and transport")
    doc.facts(
        [
            ("Trigger", i.trigger or NOT_STATED),
            ("Frequency", FREQUENCIES.get(i.frequency, i.frequency or NOT_STATED)),
            ("Transport", TRANSPORTS.get(i.transport, i.transport)),
            ("Pattern", PATTERNS.get(i.pattern, i.pattern or NOT_STATED)),
        ]
    )

    doc.heading("Volumetrics")
    volumes = i.volumetrics
    per_day, typical = volumes.messages_per_day, volumes.payload_typical
    doc.facts(
        [
            ("Messages per day", thousands(per_day)),
            ("Peak messages per hour", thousands(volumes.peak_per_hour)),
            ("Typical payload", data_size(typical)),
            ("Maximum payload", data_size(volumes.payload_max)),
            ("Messages per year", thousands(per_day * 365) if per_day is not None else NOT_STATED),
            ("Data per day (typical)", data_size(per_day * typical) if None not in (per_day, typical) else NOT_STATED),
            (
                "Data per year (typical)",
                data_size(per_day * typical * 365) if None not in (per_day, typical) else NOT_STATED,
            ),
        ]
    )
    doc.note(
        "Yearly figures are computed as 365 times the daily figures; data volumes as messages times the typical payload."
    )

    doc.heading("Security")
    items = [item for _, item in view.uses if item is not None]
    personal = [item for item in items if item.personal_data]
    doc.facts(
        [
            ("Classification", (i.classification or NOT_STATED).capitalize()),
            (
                "Highest data item classification",
                (highest(item.classification for item in items) or NOT_STATED).capitalize(),
            ),
            ("Carries personal data", yes_no(i.personal_data)),
            ("Personal data items", ", ".join(f"{d.id} {d.name}" for d in personal) or "None"),
            ("May publish", role_label(model, i.sender)),
            ("May consume", ", ".join(role_label(model, r) for r in i.receivers)),
        ]
    )

    doc.heading("Data items")
    mandatory = sum(1 for use, _ in view.uses if use.mandatory)
    doc.paragraph(
        f"The interface carries {len(view.uses)} data items ({mandatory} mandatory, "
        f"{len(view.uses) - mandatory} optional), in this order. Enumerated items take their "
        "codes from the valid sets in Appendix A."
    )
    doc.table(
        [
            Column("ID", 1.5),
            Column("Name", 4.6),
            Column("Type", 1.5),
            Column("Length / format", 2.4),
            Column("M/O", 0.9),
            Column("Repeats", 1.6),
            Column("Group", 2.0),
            Column("Valid set", 2.5),
        ],
        [_data_item_row(use, item) for use, item in view.uses],
    )

    doc.heading("Sequence diagrams")
    if not view.usages:
        doc.note("No process in the model uses this interface yet.")
    for usage in view.usages:
        p = usage.process
        doc.heading(f"{p.id} {p.name}", 2, numbered=True)
        sent_at = "; this interface is sent at step " + ", ".join(str(s.id) for s in usage.steps) + "."
        sequence_figures(doc, model, out_dir, p, sent_at, interface=i.id)

    doc.heading("Where used")
    if view.usages:
        doc.table(
            [
                Column("Process", 4.6),
                Column("Step", 1.1),
                Column("Step name", 4.4),
                Column("From", 2.3),
                Column("To", 2.4),
                Column("Condition", 2.7),
            ],
            [
                (
                    Cell(u.process.id, (u.process.name, False)),
                    str(s.id),
                    s.name,
                    s.actor,
                    ", ".join(s.to or i.receivers),
                    s.condition or "Always",
                )
                for u in view.usages
                for s in u.steps
            ],
        )
    else:
        doc.note("No process step uses this interface.")

    doc.heading("Principles")
    if view.principles:
        doc.table(
            [Column("Principle", 2.0), Column("Title and text", 11.5), Column("Traced from", 3.5)],
            [
                (p.id, Cell(p.title, (p.text, False) if p.text else None, bold=True), origin)
                for p, origin in view.principles
            ],
        )
    else:
        doc.note("No design principle is traced to this interface or the processes that use it.")

    doc.heading("Appendix A  Valid sets", numbered=False)
    if not view.valid_sets:
        doc.note("No data item of this interface is enumerated.")
    for valid_set in view.valid_sets:
        doc.heading(f"{valid_set.id} {valid_set.name}", 2, numbered=False)
        if valid_set.description:
            doc.paragraph(valid_set.description)
        doc.table(
            [Column("Code", 3.0), Column("Meaning", 14.0)],
            [(v.code, Cell(v.meaning, (v.description, True) if v.description else None)) for v in valid_set.values],
        )
    doc.save(target, epoch)


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _role_cells(model: Model, role_id: str) -> tuple[str, str, str, str]:
    role = model.roles.get(role_id)
    if role is None:
        return (role_id, role_id, "", "")
    return (role.name, role.id, role.category.capitalize(), role.description or "")


def _data_item_row(use: e.DataItemUse, item: e.DataItem | None) -> tuple:
    if item is None:
        return (use.ref, "(not in the model)", "", "", "", "", use.group or "", "")
    size = []
    if item.length is not None:
        size.append(f"max {item.length}")
    if item.format:
        size.append(item.format)
    if item.unit:
        size.append(f"unit {item.unit}")
    name = Cell(
        item.name, (use.description or item.description, True) if (use.description or item.description) else None
    )
    return (
        item.id,
        name,
        item.type,
        "\n".join(size),
        "M" if use.mandatory else "O",
        REPEATS.get(use.repeats, use.repeats),
        use.group or "",
        item.valid_set or "",
    )


class InterfaceSpecRenderer(WordDocumentRenderer):
    name = "specs"
    title = "Word interface specifications (specs/IF-xxx.docx)"
    template_name = "interface_spec.docx"
    folder = "specs"
    kind = "interface-spec"

    def entities(self, ctx: RenderContext) -> list:
        return ctx.interfaces

    def view(self, ctx: RenderContext, entity, epoch: int):
        return interface_view(ctx.model, ctx.graph, entity, epoch)

    def write(self, view, ctx: RenderContext, template: bytes, target: Path, epoch: int) -> None:
        write_interface_spec(view, ctx.model, template, ctx.out, target, epoch)
