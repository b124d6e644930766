"""The data catalogue view: the cover and every sheet of `catalogue/data_catalogue.xlsx`,
as titled tables of plain values."""

from __future__ import annotations

from dataclasses import dataclass

from mhhsarch import __version__
from mhhsarch.model import entities as e
from mhhsarch.model.entities import CLASSIFICATION_ORDER
from mhhsarch.model.model import Model
from mhhsarch.render.views.common import Fact, model_label, render_date, time_format

TYPES = ("string", "integer", "decimal", "boolean", "date", "datetime", "time", "enum")
YES_NO = ("Yes", "No")

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # in spreadsheet character widths
    choices: tuple[str, ...] = ()  # the values a cell may take (list validation)


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    matrix: bool = False  # an entity x entity matrix: rotated headers, two frozen columns
    repeat_columns: int = 1  # the leading columns printed on every page of a wide sheet


@dataclass(frozen=True)
class CatalogueView:
    title: str
    document_title: str
    facts: tuple[Fact, ...]
    legend: tuple[Fact, ...]
    sheets: tuple[Sheet, ...]
    sources: tuple[str, ...]
    classification: str = "public"  # the catalogue's own classification (mhhsarch.yaml)


LEGEND = (
    Fact(
        "Data Items",
        "Every data item: type, size (length; a decimal's precision and scale; how a date or time is written, "
        "in ISO 8601), valid set, the role that masters it, how many interfaces carry it, and "
        "for the DIP: its block (common: the CommonBlock header; custom: the payload) and who populates it "
        "(the sender in the IF it submits, or the DIP in the PUB it delivers).",
    ),
    Fact("Valid Sets", "The codes an enumerated data item may take, one row per code."),
    Fact(
        "Interface x Data Item",
        "M: the interface carries the item and it is mandatory; O: optional; C: conditional (the condition is "
        "in the interface specification); blank: not carried.",
    ),
    Fact(
        "Role x Interface",
        "P: the role publishes (sends) the interface (every sender is marked); C: the role consumes (receives) it.",
    ),
    Fact("Process x Interface", "The steps of the process that send the interface; blank: not used."),
    Fact(
        "Entities",
        "The logical data model: every entity, one row per relationship to another entity, and how many "
        "data items belong to it.",
    ),
    Fact("Filters", "Every sheet has filters on its header row, which stays in view when scrolling."),
    Fact(
        "Printing",
        "Sheets print landscape on A4; a sheet too wide for one page prints across several, with its "
        "header row and its identifying columns repeated on every page.",
    ),
)


def catalogue_view(
    model: Model,
    interfaces: list[e.Interface],
    processes: list[e.Process],
    roles: list[e.Role],
    tranche: int | None,
    epoch: int,
) -> CatalogueView:
    """The catalogue of the interfaces and processes in scope (all of them, or one tranche's)."""
    if tranche is None:
        items = list(model.data_items.values())
    else:
        wanted = {u.ref for i in interfaces for u in i.data_items}
        items = [d for d in model.data_items.values() if d.id in wanted]
    set_ids = {d.valid_set for d in items if d.valid_set}
    valid_sets = [v for v in model.valid_sets.values() if tranche is None or v.id in set_ids]
    used_by: dict[str, list[str]] = {}
    for interface in interfaces:
        for use in interface.data_items:
            used_by.setdefault(use.ref, []).append(interface.id)
    config = model.config

    data_items = Sheet(
        "Data Items",
        (
            Column("ID", 10),
            Column("Name", 32),
            Column("Type", 10, TYPES),
            Column("Length", 8),
            Column("Precision", 9),
            Column("Scale", 7),
            Column("Format", 18),
            Column("Date/time format", 26),
            Column("Unit", 8),
            Column("Valid set", 24),
            Column("Owner role", 11),
            Column("Owner role name", 26),
            Column("Classification", 14, CLASSIFICATION_ORDER),
            Column("Personal data", 10, YES_NO),
            Column("Entity", 22),
            Column("DTC ref", 10),
            Column("DIP block", 10, ("common", "custom")),
            Column("Populated by", 10, ("sender", "dip")),
            Column("Used by (interfaces)", 11),
            Column("Interfaces", 40),
            Column("Description", 60),
        ),
        tuple(
            (
                d.id,
                d.name,
                d.type,
                d.length,
                d.precision,
                d.scale,
                d.format,
                time_format(d),
                d.unit,
                d.valid_set,
                d.owner,
                model.role_name(d.owner) if d.owner else None,
                d.classification,
                d.personal_data,
                d.entity,
                d.dtc_ref,
                d.block,
                d.populated_by,
                len(used_by.get(d.id, ())),
                ", ".join(used_by.get(d.id, ())),
                d.description,
            )
            for d in items
        ),
        repeat_columns=2,
    )
    codes = Sheet(
        "Valid Sets",
        (
            Column("Valid set", 28),
            Column("Set name", 30),
            Column("Code", 10),
            Column("Meaning", 40),
            Column("Description", 60),
        ),
        tuple((v.id, v.name, c.code, c.meaning, c.description) for v in valid_sets for c in v.values),
        repeat_columns=2,
    )
    interface_columns = tuple(Column(f"{i.id} {i.name}", 5.5) for i in interfaces)
    # the matrices are built a column (an interface) at a time, by dict lookups over all
    # the rows at once: 4,000 data items by 600 interfaces is 2.4 million cells
    item_ids, interface_ids = [d.id for d in items], [i.id for i in interfaces]
    carried = [map({u.ref: u.obligation for u in i.data_items}.get, item_ids) for i in interfaces]
    item_matrix = Sheet(
        "Interface x Data Item",
        (
            Column("Data item", 10),
            Column("Name", 32),
            *(Column(c.title, c.width, ("M", "O", "C")) for c in interface_columns),
        ),
        tuple(zip(item_ids, [d.name for d in items], *carried)),
        matrix=True,
        repeat_columns=2,
    )
    role_matrix = Sheet(
        "Role x Interface",
        (
            Column("Role", 10),
            Column("Role name", 30),
            *(Column(c.title, c.width, ("P", "C")) for c in interface_columns),
        ),
        tuple((r.id, r.name, *(_publishes_or_consumes(r.id, i) for i in interfaces)) for r in roles),
        matrix=True,
        repeat_columns=2,
    )
    process_matrix = Sheet(
        "Process x Interface",
        (Column("Process", 10), Column("Process name", 34), *interface_columns),
        tuple((p.id, p.name, *map(_steps_sending(p).get, interface_ids)) for p in processes),
        matrix=True,
        repeat_columns=2,
    )
    entities = _entities_sheet(model, items, tranche is None)
    sources = tuple(
        dict.fromkeys(
            (
                *(d.id for d in items),
                *(v.id for v in valid_sets),
                *(i.id for i in interfaces),
                *(p.id for p in processes),
                *(r.id for r in roles),
                *(ent_id for ent_id in dict.fromkeys(row[0] for row in entities.rows) if isinstance(ent_id, str)),
            )
        )
    )
    return CatalogueView(
        title="MHHS data catalogue",
        document_title=f"Data catalogue: {model_label(model)}",
        facts=(
            Fact("Model", config.name),
            Fact("Version", config.version or "unversioned"),
            Fact("Baseline", config.baseline or "none"),
            Fact("Scope", f"Tranche {tranche}" if tranche is not None else "All tranches"),
            Fact("Classification", config.classification.capitalize()),
            Fact("Publication date", render_date(epoch)),
            Fact("Produced by", f"mhhsarch {__version__}; do not edit, change the model instead"),
            Fact(
                "Contents",
                f"{len(items)} data items, {len(valid_sets)} valid sets, {len(interfaces)} interfaces, "
                f"{len(processes)} processes",
            ),
        ),
        legend=LEGEND,
        sheets=(data_items, codes, item_matrix, role_matrix, process_matrix, entities),
        sources=sources,
        classification=config.classification,
    )


def _entities_sheet(model: Model, items: list[e.DataItem], whole_model: bool) -> Sheet:
    """The logical data model: one row per relationship of each entity (an entity with
    none has one row), with how many of the catalogue's data items belong to it. For
    one tranche, only the entities its data items belong to and those they relate to."""
    counts: dict[str, int] = {}
    for item in items:
        if item.entity:
            counts[item.entity] = counts.get(item.entity, 0) + 1
    if whole_model:
        shown = list(model.entities.values())
    else:
        wanted = set(counts)
        wanted |= {r.to for ent in model.entities.values() if ent.id in counts for r in ent.relationships}
        shown = [ent for ent in model.entities.values() if ent.id in wanted]
    rows: list[tuple[Value, ...]] = []
    for ent in shown:
        first = (ent.id, ent.name, counts.get(ent.id, 0))
        if not ent.relationships:
            rows.append((*first, None, None, None, None, ent.description))
        for rel in ent.relationships:
            target = model.entities.get(rel.to)
            rows.append((*first, rel.cardinality, rel.name, rel.to, target.name if target else None, ent.description))
    return Sheet(
        "Entities",
        (
            Column("Entity", 30),
            Column("Entity name", 28),
            Column("Data items", 10),
            Column("Cardinality", 11, ("1:1", "1:N", "N:M")),
            Column("Relationship", 30),
            Column("Related entity", 30),
            Column("Related entity name", 28),
            Column("Description", 60),
        ),
        tuple(rows),
        repeat_columns=2,
    )


def _publishes_or_consumes(role_id: str, interface: e.Interface) -> str | None:
    if role_id in interface.senders:
        return "P"
    return "C" if role_id in interface.receivers else None


def _steps_sending(process: e.Process) -> dict[str, str]:
    """Interface id -> the steps of `process` that send it ("S1, S4")."""
    steps: dict[str, list[str]] = {}
    for step in process.steps:
        if step.interface is not None:
            steps.setdefault(step.interface, []).append(str(step.id))
    return {interface: ", ".join(ids) for interface, ids in steps.items()}
