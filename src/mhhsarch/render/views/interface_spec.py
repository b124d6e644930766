"""The interface specification view: everything `specs/IF-xxx.*` says about one interface."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from mhhsarch.graph import ModelGraph
from mhhsarch.model import entities as e
from mhhsarch.model.model import Model
from mhhsarch.render.documents.text import data_size, thousands, yes_no
from mhhsarch.render.views import as_data
from mhhsarch.render.views.common import (
    ASSUMED_LEGEND,
    ASSUMED_MARK,
    NOT_STATED,
    AssumptionRow,
    DocumentControl,
    DocumentInfo,
    Fact,
    GlossaryRow,
    Named,
    PrincipleRow,
    ReferenceRow,
    and_list,
    assumption_row,
    document_control,
    document_number,
    glossary,
    highest,
    is_assumed,
    marked,
    model_label,
    paragraphs,
    render_date,
    role_label,
    texts_of,
    tranche_label,
)
from mhhsarch.render.views.diagrams import parts
from mhhsarch.render.views.payload import has_payload, payload_view, sample_lines

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
# The DTN is point to point: a flow is addressed to one receiver at a time, nobody subscribes.
DTN_PATTERNS = {
    "publish": "Point to point: the sender sends each receiver its own copy of the flow over the DTN",
    "request": "Request: the sender asks one receiver over the DTN and expects a response",
    "response": "Response: the answer to a request, sent back to the requester over the DTN",
}


def pattern_text(transport: str, pattern: str | None) -> str:
    """What the pattern means on this transport (the DTN has no publication)."""
    texts = DTN_PATTERNS if transport == "DTN" else PATTERNS
    return texts.get(pattern or "", pattern or NOT_STATED)


FREQUENCIES = {
    "on-event": "On event",
    "daily": "Daily",
    "half-hourly": "Every half hour",
    "monthly": "Monthly",
    "ad-hoc": "Ad hoc",
}
REPEATS = {"1": "Once", "0..1": "At most once", "1..*": "One or more", "0..*": "Any number"}


def sequence_png(process_id: str) -> str:
    return f"diagrams/sequence/{process_id}.png"


def communication_png(process_id: str) -> str:
    return f"diagrams/communication/{process_id}.png"


@dataclass(frozen=True)
class PartyRow:
    direction: str  # "Sender" or "Receiver"
    role_id: str
    role_name: str
    category: str
    description: str


@dataclass(frozen=True)
class DataItemRow:
    id: str
    name: Named
    type: str
    size: str  # length, format and unit, one per line
    mandatory: str  # "M" or "O"
    repeats: str
    group: str
    valid_set: str
    classification: str = ""  # the data item's own classification ("Internal")


@dataclass(frozen=True)
class Diagram:
    """A picture the document embeds: a file the diagram renderers write in the same run."""

    path: str  # below the output folder
    alt: str
    caption: str


@dataclass(frozen=True)
class Usage:
    process_id: str
    process_name: str
    steps: tuple[int, ...]
    diagrams: tuple[Diagram, ...]  # the sequence diagram, or the parts of it that send the interface
    parts_note: str | None  # says that a long process is drawn in parts


@dataclass(frozen=True)
class UseRow:
    process: Named
    step: str
    step_name: str
    sender: str
    recipients: str
    condition: str


@dataclass(frozen=True)
class CodeRow:
    code: str
    meaning: Named


@dataclass(frozen=True)
class ValidSetBlock:
    id: str
    name: str
    description: str | None
    codes: tuple[CodeRow, ...]


@dataclass(frozen=True)
class DtnItem:
    id: str
    name: str
    dtc_ref: str  # the item's number in the Data Transfer Catalogue, or "" when not recorded
    repeats: str


@dataclass(frozen=True)
class DtnGroup:
    """A group of a DTN flow (the DTC's group structure, as the model's `group` names it)."""

    name: str
    repeats: str  # how often the group occurs: "Once", "One or more" ...
    data_items: tuple[DtnItem, ...]


@dataclass(frozen=True)
class DtnFlow:
    """The structure of a flow on the DTN: its DTC flow reference and version, its groups
    and their items with DTC references."""

    sentence: str
    groups: tuple[DtnGroup, ...]
    facts: tuple[Fact, ...] = ()  # the DTC flow reference and version


@dataclass(frozen=True)
class InterfaceSpecView:
    info: DocumentInfo
    id: str
    name: str
    cover: tuple[Fact, ...]
    control: DocumentControl
    description: tuple[str, ...]
    notes: str | None
    assumed: bool
    parties_sentence: str
    parties: tuple[PartyRow, ...]
    transport: tuple[Fact, ...]
    volumetrics: tuple[Fact, ...]
    security: tuple[Fact, ...]
    data_summary: str
    data_items: tuple[DataItemRow, ...]
    usages: tuple[Usage, ...]
    where_used: tuple[UseRow, ...]
    principles: tuple[PrincipleRow, ...]
    valid_sets: tuple[ValidSetBlock, ...]
    sources: tuple[str, ...]  # the ids of every entity the view reads
    # reference material (issue 11): provenance, cross-references, glossary, DTN structure
    provenance_legend: str | None = None  # the legend of the assumed mark, when anything is assumed
    volumetrics_note: str | None = None  # says that the volumetrics are the design team's estimate
    assumptions: tuple[AssumptionRow, ...] = ()
    references: tuple[ReferenceRow, ...] = ()
    glossary: tuple[GlossaryRow, ...] = ()
    dtn_flow: DtnFlow | None = None
    # a DIP interface's payload: a sample message (JSON, a line each) and its schema's file
    sample_message: tuple[str, ...] = ()
    payload_schema: str | None = None
    sample_note: str | None = None


def sequence_figures(
    model: Model, process: e.Process, caption: str, interface: str | None = None
) -> tuple[tuple[Diagram, ...], str | None]:
    """The process's sequence diagram as pictures: one, or each part of a long process
    (only the parts that send `interface` when it is given), and a note saying that it
    is in parts."""
    drawn = parts(model, process)
    shown = [
        (number, rel)
        for number, (rel, page) in enumerate(drawn, 1)
        if interface is None or any(m.interface == interface for m in page.messages())
    ]
    note = None
    if len(drawn) > 1:
        if len(shown) == len(drawn):
            which = ""
        elif len(shown) == 1:
            which = "; the one that shows this interface follows"
        else:
            which = f"; the {len(shown)} that show this interface follow"
        note = (
            f"The sequence diagram of {process.id} ({len(process.steps)} steps) is too long for one picture: "
            f"it is drawn in {len(drawn)} parts{which}."
        )
    figures = []
    for number, rel in shown:
        part = f", part {number} of {len(drawn)}" if len(drawn) > 1 else ""
        figures.append(
            Diagram(
                rel,
                f"Sequence diagram of process {process.id} {process.name}{part}",
                f"Figure: sequence of process {process.id} {process.name}{part}{caption}",
            )
        )
    return tuple(figures), note


def _usage(model: Model, process: e.Process, steps: list[e.Step], interface_id: str) -> Usage:
    sent_at = "; this interface is sent at step " + ", ".join(str(s.id) for s in steps) + "."
    figures, note = sequence_figures(model, process, sent_at, interface_id)
    return Usage(process.id, process.name, tuple(s.id for s in steps), figures, note)


def interface_facts(model: Model, interface: e.Interface) -> tuple[Fact, ...]:
    """The key facts of an interface (also shown in process descriptions)."""
    return (
        Fact("Sender", role_label(model, interface.sender)),
        Fact("Receivers", ", ".join(role_label(model, r) for r in interface.receivers)),
        Fact("Transport", TRANSPORTS.get(interface.transport, interface.transport)),
        Fact(
            "Pattern",
            "Point to point" if interface.transport == "DTN" else (interface.pattern or NOT_STATED).capitalize(),
        ),
        Fact("Frequency", FREQUENCIES.get(interface.frequency or "", interface.frequency or NOT_STATED)),
        Fact("Messages per day", thousands(interface.volumetrics.messages_per_day)),
        Fact("Classification", (interface.classification or NOT_STATED).capitalize()),
    )


def interface_spec_view(model: Model, graph: ModelGraph, interface: e.Interface, epoch: int) -> InterfaceSpecView:
    i = interface
    uses = [(use, model.data_items.get(use.ref)) for use in i.data_items]
    set_ids = dict.fromkeys(item.valid_set for _, item in uses if item is not None and item.valid_set)
    valid_sets = [model.valid_sets[s] for s in set_ids if s in model.valid_sets]
    processes = [
        model.processes[str(pid)] for _, pid in graph.referrers(("interface", i.id), label="uses", kind="process")
    ]
    steps_of = {p.id: [s for s in p.steps if s.interface == i.id] for p in processes}
    principles: dict[str, PrincipleRow] = {}
    for pid in i.principles:
        if pid in model.principles:
            principles[pid] = _principle_row(model.principles[pid], "this interface")
    for p in processes:
        for pid in p.principles:
            if pid in model.principles and pid not in principles:
                principles[pid] = _principle_row(model.principles[pid], f"process {p.id}")
    comments = [c for c in model.comments.values() if c.artefact == i.id]
    info = DocumentInfo(
        document_id=i.id,
        title=i.name,
        version=i.version or "unversioned",
        status=i.status or "draft",
        classification=model.config.classification,
        date=render_date(epoch),
        model=model_label(model),
        subject="Interface specification",
        keywords=" ".join((i.id, i.sender, *i.receivers, i.transport)),
        number=document_number("IFS", i.id),
    )
    items = [item for _, item in uses if item is not None]
    personal = [item for item in items if item.personal_data]
    mandatory = sum(1 for use, _ in uses if use.mandatory)
    volumes = i.volumetrics
    per_day, typical = volumes.messages_per_day, volumes.payload_typical
    known = per_day is not None and typical is not None
    sources = tuple(
        dict.fromkeys(
            (
                i.id,
                *dict.fromkeys((i.sender, *i.receivers)),
                *(use.ref for use in i.data_items),
                *(v.id for v in valid_sets),
                *(p.id for p in processes),
                *principles,
            )
        )
    )
    whole = is_assumed(i)  # the interface's own facts (direction, trigger, content) are assumed
    counted = is_assumed(i) or volumes.assumed  # the volumetrics are an estimate

    def volume(text: str) -> str:
        return marked(text, counted and text != NOT_STATED)

    view = InterfaceSpecView(
        info=info,
        id=i.id,
        name=i.name,
        cover=(
            Fact("Interface", i.id),
            Fact("Name", i.name),
            Fact("Document number", info.number),
            Fact("Version", info.version),
            Fact("Status", info.status.capitalize()),
            Fact("Tranche", tranche_label(model, i.tranche)),
            Fact("Publication date", info.date),
            Fact("Classification", info.classification.capitalize()),
        ),
        control=document_control(model, info, i, comments, i.tranche),
        description=paragraphs(i.description),
        notes=i.notes.strip() if i.notes else None,
        assumed=i.assumed,
        parties_sentence=marked(
            f"{role_label(model, i.sender)} sends this interface to "
            f"{and_list(role_label(model, r) for r in i.receivers)}.",
            whole,
        ),
        parties=(_party(model, "Sender", i.sender), *(_party(model, "Receiver", r) for r in i.receivers)),
        transport=(
            Fact("Trigger", marked(i.trigger or NOT_STATED, whole and bool(i.trigger))),
            Fact(
                "Frequency",
                marked(FREQUENCIES.get(i.frequency or "", i.frequency or NOT_STATED), whole and bool(i.frequency)),
            ),
            Fact("Transport", TRANSPORTS.get(i.transport, i.transport)),
            Fact("Pattern", marked(pattern_text(i.transport, i.pattern), whole and bool(i.pattern))),
        ),
        volumetrics=(
            Fact("Messages per day", volume(thousands(per_day))),
            Fact("Peak messages per hour", volume(thousands(volumes.peak_per_hour))),
            Fact("Typical payload", volume(data_size(typical))),
            Fact("Maximum payload", volume(data_size(volumes.payload_max))),
            Fact("Messages per year", volume(thousands(per_day * 365) if per_day is not None else NOT_STATED)),
            Fact("Data per day (typical)", volume(data_size(per_day * typical) if known else NOT_STATED)),  # type: ignore[operator]
            Fact("Data per year (typical)", volume(data_size(per_day * typical * 365) if known else NOT_STATED)),  # type: ignore[operator]
        ),
        security=(
            Fact("Interface classification", marked((i.classification or NOT_STATED).capitalize(), whole)),
            Fact(
                "Highest data item classification",
                (highest(item.classification for item in items) or NOT_STATED).capitalize(),
            ),
            Fact("Carries personal data", marked(yes_no(i.personal_data), whole and i.personal_data is not None)),
            Fact("Personal data items", ", ".join(f"{d.id} {d.name}" for d in personal) or "None"),
            Fact("May publish", role_label(model, i.sender)),
            Fact("May consume", ", ".join(role_label(model, r) for r in i.receivers)),
        ),
        data_summary=f"The interface carries {len(uses)} data items ({mandatory} mandatory, "
        f"{len(uses) - mandatory} optional), in this order.",
        data_items=tuple(_data_item_row(use, item) for use, item in uses),
        usages=tuple(_usage(model, p, steps_of[p.id], i.id) for p in processes),
        where_used=tuple(
            UseRow(
                Named(p.id, p.name),
                str(s.id),
                s.name,
                s.actor,
                ", ".join(s.to or i.receivers),
                s.condition or "Always",
            )
            for p in processes
            for s in steps_of[p.id]
        ),
        principles=tuple(principles.values()),
        valid_sets=tuple(
            ValidSetBlock(
                v.id,
                marked(v.name, is_assumed(v)),
                v.description,
                tuple(CodeRow(c.code, Named(c.meaning, c.description)) for c in v.values),
            )
            for v in valid_sets
        ),
        sources=sources,
        volumetrics_note=(
            f"{ASSUMED_MARK} The volumetrics are the design team's estimate (x-source: assumed), "
            "to be confirmed in review."
            if counted and any(v is not None for v in (per_day, volumes.peak_per_hour, typical, volumes.payload_max))
            else None
        ),
        assumptions=_assumptions(model, i, items, valid_sets, principles),
        references=_references(model, i, processes, principles),
        dtn_flow=_dtn_flow(i, uses) if i.transport == "DTN" else None,
        **_sample(model, i),
    )
    legend = ASSUMED_LEGEND if view.assumptions else None
    return dataclasses.replace(
        view, provenance_legend=legend, glossary=glossary(model, texts_of(as_data(view)) + [legend or ""])
    )


def _sample(model: Model, i: e.Interface) -> dict:
    """The sample message of a DIP interface and where its JSON Schema is published."""
    if not has_payload(i):
        return {}
    payload = payload_view(model, i)
    note = (
        f"The sample validates against {payload.path}, the JSON Schema of this interface's payload generated from "
        "its data items and valid sets. It shows the whole message a recipient receives, CommonBlock (DIP header) "
        "and CustomBlock; the values are examples, not real data."
    )
    if payload.unsampled:
        note += f" No example could be made for {and_list(payload.unsampled)} (their formats are beyond the generator)."
    return {"sample_message": sample_lines(payload), "payload_schema": payload.path, "sample_note": note}


def _assumptions(model: Model, i: e.Interface, items, valid_sets, principles) -> tuple[AssumptionRow, ...]:
    """What this specification shows that the design team assumed: the interface itself
    (or its volumetrics), its data items, valid sets, roles and principles."""
    rows = [assumption_row(i, "interface")]
    if not is_assumed(i) and i.volumetrics.assumed:
        rows.append(AssumptionRow(f"{i.id} {i.name}", "interface", "its volumetrics"))
    rows += [assumption_row(model.roles.get(r), "market role") for r in dict.fromkeys((i.sender, *i.receivers))]
    rows += [assumption_row(item, "data item") for item in dict.fromkeys(items)]
    rows += [assumption_row(v, "valid set") for v in valid_sets]
    rows += [assumption_row(model.principles[pid], "principle") for pid in principles]
    return tuple(r for r in rows if r is not None)


def _references(model: Model, i: e.Interface, processes, principles) -> tuple[ReferenceRow, ...]:
    """The principles the interface follows, the processes that send it and the other
    interfaces those processes send, each with the document that describes it."""
    rows = [ReferenceRow("Principle", pid, model.principles[pid].title, "Principles section") for pid in principles]
    rows += [ReferenceRow("Process", p.id, p.name, f"processes/{p.id}.docx") for p in processes]
    related = dict.fromkeys(other for p in processes for other in p.interface_ids if other != i.id)
    rows += [
        ReferenceRow("Interface", other, model.interfaces[other].name, f"specs/{other}.docx")
        for other in sorted(related)
        if other in model.interfaces
    ]
    return tuple(rows)


def _dtn_flow(i: e.Interface, uses) -> DtnFlow:
    """The flow's groups in the order the model lists its items; a group repeats when
    all its items do. DTC references are those the data items record."""
    groups: dict[str, list] = {}
    for use, item in uses:
        groups.setdefault(use.group or "Flow", []).append((use, item))
    blocks = []
    for name, members in groups.items():
        repeating = all(use.repeats.endswith("*") for use, _ in members)
        optional = all(use.repeats.startswith("0") for use, _ in members)
        repeats = ("Any number" if optional else "One or more") if repeating else "Once"
        blocks.append(
            DtnGroup(
                name,
                repeats,
                tuple(
                    DtnItem(
                        use.ref,
                        item.name if item else "(not in the model)",
                        (item.dtc_ref or "") if item else "",
                        REPEATS.get(use.repeats, use.repeats),
                    )
                    for use, item in members
                ),
            )
        )
    reference, version = _dtc_flow_reference(i)
    facts = (
        Fact("DTC flow", reference or NOT_STATED),
        Fact("DTC flow version", version or "not recorded in the model"),
        Fact("Transport", "Data Transfer Network (DTN), point to point"),
    )
    recorded = sum(1 for block in blocks for item in block.data_items if item.dtc_ref)
    total = sum(len(block.data_items) for block in blocks)
    sentence = (
        f"{i.id} is a Data Transfer Catalogue flow on the DTN: point to point, each receiver gets its own copy. "
        f"It has {len(blocks)} groups; the model records the DTC data item reference of {recorded} of its "
        f"{total} data items."
    )
    return DtnFlow(sentence, tuple(blocks), facts)


_DTC_FLOW_NUMBER = re.compile(r"(D\d{4})\b")


def _dtc_flow_reference(i: e.Interface) -> tuple[str | None, str | None]:
    """The DTC flow an interface on the DTN carries and its version: from the model's
    `dtc_flow` (a reference, or a mapping with `ref`/`id` and `version`) when the model
    has one, else the flow number the interface's name starts with (D0387)."""
    flow = getattr(i, "dtc_flow", None) or i.extra("x-dtc_flow")
    if isinstance(flow, str):
        return flow, None
    if flow is not None:
        get = flow.get if isinstance(flow, dict) else lambda key: getattr(flow, key, None)
        reference = get("ref") or get("id") or get("flow")
        version = get("version")
        return (str(reference) if reference else None), (str(version) if version else None)
    match = _DTC_FLOW_NUMBER.match(i.name)
    return (f"{match.group(1)} (the number the interface's name carries)" if match else None), None


def _principle_row(principle: e.Principle, traced_from: str) -> PrincipleRow:
    return PrincipleRow(principle.id, marked(principle.title, is_assumed(principle)), principle.text, traced_from)


def _party(model: Model, direction: str, role_id: str) -> PartyRow:
    role = model.roles.get(role_id)
    if role is None:
        return PartyRow(direction, role_id, role_id, "", "")
    return PartyRow(
        direction, role.id, marked(role.name, is_assumed(role)), role.category.capitalize(), role.description or ""
    )


def _data_item_row(use: e.DataItemUse, item: e.DataItem | None) -> DataItemRow:
    if item is None:
        return DataItemRow(use.ref, Named("(not in the model)"), "", "", "", "", use.group or "", "")
    size = []
    if item.length is not None:
        size.append(f"max {item.length}")
    if item.format:
        size.append(item.format)
    if item.unit:
        size.append(f"unit {item.unit}")
    return DataItemRow(
        item.id,
        Named(marked(item.name, is_assumed(item)), use.description or item.description),
        item.type,
        "\n".join(size),
        "M" if use.mandatory else "O",
        REPEATS.get(use.repeats, use.repeats),
        use.group or "",
        item.valid_set or "",
        (item.classification or "").capitalize(),
    )
