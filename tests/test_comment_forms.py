"""Comment forms (`comment-forms` renderer): one workbook per review round, read back with
openpyxl, byte-identical from run to run, and opened by the real LibreOffice; and the
Word documents' bookmarks on every anchor (read back from the DOCX XML)."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import REPO, copy_model
from mhhsarch.cli import app
from mhhsarch.render.documents import pdf
from mhhsarch.render.registry import renderer_names
from mhhsarch.review import anchors
from mhhsarch.review import form as f
from mhhsarch.source.loader import load_model

EPOCH = "1700000000"
FORMULA = "=cmd|' /C calc'!A0"


def _render(model: Path, out: Path, *only: str, select: str | None = None) -> None:
    args = ["render", str(model), "--out", str(out), "--only", ",".join(only), "-j", "1"]
    result = CliRunner().invoke(app, args + (["--select", select] if select else []), env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    root = tmp_path_factory.mktemp("forms")
    model_dir = copy_model(root / "model")
    # a constituency that a spreadsheet would run as a formula, to show it stays text
    config = model_dir / "mhhsarch.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["constituencies"] = ["Supplier – Large", "Supplier – Small", "Other – Code Body", FORMULA]
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tranches = model_dir / "tranches.yaml"
    tranches.write_text(tranches.read_text(encoding="utf-8").replace("[BP005, IF-021]", "[BP005, IF-021, CATALOGUE]"))
    assert "CATALOGUE" in tranches.read_text(encoding="utf-8")
    _render(model_dir, root / "out", "comment-forms")
    _render(model_dir, root / "again", "comment-forms")
    return {"root": root, "out": root / "out", "again": root / "again", "model": load_model(model_dir).model}


def test_the_renderer_is_registered():
    assert "comment-forms" in renderer_names()


def test_one_form_per_review_round_byte_identical(forms):
    written = sorted(p.name for p in (forms["out"] / "forms").iterdir())
    assert written == ["tranche-1-round-1-comments.xlsx", "tranche-1-round-2-comments.xlsx"]
    for name in written:
        assert (forms["out"] / "forms" / name).read_bytes() == (forms["again"] / "forms" / name).read_bytes(), name
    manifest = (forms["out"] / "manifest.json").read_text(encoding="utf-8")
    assert "forms/tranche-1-round-2-comments.xlsx" in manifest


def _lists(wb) -> dict[str, list[str]]:
    """Every workbook name's list, as the cells it points at."""
    found = {}
    for name, defined in wb.defined_names.items():
        sheet, cells = next(iter(defined.destinations))
        found[name] = [c.value for row in wb[sheet][cells.replace("$", "")] for c in row if c.value is not None]
    return found


def test_the_sheets_columns_and_protection(forms):
    wb = load_workbook(forms["out"] / "forms/tranche-1-round-1-comments.xlsx")
    assert wb.sheetnames == ["Instructions", "Comments", "Lists", "Form"]
    assert wb["Lists"].sheet_state == "hidden" and wb["Form"].sheet_state == "hidden"
    ws = wb["Comments"]
    assert [c.value for c in ws[1]] == [c.title for c in f.COLUMNS]
    assert ws.freeze_panes == "A2"
    assert ws.protection.sheet and not ws.protection.autoFilter  # protected, filters still allowed
    assert all(cell.protection.locked for cell in ws[1])  # the header is locked ...
    for c, column in enumerate(f.COLUMNS, 1):  # ... every other cell is open to the reviewer
        letter = ws.cell(1, c).column_letter
        assert ws.column_dimensions[letter].protection.locked is False, letter
        assert ws.column_dimensions[letter].width == column.width
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules["A2:A1001"].formula1 == "Artefacts" and rules["A2:A1001"].errorStyle == "stop"
    assert rules["B2:B1001"].formula1.startswith('INDIRECT("A_"&SUBSTITUTE(LEFT($A2')
    assert rules["D2:D1001"].formula1 == "Constituencies"
    assert rules["H2:H1001"].formula1 == "Statuses"
    facts = [[c.value for c in row] for row in wb["Form"].iter_rows(max_col=2)]
    assert facts == [[f.FORM_MARK, None], ["tranche", 1], ["round", 1]]


def test_the_drop_downs_offer_what_the_round_issued(forms):
    model = forms["model"]
    for round_number, issued in (
        (1, ["BP005", "IF-018", "IF-021", "BRS007"]),  # no list: the tranche's documents
        (2, ["BP005", "IF-021", "CATALOGUE"]),  # its list, the catalogue included
    ):
        wb = load_workbook(forms["out"] / f"forms/tranche-1-round-{round_number}-comments.xlsx")
        lists = _lists(wb)
        assert lists["Artefacts"] == [anchors.artefact(model, a).choice for a in issued]
        for artefact in issued:
            expected = [a.choice for a in anchors.anchors(model, artefact)]
            assert lists[f.defined_name(artefact)] == expected, artefact
        assert lists["Statuses"] == [title for _, title, _ in f.STATUSES]
    instructions = " ".join(
        str(c.value)
        for row in load_workbook(forms["out"] / "forms/tranche-1-round-2-comments.xlsx")["Instructions"].iter_rows()
        for c in row
        if c.value
    )
    assert "2022-03-28 to 2022-04-08" in instructions
    for _, title, _ in f.STATUSES:
        assert title in instructions


def test_no_cell_is_a_formula(forms):
    wb = load_workbook(forms["out"] / "forms/tranche-1-round-1-comments.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    hostile = [c for c in cells if c.value == FORMULA]
    assert hostile and all(c.quotePrefix for c in hostile)
    assert FORMULA in _lists(wb)["Constituencies"]


def test_libreoffice_opens_the_form_and_keeps_its_drop_downs(forms, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = tmp_path / "in" / "form.xlsx"
    source.parent.mkdir()
    shutil.copyfile(forms["out"] / "forms/tranche-1-round-1-comments.xlsx", source)
    pdf.convert_batch([source], tmp_path / "out", tmp_path, target='xlsx:"Calc MS Excel 2007 XML"'.replace('"', ""))
    back = load_workbook(tmp_path / "out" / "form.xlsx")
    assert back.sheetnames == ["Instructions", "Comments", "Lists", "Form"]
    rules = {str(dv.sqref): dv.formula1 for dv in back["Comments"].data_validations.dataValidation}
    assert rules["A2:A1001"] == "Artefacts" and rules["B2:B1001"].startswith("INDIRECT(")
    assert back["Comments"].protection.sheet
    assert back["Comments"].column_dimensions["A"].protection.locked is False
    assert "A_BP005" in back.defined_names


# --- Word bookmarks ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """IF-021 and BP005 of the shipped model (valid sets with codes, DIP header items, eight steps)."""
    root = tmp_path_factory.mktemp("bookmarks")
    model_dir = root / "model"
    shutil.copytree(REPO / "model", model_dir)
    _render(model_dir, root / "out", "specs", "process-docs", select="IF-021 BP005")
    _render(model_dir, root / "again", "specs", "process-docs", select="IF-021 BP005")
    return {"out": root / "out", "again": root / "again", "model": load_model(model_dir).model}


def _bookmarks(path: Path) -> tuple[list[tuple[str, str]], str]:
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    return re.findall(r'<w:bookmarkStart w:id="(\d+)" w:name="([^"]+)"/>', xml), xml


def _text(xml: str) -> str:
    return "".join(
        re.findall(r"<w:t[^>]*>([^<]*)</w:t>|<w:noBreakHyphen/>", xml.replace("<w:noBreakHyphen/>", "<w:t>-</w:t>"))
    )


@pytest.mark.parametrize(("artefact", "path"), [("IF-021", "specs/IF-021.docx"), ("BP005", "processes/BP005.docx")])
def test_every_anchor_in_the_document_has_its_bookmark(documents, artefact, path):
    marks, xml = _bookmarks(documents["out"] / path)
    ids = [i for i, _ in marks]
    assert len(ids) == len(set(ids)), "bookmark ids are unique"
    names = {n for _, n in marks}
    ends = set(re.findall(r'<w:bookmarkEnd w:id="(\d+)"/>', xml))
    assert set(ids) <= ends, "every bookmark is closed"
    text = _text(xml)
    listed = anchors.anchors(documents["model"], artefact)
    missing = []
    for anchor in listed:
        shown = anchor.id.split(":", 1)[-1] if anchor.id.startswith(("step:", "ROLE:")) else anchor.id
        if anchor.id.startswith("section:"):
            shown = anchor.label
        if shown in text and anchors.bookmark_name(anchor.id) not in names:
            missing.append(anchor.id)
    assert not missing
    # each kind of anchor is there at least once
    kinds = {re.match(r"[A-Za-z]+", a.id).group() for a in listed if anchors.bookmark_name(a.id) in names}
    assert {"section", "ROLE"} <= kinds
    listed_kinds = {re.match(r"[A-Za-z]+", a.id).group() for a in listed}
    assert listed_kinds & {"step", "DI", "VS"} <= kinds
    assert ("step" in kinds) if artefact == "BP005" else ("DI" in kinds)
    assert (documents["out"] / path).read_bytes() == (documents["again"] / path).read_bytes()


def test_a_step_bookmark_spans_its_row_and_a_section_its_section(documents):
    _, xml = _bookmarks(documents["out"] / "processes/BP005.docx")
    step = anchors.bookmark_name("step:2")
    start = re.search(rf'<w:bookmarkStart w:id="(\d+)" w:name="{step}"/>', xml)
    assert start
    row_start = xml.rfind("<w:tr", 0, start.start())
    row_end = xml.find("</w:tr>", start.end())
    assert f'<w:bookmarkEnd w:id="{start.group(1)}"/>' in xml[start.end() : row_end]
    assert "<w:tc>" in xml[row_start : start.start()] or "<w:tc " in xml[row_start : start.start()]
    steps = re.search(rf'<w:bookmarkStart w:id="(\d+)" w:name="{anchors.bookmark_name("section:steps")}"/>', xml)
    end = xml.find(f'<w:bookmarkEnd w:id="{steps.group(1)}"/>')
    assert steps.start() < start.start() < end  # the step's row lies inside the Steps section
