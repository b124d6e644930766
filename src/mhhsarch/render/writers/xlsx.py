"""The Excel writer: a catalogue view as a workbook (openpyxl).

A cover sheet (facts and legend), then one sheet per table of the view: a styled,
frozen header row, an autofilter, set column widths, list validation on columns
whose values are enumerated, and a print set-up for paper: landscape A4, as many
pages wide as the sheet needs at a readable size (never one page squeezed to an
unreadable scale), the header row and the identifying columns repeated on every
page, the catalogue's classification in the page header. Every row is as tall as
its wrapped text needs: a spreadsheet program shows a row taller when it lays it
out, but a printout (or LibreOffice's PDF) takes the stored height and prints
wrapped lines over the next row.

No cell is ever a formula: every text cell is written as a string (openpyxl would
otherwise store text beginning with "=" as a formula, and "#N/A" as an error), and
text beginning with a character a spreadsheet reads as the start of a formula
(= + - @ tab CR, per OWASP's CSV injection guidance) also gets Excel's quote
prefix, so it stays text even when a reviewer edits the cell.
"""

from __future__ import annotations

import io
import math
import weakref
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from mhhsarch.render.documents.text import clean
from mhhsarch.render.reproducible import normalised_zip
from mhhsarch.render.views.catalogue import CatalogueView, Sheet
from mhhsarch.render.views.comment_form import CommentFormView
from mhhsarch.review.form import FORM_FACTS_SHEET, FORM_MARK, FORM_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32767  # characters Excel keeps in one cell
MAX_LIST_FORMULA = 255  # characters Excel allows in a list validation

HEADER_FONT = Font(name="Calibri", bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
TITLE_FONT = Font(name="Calibri", bold=True, size=16, color="1F3864")
SUBTITLE_FONT = Font(name="Calibri", bold=True, size=12, color="1F3864")
LABEL_FONT = Font(name="Calibri", bold=True)
THIN = Side(style="thin", color="A6B4CC")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(vertical="top", wrap_text=True)
ROTATED = Alignment(text_rotation=90, vertical="bottom", horizontal="center", wrap_text=True)
CENTRE = Alignment(horizontal="center", vertical="top")
# Row heights: the default font (Calibri 11) needs 15 points a line. A column width is
# in widths of the digit 0; text averages a little narrower, so a line holds about
# this many characters per unit of width (kept low: a row a little too tall is fine,
# one too short overprints the next).
LINE_HEIGHT = 15
CHARS_PER_WIDTH = 1.05
# What one landscape A4 page holds across, in column-width units: 190 prints at about
# 73 % (Calibri 11 at 8 points, readable); a wider sheet prints over several pages.
PAGE_WIDTH_UNITS = 190


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
    if style:
        _set_style(cell, style)
    return cell


# workbook -> {(the cell's style ids before, the style objects' ids): (the style objects,
# the style ids after)}
_STYLED: weakref.WeakKeyDictionary[Workbook, dict[tuple, tuple[tuple, StyleArray]]] = weakref.WeakKeyDictionary()


def _set_style(cell, style: dict) -> None:
    """Set a cell's font, border, alignment ... openpyxl finds each style object among the
    workbook's by its hash, which walks every attribute (a border's sides, their colours):
    for the catalogue's 100,000 cells that was three quarters of its time. So a
    combination is set once per workbook as openpyxl does it (the same ids, registered in
    the same order), and copied as the style ids it gave for every other cell. The style
    objects are kept with their ids, so no id is reused by another object meanwhile."""
    known = _STYLED.setdefault(cell.parent.parent, {})
    before = tuple(cell._style) if cell._style is not None else ()  # None: not styled yet
    key = (before, tuple((name, id(value)) for name, value in style.items()))
    found = known.get(key)
    if found is None:
        for name, value in style.items():
            setattr(cell, name, value)
        known[key] = (tuple(style.values()), StyleArray(cell._style))
    else:
        cell._style = StyleArray(found[1])


def lines_needed(value, width: float) -> int:
    """How many lines a wrapped cell of `width` needs for `value`."""
    if value is None or isinstance(value, (int, float)):
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in safe_text(value).split("\n"))


def pages_wide(widths: list[float], repeated: int) -> int:
    """The pages a sheet of these column widths needs across, its first `repeated`
    columns printed on each of them."""
    fixed = sum(widths[:repeated])
    rest = sum(widths[repeated:])
    return max(1, math.ceil(rest / max(PAGE_WIDTH_UNITS - fixed, 40))) if rest else 1


def print_setup(
    ws, repeat_header: bool, classification: str, wide: int = 1, repeat_columns: int = 0, title: str = ""
) -> None:
    """Printed (or converted to PDF): landscape A4, `wide` pages across and as many down
    as needed, the header row and `repeat_columns` leading columns on every page, the
    classification and the sheet's title in the page header, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.pageOrder = "overThenDown"
    if repeat_header:
        ws.print_title_rows = "1:1"
    if repeat_columns:
        ws.print_title_cols = f"A:{get_column_letter(repeat_columns)}"
    ws.oddHeader.left.text = safe_text(title).replace("&", "&&")
    ws.oddHeader.right.text = classification.upper()
    ws.oddFooter.right.text = "Page &P of &N"


def table_sheet(wb: Workbook, sheet: Sheet, classification: str = "public", title: str = ""):
    """A sheet holding one table: header row styled and frozen, autofilter, widths,
    rows as tall as their wrapped text, list validation on enumerated columns."""
    ws = wb.create_sheet(sheet.title[:31])
    rotated = sheet.matrix
    for c, col in enumerate(sheet.columns, 1):
        put(
            ws,
            1,
            c,
            col.title,
            font=HEADER_FONT,
            fill=HEADER_FILL,
            border=GRID,
            alignment=ROTATED if rotated and c > 2 else WRAP_TOP,
        )
        ws.column_dimensions[get_column_letter(c)].width = col.width
    for r, row in enumerate(sheet.rows, 2):
        lines = 1
        for c, value in enumerate(row, 1):
            centred = rotated and c > 2
            if centred and value is None:
                # an empty matrix cell is not stored at all: a matrix of 600 interfaces by
                # 4,000 data items is 2.4 million cells, nearly all empty, and styling each
                # took a minute and a gigabyte; the grid is printed instead (print_options)
                continue
            put(ws, r, c, value, border=GRID, alignment=CENTRE if centred else WRAP_TOP)
            if not centred:
                lines = max(lines, lines_needed(value, sheet.columns[c - 1].width))
        ws.row_dimensions[r].height = lines * LINE_HEIGHT
    last_col = get_column_letter(max(len(sheet.columns), 1))
    last_row = max(len(sheet.rows) + 1, 2)
    ws.freeze_panes = "C2" if rotated else "B2"
    if rotated:
        ws.print_options.gridLines = True
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    if rotated:
        ws.row_dimensions[1].height = 160
    else:
        ws.row_dimensions[1].height = max(lines_needed(c.title, c.width) for c in sheet.columns) * LINE_HEIGHT
    widths = [c.width for c in sheet.columns]
    print_setup(
        ws,
        True,
        classification,
        pages_wide(widths, sheet.repeat_columns),
        sheet.repeat_columns,
        f"{title}: {sheet.title}" if title else sheet.title,
    )
    for c, col in enumerate(sheet.columns, 1):
        if col.choices and sheet.rows:
            letter = get_column_letter(c)
            formula = '"' + ",".join(col.choices) + '"'
            if len(formula) > MAX_LIST_FORMULA:
                continue
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.add(f"{letter}2:{letter}{len(sheet.rows) + 1}")
            ws.add_data_validation(validation)
    return ws


def _cover(ws, view: CatalogueView) -> None:
    put(ws, 1, 1, view.title, font=TITLE_FONT)
    row = 3
    for fact in view.facts:
        put(ws, row, 1, fact.label, font=LABEL_FONT)
        put(ws, row, 2, fact.value)
        row += 1
    row += 1
    put(ws, row, 1, "Legend", font=SUBTITLE_FONT)
    for fact in view.legend:
        row += 1
        put(ws, row, 1, fact.label, font=LABEL_FONT, alignment=WRAP_TOP)
        put(ws, row, 2, fact.value, alignment=WRAP_TOP)
        ws.row_dimensions[row].height = lines_needed(fact.value, 100) * LINE_HEIGHT
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    print_setup(ws, False, view.classification, title=view.title)


def build_workbook(view: CatalogueView, epoch: int) -> Workbook:
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    _cover(cover, view)
    for sheet in view.sheets:
        table_sheet(wb, sheet, view.classification, view.title)
    when = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
    props = wb.properties
    props.creator = props.lastModifiedBy = "mhhsarch"
    props.title = safe_text(view.document_title)
    props.created = props.modified = when
    return wb


def write_xlsx(view: CatalogueView, target: Path, epoch: int) -> None:
    buffer = io.BytesIO()
    build_workbook(view, epoch).save(buffer)
    target.write_bytes(normalised_zip(buffer.getvalue(), epoch))


# --- the comment form (forms/tranche-N-round-R-comments.xlsx) -------------------------------

TEAM_FILL = PatternFill("solid", fgColor="D9D9D9")
TEAM_HEADER_FILL = PatternFill("solid", fgColor="595959")
UNLOCKED = Protection(locked=False)


def build_comment_form(view: CommentFormView, epoch: int) -> Workbook:
    """Instructions, the Comments sheet (header locked, every other cell open, drop-downs
    on the prepared rows), the Lists its drop-downs read (hidden) and the Form facts
    (hidden) that tell the importer which tranche and round a returned form is for."""
    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    _form_instructions(instructions, view)
    comments = wb.create_sheet(FORM_SHEET)
    lists = wb.create_sheet(LISTS_SHEET)
    facts = wb.create_sheet(FORM_FACTS_SHEET)
    names = _form_lists(wb, lists, view)
    _form_comments(comments, view, names)
    put(facts, 1, 1, FORM_MARK)
    for r, (label, value) in enumerate((("tranche", view.tranche), ("round", view.round)), 2):
        put(facts, r, 1, label)
        put(facts, r, 2, value)
    lists.sheet_state = facts.sheet_state = "hidden"
    wb.active = 1
    when = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
    props = wb.properties
    props.creator = props.lastModifiedBy = "mhhsarch"
    props.title = safe_text(view.document_title)
    props.identifier = f"tranche-{view.tranche}-round-{view.round}"
    props.subject = "Comment form"
    props.created = props.modified = when
    return wb


def _form_instructions(ws, view: CommentFormView) -> None:
    put(ws, 1, 1, view.title, font=TITLE_FONT)
    row = 3
    for fact in view.facts:
        put(ws, row, 1, fact.label, font=LABEL_FONT, alignment=WRAP_TOP)
        put(ws, row, 2, fact.value, alignment=WRAP_TOP)
        row += 1
    for heading, facts in (
        ("How to fill it in", tuple((s.label, s.value) for s in view.steps)),
        ("The columns", tuple((c.title, c.help) for c in view.columns)),
        ("Statuses (the design team's answer)", tuple((s.label, s.value) for s in view.statuses)),
    ):
        row += 1
        put(ws, row, 1, heading, font=SUBTITLE_FONT)
        for label, value in facts:
            row += 1
            put(ws, row, 1, label, font=LABEL_FONT, alignment=WRAP_TOP)
            put(ws, row, 2, value, alignment=WRAP_TOP)
            ws.row_dimensions[row].height = max(lines_needed(value, 100), lines_needed(label, 30)) * LINE_HEIGHT
        row += 1
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    print_setup(ws, False, view.classification, title=view.title)


def _form_lists(wb: Workbook, ws, view: CommentFormView) -> dict[str, str]:
    """The drop-downs' lists, a column each, and a workbook name for each list: the
    artefacts, constituencies and statuses, then one column of anchors per artefact
    (named by `FormArtefact.name`, for the Anchor column's INDIRECT)."""
    columns: list[tuple[str, str, tuple[str, ...]]] = [
        ("Artefacts", "Artefacts", tuple(a.choice for a in view.artefacts)),
        ("Constituencies", "Constituencies", view.constituencies),
        ("Statuses", "Statuses", tuple(s.label for s in view.statuses)),
    ]
    columns += [(a.id, a.name, a.anchors) for a in view.artefacts]
    names = {}
    for c, (title, name, values) in enumerate(columns, 1):
        letter = get_column_letter(c)
        put(ws, 1, c, title, font=LABEL_FONT)
        for r, value in enumerate(values, 2):
            put(ws, r, c, value)
        last = max(len(values), 1) + 1
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${last}"
        )
        names[title] = name
        ws.column_dimensions[letter].width = 40
    return names


def _form_comments(ws, view: CommentFormView, names: dict[str, str]) -> None:
    letters = {}
    for c, col in enumerate(view.columns, 1):
        letter = letters[col.key] = get_column_letter(c)
        put(
            ws,
            1,
            c,
            col.title,
            font=HEADER_FONT,
            fill=TEAM_HEADER_FILL if col.team else HEADER_FILL,
            border=GRID,
            alignment=WRAP_TOP,
        )
        dimension = ws.column_dimensions[letter]
        dimension.width = col.width
        dimension.protection = UNLOCKED  # every cell but the header's is open to the reviewer
        dimension.alignment = WRAP_TOP
        if col.team:
            dimension.fill = TEAM_FILL
    ws.row_dimensions[1].height = 2 * LINE_HEIGHT
    ws.freeze_panes = "A2"
    last_col = get_column_letter(len(view.columns))
    last_row = view.rows + 1
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    ws.protection.sheet = True
    # what a reviewer may still do on the protected sheet: filter, sort, size and add rows
    for allowed in ("autoFilter", "sort", "formatColumns", "formatRows", "insertRows", "deleteRows"):
        setattr(ws.protection, allowed, False)

    def validation(key: str, formula: str, title: str, message: str, strict: bool = True) -> None:
        if key not in letters:
            return
        check = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            errorTitle=title,
            error=message,
        )
        check.add(f"{letters[key]}2:{letters[key]}{last_row}")
        ws.add_data_validation(check)

    artefact = letters.get("artefact", "A")
    validation("artefact", names["Artefacts"], "Artefact", "Choose one of the artefacts this round issued.")
    validation(
        "anchor",
        f'INDIRECT("A_"&SUBSTITUTE(LEFT(${artefact}2,FIND(" ",${artefact}2&" ")-1),"-","_"))',
        "Anchor",
        "Not an anchor of the artefact chosen: choose one from the list, or leave it empty for the whole document.",
        strict=False,
    )
    validation("constituency", names["Constituencies"], "Constituency", "Choose your constituency from the list.")
    validation("status", names["Statuses"], "Status", "Choose one of the statuses.")
    print_setup(ws, True, view.classification, pages_wide([c.width for c in view.columns], 1), 1, view.title)


def write_comment_form(view: CommentFormView, target: Path, epoch: int) -> None:
    buffer = io.BytesIO()
    build_comment_form(view, epoch).save(buffer)
    target.write_bytes(normalised_zip(buffer.getvalue(), epoch))
