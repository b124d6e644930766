"""Process descriptions: `processes/BPxxx.docx`, one Word document per process.

Purpose, participants, capabilities, the step table, the sequence and communication
diagrams the diagram renderers wrote in phase 0 (scaled to the page), and the
interfaces the process uses with their key facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mhhsarch.model import entities as e
from mhhsarch.model.model import Model
from mhhsarch.render.base import RenderContext
from mhhsarch.render.documents.docxkit import Cell, Column, DocMeta, WordDocument, WordDocumentRenderer, render_date
from mhhsarch.render.documents.interface_spec import (
    NOT_STATED,
    communication_png,
    describe,
    document_control,
    highest,
    interface_facts,
    model_label,
    role_label,
    sequence_figures,
    tranche_label,
)


@dataclass
class ProcessView:
    process: e.Process
    meta: DocMeta
    interfaces: list[e.Interface]
    comments: list[e.Comment]
    sources: tuple[str, ...]


def process_view(model: Model, process: e.Process, epoch: int) -> ProcessView:
    interfaces = [model.interfaces[i] for i in process.interface_ids if i in model.interfaces]
    meta = DocMeta(
        document_id=process.id,
        title=process.name,
        version=model.config.version or "unversioned",
        status=process.status or "draft",
        classification=highest(i.classification for i in interfaces) or "internal",
        date=render_date(epoch),
        model=model_label(model),
        subject="Business process description",
        keywords=" ".join((process.id, *process.participants)),
    )
    sources = tuple(
        dict.fromkeys(
            (
                process.id,
                *process.participants,
                *process.capabilities,
                *(i.id for i in interfaces),
                *process.principles,
            )
        )
    )
    comments = [c for c in model.comments.values() if c.artefact == process.id]
    return ProcessView(process, meta, interfaces, comments, sources)


def write_process_doc(
    view: ProcessView, model: Model, template: bytes, out_dir: Path, target: Path, epoch: int
) -> None:
    p = view.process
    doc = WordDocument(template, view.meta)
    doc.title(f"{p.id} {p.name}", "Business process description")
    doc.facts(
        [
            ("Process", p.id),
            ("Name", p.name),
            ("Level", str(p.level)),
            ("Status", view.meta.status.capitalize()),
            ("Tranche", tranche_label(model, p.tranche)),
            ("Date", view.meta.date),
            ("Segments", ", ".join(model.segments[s].name if s in model.segments else s for s in p.segments) or "All"),
        ]
    )
    doc.toc()
    document_control(doc, model, view.meta, p, view.comments, p.tranche)

    doc.heading("Purpose")
    describe(doc, p, "No description has been recorded for this process in the model.")

    doc.heading("Participants")
    rows = []
    for role_id in p.participants:
        role = model.roles.get(role_id)
        sends = sum(1 for s in p.steps if s.actor == role_id)
        rows.append(
            (
                role.name if role else role_id,
                role_id,
                role.category.capitalize() if role else "",
                str(sends),
                role.description or "" if role else "",
            )
        )
    doc.table(
        [
            Column("Role", 4.6),
            Column("Code", 1.8),
            Column("Category", 2.4),
            Column("Steps", 1.4),
            Column("Description", 6.8),
        ],
        rows,
    )

    doc.heading("Capabilities")
    if p.capabilities:
        doc.table(
            [Column("Capability", 4.0), Column("Name", 6.0), Column("Part of", 7.0)],
            [_capability_row(model, c) for c in p.capabilities],
        )
    else:
        doc.note("No capability is linked to this process.")

    doc.heading("Steps")
    doc.paragraph(
        f"The process has {len(p.steps)} steps; {sum(1 for s in p.steps if s.interface)} of them "
        "send an interface. Unless the step names them, an interface goes to all its receivers."
    )
    doc.table(
        [
            Column("No.", 1.0),
            Column("Actor", 2.6),
            Column("Action", 5.0),
            Column("Interface", 3.2),
            Column("Recipients", 2.6),
            Column("Condition", 2.6),
        ],
        [_step_row(model, s) for s in p.steps],
    )

    doc.heading("Diagrams")
    doc.heading("Sequence diagram", 2)
    sequence_figures(doc, model, out_dir, p, ".")
    doc.heading("Communication diagram", 2)
    png = out_dir / communication_png(p.id)
    if png.is_file():
        doc.picture(
            png, f"Communication diagram of process {p.id} {p.name}", f"Figure: communication of {p.id} {p.name}."
        )
    else:
        doc.note(
            f"The communication diagram of {p.id} was not rendered in this run "
            f"(it is published as {communication_png(p.id)} when diagrams are rendered)."
        )

    doc.heading("Interfaces used")
    if not view.interfaces:
        doc.note("No step of this process sends an interface.")
    for interface in view.interfaces:
        doc.heading(f"{interface.id} {interface.name}", 2)
        steps = [str(s.id) for s in p.steps if s.interface == interface.id]
        doc.facts(
            [
                *interface_facts(model, interface),
                ("Sent at step", ", ".join(steps)),
                ("Specification", f"specs/{interface.id}.docx"),
            ]
        )

    doc.heading("Principles")
    principles = [model.principles[pid] for pid in p.principles if pid in model.principles]
    if principles:
        doc.table(
            [Column("Principle", 2.0), Column("Title and text", 15.0)],
            [(pr.id, Cell(pr.title, (pr.text, False) if pr.text else None, bold=True)) for pr in principles],
        )
    else:
        doc.note("No design principle is traced to this process.")
    doc.save(target, epoch)


def _capability_row(model: Model, capability_id: str) -> tuple:
    capability = model.capabilities.get(capability_id)
    if capability is None:
        return (capability_id, NOT_STATED, "")
    parent = model.capabilities.get(capability.parent) if capability.parent else None
    return (capability.id, capability.name, f"{parent.id} {parent.name}" if parent else "")


def _step_row(model: Model, step: e.Step) -> tuple:
    interface = model.interfaces.get(step.interface) if step.interface else None
    action = Cell(step.name, (step.description, True) if step.description else None)
    if step.interface:
        sent = Cell(step.interface, (interface.name, False) if interface else None)
        recipients = step.to or (interface.receivers if interface else ())
        to = ", ".join(recipients) + ("" if step.to else " (all)")
    else:
        sent, to = "", ""
    then = f"Then step {', '.join(map(str, step.next))}" if step.next else None
    condition = Cell(step.condition or "", (then, True) if then else None)
    return (str(step.id), Cell(role_label(model, step.actor)), action, sent, to, condition)


class ProcessDocRenderer(WordDocumentRenderer):
    name = "process-docs"
    title = "Word process descriptions (processes/BPxxx.docx)"
    template_name = "process_description.docx"
    folder = "processes"
    kind = "process-description"

    def entities(self, ctx: RenderContext) -> list:
        return ctx.processes

    def view(self, ctx: RenderContext, entity, epoch: int):
        return process_view(ctx.model, entity, epoch)

    def write(self, view, ctx: RenderContext, template: bytes, target: Path, epoch: int) -> None:
        write_process_doc(view, ctx.model, template, ctx.out, target, epoch)
