"""The process description view: everything `processes/BPxxx.*` says about one process."""

from __future__ import annotations

from dataclasses import dataclass

from mhhsarch.model import entities as e
from mhhsarch.model.model import Model
from mhhsarch.render.views.common import (
    NOT_STATED,
    DocumentControl,
    DocumentInfo,
    Fact,
    Named,
    PrincipleRow,
    audience_text,
    document_control,
    highest,
    model_label,
    paragraphs,
    render_date,
    role_label,
    tranche_label,
)
from mhhsarch.render.views.interface_spec import Diagram, communication_png, interface_facts, sequence_figures


@dataclass(frozen=True)
class ParticipantRow:
    role_name: str
    role_id: str
    category: str
    steps: str
    description: str


@dataclass(frozen=True)
class CapabilityRow:
    id: str
    name: str
    part_of: str


@dataclass(frozen=True)
class StepRow:
    number: str
    actor: str
    action: Named
    interface: Named | None
    recipients: str
    audience: str  # who of the recipients gets it, in words; "" when all of them do
    condition: Named


@dataclass(frozen=True)
class DiagramSection:
    title: str
    what: str  # "sequence" or "communication"
    diagrams: tuple[Diagram, ...]  # one picture, or the parts of a long sequence diagram
    parts_note: str | None


@dataclass(frozen=True)
class InterfaceUsed:
    id: str
    name: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class ProcessView:
    info: DocumentInfo
    id: str
    name: str
    cover: tuple[Fact, ...]
    control: DocumentControl
    description: tuple[str, ...]
    notes: str | None
    assumed: bool
    participants: tuple[ParticipantRow, ...]
    capabilities: tuple[CapabilityRow, ...]
    steps_summary: str
    steps: tuple[StepRow, ...]
    diagrams: tuple[DiagramSection, ...]
    interfaces: tuple[InterfaceUsed, ...]
    principles: tuple[PrincipleRow, ...]
    sources: tuple[str, ...]


def process_view(model: Model, process: e.Process, epoch: int, revisions=()) -> ProcessView:
    """The view of `process`; `revisions`: its version history from git (change/history.py)."""
    p = process
    interfaces = [model.interfaces[i] for i in p.interface_ids if i in model.interfaces]
    info = DocumentInfo(
        document_id=p.id,
        title=p.name,
        version=model.config.version or "unversioned",
        status=p.status or "draft",
        classification=highest(i.classification for i in interfaces) or "internal",
        date=render_date(epoch),
        model=model_label(model),
        subject="Business process description",
        keywords=" ".join((p.id, *p.participants)),
    )
    comments = [c for c in model.comments.values() if c.artefact == p.id]
    principles = [model.principles[pid] for pid in p.principles if pid in model.principles]
    sources = tuple(dict.fromkeys((p.id, *p.participants, *p.capabilities, *(i.id for i in interfaces), *p.principles)))
    return ProcessView(
        info=info,
        id=p.id,
        name=p.name,
        cover=(
            Fact("Process", p.id),
            Fact("Name", p.name),
            Fact("Level", str(p.level)),
            Fact("Status", info.status.capitalize()),
            Fact("Tranche", tranche_label(model, p.tranche)),
            Fact("Date", info.date),
            Fact(
                "Segments",
                ", ".join(model.segments[s].name if s in model.segments else s for s in p.segments) or "All",
            ),
        ),
        control=document_control(model, info, p, comments, p.tranche, revisions),
        description=paragraphs(p.description),
        notes=p.notes.strip() if p.notes else None,
        assumed=p.assumed,
        participants=tuple(_participant(model, p, r) for r in p.participants),
        capabilities=tuple(_capability_row(model, c) for c in p.capabilities),
        steps_summary=f"The process has {len(p.steps)} steps; {sum(1 for s in p.steps if s.interface)} of them "
        "send an interface.",
        steps=tuple(_step_row(model, p, s) for s in p.steps),
        diagrams=(
            DiagramSection("Sequence diagram", "sequence", *sequence_figures(model, p, ".")),
            DiagramSection(
                "Communication diagram",
                "communication",
                (
                    Diagram(
                        communication_png(p.id),
                        f"Communication diagram of process {p.id} {p.name}",
                        f"Figure: communication of {p.id} {p.name}.",
                    ),
                ),
                None,
            ),
        ),
        interfaces=tuple(
            InterfaceUsed(
                i.id,
                i.name,
                (
                    *interface_facts(model, i),
                    Fact("Sent at step", ", ".join(str(s.id) for s in p.steps if s.interface == i.id)),
                    Fact("Specification", f"specs/{i.id}.docx"),
                ),
            )
            for i in interfaces
        ),
        principles=tuple(PrincipleRow(pr.id, pr.title, pr.text, "this process") for pr in principles),
        sources=sources,
    )


def _participant(model: Model, process: e.Process, role_id: str) -> ParticipantRow:
    role = model.roles.get(role_id)
    sends = sum(1 for s in process.steps if s.actor == role_id)
    if role is None:
        return ParticipantRow(role_id, role_id, "", str(sends), "")
    return ParticipantRow(role.name, role_id, role.category.capitalize(), str(sends), role.description or "")


def _capability_row(model: Model, capability_id: str) -> CapabilityRow:
    capability = model.capabilities.get(capability_id)
    if capability is None:
        return CapabilityRow(capability_id, NOT_STATED, "")
    parent = model.capabilities.get(capability.parent) if capability.parent else None
    return CapabilityRow(capability.id, capability.name, f"{parent.id} {parent.name}" if parent else "")


def _step_row(model: Model, process: e.Process, step: e.Step) -> StepRow:
    interface = model.interfaces.get(step.interface) if step.interface else None
    sent, to = None, ""
    if step.interface:
        sent = Named(step.interface, interface.name if interface else None)
        recipients = step.to or (interface.receivers if interface else ())
        to = ", ".join(recipients) + ("" if step.to else " (all)")
    then = f"Then step {', '.join(map(str, step.next))}" if step.next else None
    return StepRow(
        str(step.id),
        role_label(model, step.actor),
        Named(step.name, step.description),
        sent,
        to,
        audience_text(model, process, step) if step.interface else "",
        Named(step.condition or "", then),
    )
