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
    audience_text,
    cardinality,
    document_control,
    document_number,
    glossary,
    highest,
    is_assumed,
    item_size,
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
    size: str  # length, precision, date/time format, pattern and unit, one per line
    mandatory: str  # "M", "O" or "C"
    condition: str  # when a conditional ("C") item is present; "" otherwise
    repeats: str
    group: str
    valid_set: str
    classification: str = ""  # the data item's own classification ("Internal")


@dataclass(frozen=True)
class HeaderItemRow:
    """A field of the DIP CommonBlock header: who fills it, and whether it must be in
    the message the sender submits (IF-nnn) and in the publication the DIP delivers (PUB-nnn)."""

    id: str
    name: Named
    type: str
    size: str
    group: str
    populated_by: str  # "Sender" or "DIP"
    submitted: str  # in the sender's IF-nnn: "M", "O", "C", or "-" when the DIP fills it
    delivered: str  # in the DIP's PUB-nnn: "M", "O" or "C"
    condition: str  # when a conditional ("C") field is present; "" otherwise
    repeats: str


@dataclass(frozen=True)
class DtcGroupRow:
    """A group of the DTC flow, in flow order: level 1 is the top of the hierarchy."""

    id: str
    name: str
    level: int
    repeats: str  # in words, as a data item's ("Once", "One or more")
    items: tuple[str, ...]  # "DI-280 Demand Control Event Id": the data items the interface puts in it


@dataclass(frozen=True)
class DtcFlowView:
    """The legacy Data Transfer Catalogue flow an interface on the DTN is."""

    ref: str  # "D0387"
    version: str  # "001"
    title: str  # "D0387 version 001"
    groups: tuple[DtcGroupRow, ...]


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
    audience: str  # who of the recipients gets it, in words; "" when all of them do
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
    data_items: tuple[DataItemRow, ...]  # the payload (CustomBlock); the DIP header is in header_items
    submitted_as: str  # over the DIP: the message the sender submits ("IF-021"); "" otherwise
    delivered_as: str  # over the DIP: the publication the DIP delivers ("PUB-021"); "" otherwise
    header_summary: str  # "" when the interface carries no DIP header
    header_items: tuple[HeaderItemRow, ...]  # the DIP CommonBlock header, shown once in its own section
    dtc_flow: DtcFlowView | None  # for a DTC flow kept on the DTN: its reference, version and groups
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
        Fact(
            "Senders" if len(interface.senders) > 1 else "Sender",
            and_list(role_label(model, r) for r in interface.senders),
        ),
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


def interface_spec_view(
    model: Model, graph: ModelGraph, interface: e.Interface, epoch: int, revisions=()
) -> InterfaceSpecView:
    """The view of `interface`; `revisions`: its version history from git (change/history.py)."""
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
        keywords=" ".join(dict.fromkeys((i.id, *i.senders, *i.receivers, i.transport))),
        number=document_number("IFS", i.id),
    )
    items = [item for _, item in uses if item is not None]
    personal = [item for item in items if item.personal_data]
    # Over the DIP a message is {CommonBlock, CustomBlock}: the header is shown once, in
    # its own section, and the data item table holds the payload.
    over_dip = i.transport == "DIP"
    header = [(use, item) for use, item in uses if over_dip and item is not None and item.in_header]
    payload = [(use, item) for use, item in uses if not (over_dip and item is not None and item.in_header)]
    number = i.id.split("-", 1)[1]
    # the data items of a DTC flow name their group by its id: show "01A Demand Control Event"
    group_names = {g.id: f"{g.id} {g.name}" for g in i.dtc_flow.groups} if i.dtc_flow else {}
    submitted_as, delivered_as = (f"IF-{number}", f"PUB-{number}") if over_dip else ("", "")
    volumes = i.volumetrics
    per_day, typical = volumes.messages_per_day, volumes.payload_typical
    known = per_day is not None and typical is not None
    sources = tuple(
        dict.fromkeys(
            (
                i.id,
                *dict.fromkeys((*i.senders, *i.receivers)),
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
        control=document_control(model, info, i, comments, i.tranche, revisions),
        description=paragraphs(i.description),
        notes=i.notes.strip() if i.notes else None,
        assumed=i.assumed,
        parties_sentence=marked(_parties_sentence(model, i), whole),
        parties=(
            *(_party(model, "Sender", r) for r in i.senders),
            *(_party(model, "Receiver", r) for r in i.receivers),
        ),
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
            Fact("May publish", ", ".join(role_label(model, r) for r in i.senders)),
            Fact("May consume", ", ".join(role_label(model, r) for r in i.receivers)),
        ),
        data_summary=_data_summary(payload, bool(header)),
        data_items=tuple(_data_item_row(use, item, group_names) for use, item in payload),
        submitted_as=submitted_as,
        delivered_as=delivered_as,
        header_summary=_header_summary(header, submitted_as, delivered_as),
        header_items=tuple(_header_item_row(use, item) for use, item in header),
        dtc_flow=_dtc_flow(i, uses),
        usages=tuple(_usage(model, p, steps_of[p.id], i.id) for p in processes),
        where_used=tuple(
            UseRow(
                Named(p.id, p.name),
                str(s.id),
                s.name,
                s.actor,
                ", ".join(s.to or i.receivers),
                audience_text(model, p, s),
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


def _parties_sentence(model: Model, interface: e.Interface) -> str:
    senders = and_list(role_label(model, r) for r in interface.senders)
    receivers = and_list(role_label(model, r) for r in interface.receivers)
    if len(interface.senders) > 1:
        return f"{senders} each send this interface to {receivers}."
    return f"{senders} sends this interface to {receivers}."


def _data_summary(payload: list, has_header: bool) -> str:
    counts = {"M": 0, "O": 0, "C": 0}
    for use, _ in payload:
        counts[use.obligation] += 1
    split = f"{counts['M']} mandatory, {counts['O']} optional" + (f", {counts['C']} conditional" if counts["C"] else "")
    what = "The payload (CustomBlock) carries" if has_header else "The interface carries"
    return f"{what} {len(payload)} data items ({split}), in this order."


def _header_summary(header: list, submitted_as: str, delivered_as: str) -> str:
    if not header:
        return ""
    by_dip = sum(1 for _, item in header if item.populated_by == "dip")
    fields = f"Every DIP message starts with the CommonBlock header; this interface uses {len(header)} of its fields."
    if not by_dip:
        return f"{fields} The sender fills all of them in the message it submits ({submitted_as})."
    return (
        f"{fields} The sender fills {len(header) - by_dip} of them in the message it submits ({submitted_as}); "
        f"the DIP adds the other {by_dip} to the publication it delivers ({delivered_as}), so they are not part "
        "of the sender's message."
    )


def _header_item_row(use: e.DataItemUse, item: e.DataItem) -> HeaderItemRow:
    row = _data_item_row(use, item)
    by_dip = item.populated_by == "dip"
    return HeaderItemRow(
        row.id,
        row.name,
        row.type,
        row.size,
        row.group,
        "DIP" if by_dip else "Sender",
        "-" if by_dip else use.obligation,
        use.obligation,
        row.condition,
        row.repeats,
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
    rows += [assumption_row(model.roles.get(r), "market role") for r in dict.fromkeys((*i.senders, *i.receivers))]
    rows += [assumption_row(item, "data item") for item in {item.id: item for item in items}.values()]
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
                        cardinality(use.repeats),
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


def _dtc_flow(interface: e.Interface, uses: list) -> DtcFlowView | None:
    flow = interface.dtc_flow
    if flow is None:
        return None
    groups = tuple(
        DtcGroupRow(
            g.id,
            g.name,
            g.level,
            cardinality(g.repeats),
            tuple(f"{use.ref} {item.name}" if item else use.ref for use, item in uses if use.group == g.id),
        )
        for g in flow.groups
    )
    return DtcFlowView(flow.ref, flow.version, f"{flow.ref} version {flow.version}", groups)


def _data_item_row(
    use: e.DataItemUse, item: e.DataItem | None, group_names: dict[str, str] | None = None
) -> DataItemRow:
    group = (group_names or {}).get(use.group or "", use.group or "")
    if item is None:
        return DataItemRow(
            use.ref, Named("(not in the model)"), "", "", use.obligation, use.condition or "", "", group, ""
        )
    return DataItemRow(
        item.id,
        Named(marked(item.name, is_assumed(item)), use.description or item.description),
        item.type,
        item_size(item),
        use.obligation,
        use.condition or "",
        cardinality(use.repeats),
        group,
        item.valid_set or "",
        (item.classification or "").capitalize(),
    )
