"""The Excel data catalogue: `catalogue/data_catalogue.xlsx`.

Sheets: Cover (model, version, legend), Data Items, Valid Sets, and three matrices
(interface x data item: M/O; role x interface: P/C; process x interface: the steps
that send it). Every sheet has a styled, frozen header row, an autofilter and set
column widths; enumerated columns carry list validation.

No cell is ever a formula: every text cell is written as a string (openpyxl would
otherwise store text beginning with "=" as a formula, and "#N/A" as an error), and
text beginning with a character a spreadsheet reads as the start of a formula
(= + - @ tab CR, per OWASP's CSV injection guidance) also gets Excel's quote
prefix, so it stays text even when a reviewer edits the cell.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mhhsarch import __version__
from mhhsarch.model import entities as e
from mhhsarch.model.entities import CLASSIFICATION_ORDER
from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.documents.docxkit import render_date
from mhhsarch.render.documents.interface_spec import model_label
from mhhsarch.render.documents.text import clean
from mhhsarch.render.reproducible import normalised_zip

PATH = "catalogue/data_catalogue.xlsx"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32767  # characters Excel keeps in one cell
TYPES = ("string", "integer", "decimal", "boolean", "date", "datetime", "time", "enum")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
TITLE_FONT = Font(bold=True, size=16, color="1F3864")
LABEL_FONT = Font(bold=True)
THIN = Side(style="thin", color="A6B4CC")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(vertical="top", wrap_text=True)
ROTATED = Alignment(text_rotation=90, vertical="bottom", horizontal="center", wrap_text=True)
CENTRE = Alignment(horizontal="center", vertical="top")


def safe_text(value) -> str:
    text = clean(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "\u2026"


def put(ws, row: int, column: int, value, **style):
    """Write one cell; text is always a string cell, never a formula or an error."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, bool):
        value = "Yes" if value else "No"
    if isinstance(value, (int, float)):
        cell.value = value
    elif value is not None:
        text = safe_text(value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    for key, setting in style.items():
        setattr(cell, key, setting)
    return cell


@dataclass(frozen=True)
class Col:
    title: str
    width: float
    choices: tuple[str, ...] = ()  # list validation for the column


def print_setup(ws, repeat_header: bool) -> None:
    """Printed (or converted to PDF): landscape A4, as wide as the page, header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat_header:
        ws.print_title_rows = "1:1"


def table_sheet(wb: Workbook, title: str, columns: list[Col], rows: list[list], header_rotated: bool = False):
    """A sheet holding one table: header row styled and frozen, autofilter, widths,
    list validation on enumerated columns."""
    ws = wb.create_sheet(title[:31])
    for c, col in enumerate(columns, 1):
        put(
            ws,
            1,
            c,
            col.title,
            font=HEADER_FONT,
            fill=HEADER_FILL,
            border=GRID,
            alignment=ROTATED if header_rotated and c > 2 else WRAP_TOP,
        )
        ws.column_dimensions[get_column_letter(c)].width = col.width
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            put(ws, r, c, value, border=GRID, alignment=CENTRE if header_rotated and c > 2 else WRAP_TOP)
    last_col = get_column_letter(max(len(columns), 1))
    last_row = max(len(rows) + 1, 2)
    ws.freeze_panes = "C2" if header_rotated else "B2"
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    if header_rotated:
        ws.row_dimensions[1].height = 160
    print_setup(ws, repeat_header=True)
    for c, col in enumerate(columns, 1):
        if col.choices and rows:
            letter = get_column_letter(c)
            formula = '"' + ",".join(col.choices) + '"'
            if len(formula) > 255:
                continue
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.add(f"{letter}2:{letter}{len(rows) + 1}")
            ws.add_data_validation(validation)
    return ws


def build_workbook(ctx: RenderContext) -> Workbook:
    model = ctx.model
    interfaces = ctx.interfaces
    processes = ctx.processes
    if ctx.options.tranche is None:
        items = list(model.data_items.values())
    else:
        wanted = {u.ref for i in interfaces for u in i.data_items}
        items = [d for d in model.data_items.values() if d.id in wanted]
    set_ids = {d.valid_set for d in items if d.valid_set}
    valid_sets = [v for v in model.valid_sets.values() if ctx.options.tranche is None or v.id in set_ids]
    used_by: dict[str, list[str]] = {}
    for interface in interfaces:
        for use in interface.data_items:
            used_by.setdefault(use.ref, []).append(interface.id)

    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    _cover(cover, ctx, len(items), len(valid_sets), len(interfaces), len(processes))

    yes_no = ("Yes", "No")
    table_sheet(
        wb,
        "Data Items",
        [
            Col("ID", 10),
            Col("Name", 32),
            Col("Type", 10, TYPES),
            Col("Length", 8),
            Col("Format", 18),
            Col("Unit", 8),
            Col("Valid set", 24),
            Col("Owner role", 11),
            Col("Owner role name", 26),
            Col("Classification", 14, CLASSIFICATION_ORDER),
            Col("Personal data", 10, yes_no),
            Col("Entity", 22),
            Col("DTC ref", 10),
            Col("Used by (interfaces)", 11),
            Col("Interfaces", 28),
            Col("Description", 60),
        ],
        [
            [
                d.id,
                d.name,
                d.type,
                d.length,
                d.format,
                d.unit,
                d.valid_set,
                d.owner,
                model.role_name(d.owner) if d.owner else None,
                d.classification,
                d.personal_data,
                d.entity,
                d.dtc_ref,
                len(used_by.get(d.id, ())),
                ", ".join(used_by.get(d.id, ())),
                d.description,
            ]
            for d in items
        ],
    )

    table_sheet(
        wb,
        "Valid Sets",
        [
            Col("Valid set", 28),
            Col("Set name", 30),
            Col("Code", 10),
            Col("Meaning", 40),
            Col("Description", 60),
        ],
        [[v.id, v.name, value.code, value.meaning, value.description] for v in valid_sets for value in v.values],
    )

    interface_cols = [Col(f"{i.id} {i.name}", 5.5) for i in interfaces]
    carried = {i.id: {u.ref: ("M" if u.mandatory else "O") for u in i.data_items} for i in interfaces}
    table_sheet(
        wb,
        "Interface x Data Item",
        [Col("Data item", 10), Col("Name", 32)] + [Col(c.title, c.width, ("M", "O")) for c in interface_cols],
        [[d.id, d.name] + [carried[i.id].get(d.id) for i in interfaces] for d in items],
        header_rotated=True,
    )

    roles = ctx.roles
    table_sheet(
        wb,
        "Role x Interface",
        [Col("Role", 10), Col("Role name", 30)] + [Col(c.title, c.width, ("P", "C")) for c in interface_cols],
        [[r.id, r.name] + [_pc(r.id, i) for i in interfaces] for r in roles],
        header_rotated=True,
    )

    table_sheet(
        wb,
        "Process x Interface",
        [Col("Process", 10), Col("Process name", 34)] + interface_cols,
        [[p.id, p.name] + [_steps(p, i.id) for i in interfaces] for p in processes],
        header_rotated=True,
    )

    when = datetime.fromtimestamp(ctx.options.source_date_epoch, tz=UTC).replace(tzinfo=None)
    props = wb.properties
    props.creator = props.lastModifiedBy = "mhhsarch"
    props.title = safe_text(f"Data catalogue: {model_label(model)}")
    props.created = props.modified = when
    return wb


def _pc(role_id: str, interface: e.Interface) -> str | None:
    if interface.sender == role_id:
        return "P"
    return "C" if role_id in interface.receivers else None


def _steps(process: e.Process, interface_id: str) -> str | None:
    steps = [str(s.id) for s in process.steps if s.interface == interface_id]
    return ", ".join(steps) or None


def _cover(ws, ctx: RenderContext, items: int, sets: int, interfaces: int, processes: int) -> None:
    model = ctx.model
    config = model.config
    tranche = ctx.options.tranche
    put(ws, 1, 1, "MHHS data catalogue", font=TITLE_FONT)
    facts = [
        ("Model", config.name),
        ("Version", config.version or "unversioned"),
        ("Baseline", config.baseline or "none"),
        ("Scope", f"Tranche {tranche}" if tranche is not None else "All tranches"),
        ("Date", render_date(ctx.options.source_date_epoch)),
        ("Produced by", f"mhhsarch {__version__}; do not edit, change the model instead"),
        ("Contents", f"{items} data items, {sets} valid sets, {interfaces} interfaces, {processes} processes"),
    ]
    row = 3
    for label, value in facts:
        put(ws, row, 1, label, font=LABEL_FONT)
        put(ws, row, 2, value)
        row += 1
    row += 1
    put(ws, row, 1, "Legend", font=Font(bold=True, size=12, color="1F3864"))
    legend = [
        (
            "Data Items",
            "Every data item: type, size, valid set, the role that masters it, and how many interfaces carry it.",
        ),
        ("Valid Sets", "The codes an enumerated data item may take, one row per code."),
        (
            "Interface x Data Item",
            "M: the interface carries the item and it is mandatory; O: optional; blank: not carried.",
        ),
        ("Role x Interface", "P: the role publishes (sends) the interface; C: the role consumes (receives) it."),
        ("Process x Interface", "The steps of the process that send the interface; blank: not used."),
        ("Filters", "Every sheet has filters on its header row, which stays in view when scrolling."),
    ]
    for label, text in legend:
        row += 1
        put(ws, row, 1, label, font=LABEL_FONT, alignment=WRAP_TOP)
        put(ws, row, 2, text, alignment=WRAP_TOP)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    print_setup(ws, repeat_header=False)


def write_catalogue(ctx: RenderContext) -> None:
    wb = build_workbook(ctx)
    buffer = io.BytesIO()
    wb.save(buffer)
    ctx.target(PATH).write_bytes(normalised_zip(buffer.getvalue(), ctx.options.source_date_epoch))


class CatalogueRenderer(Renderer):
    name = "catalogue"
    title = "Excel data catalogue (catalogue/data_catalogue.xlsx)"
    phase = 1

    def plan(self, ctx: RenderContext) -> list[Job]:
        sources = tuple(d for d in ctx.model.data_items) + tuple(ctx.model.valid_sets)
        return [Job("catalogue", [Artefact(PATH, "data-catalogue", sources)], lambda: write_catalogue(ctx))]
