"""Documents fit to issue (issue 11, the document format): read back from a real render
of the SHIPPED model (`model/`) and of the fixture, through the CLI and LibreOffice.

- diagrams are vector (SVG with a PNG fallback) and no diagram text prints below 7 pt
  (measured in the PDFs from the text matrices: `tests/pdf_text.py` says how);
- headers and properties carry the repository's classification;
- the version history dates a version by its approval, never by the render;
- assumed facts are marked and listed, illustrative comments say so;
- DTN flows are point to point, with their DTC structure;
- the catalogue prints without overprinting, its matrices readable, with an Entities sheet;
- references, glossary, cover page with a document number, ids that do not break;
- PDFs are tagged; every DIP interface's sample message validates against its schema.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from docx import Document
from openpyxl import load_workbook

import pdf_text
from conftest import REPO, copy_model
from mhhsarch.pipeline import check_model
from mhhsarch.render.base import RenderContext, RenderOptions
from mhhsarch.render.documents import pdf
from mhhsarch.render.templates import BUNDLED
from mhhsarch.render.views import as_data, payload
from mhhsarch.render.writers import docx as docx_writer

EPOCH = "1700000000"  # 2023-11-14
SHIPPED = REPO / "model"
TOOLS = all(shutil.which(t) for t in ("dot", "plantuml"))
needs_tools = pytest.mark.skipif(not TOOLS, reason="needs graphviz and plantuml")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice)")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def render(model: Path, out: Path, only: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "render", str(model), "--out", str(out), "--only", only, "--jobs", "2"],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        timeout=900,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The shipped model's documents, payload schemas and catalogue (one render)."""
    if not TOOLS:
        pytest.skip("needs graphviz and plantuml")
    out = tmp_path_factory.mktemp("shipped") / "out"
    render(SHIPPED, out, "specs,process-docs,payload-schemas,catalogue")
    return out


@pytest.fixture(scope="module")
def pdfs(shipped, tmp_path_factory):
    """IF-021, BP001 and IF-387 converted by the PDF renderer's own code (the copy with the
    SVGs as main images, one LibreOffice batch, settled), with its export filter."""
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice (soffice)")
    checked = check_model(SHIPPED)
    ctx = RenderContext(checked.model, checked.graph, shipped, RenderOptions(source_date_epoch=int(EPOCH)))
    pdf.PdfRenderer.convert(ctx, ["specs/IF-021.docx", "processes/BP001.docx", "specs/IF-387.docx"])
    return {
        name: (shipped / rel).read_bytes()
        for name, rel in (
            ("IF-021", "specs/IF-021.pdf"),
            ("BP001", "processes/BP001.pdf"),
            ("IF-387", "specs/IF-387.pdf"),
        )
    }


def body_text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def table_with_header(doc, *titles: str):
    for table in doc.tables:
        if [c.text for c in table.rows[0].cells][: len(titles)] == list(titles):
            return table
    raise AssertionError(f"no table headed {titles}")


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


# --- 5. diagrams legible on paper -------------------------------------------------------------


@needs_tools
@needs_soffice
def test_smallest_diagram_text_in_the_pdfs_is_at_least_7_points(pdfs, tmp_path):
    """Every piece of text LibreOffice draws, diagram text included (the diagrams are SVG,
    drawn as text, no picture of text), prints at 7 pt or more. LibreOffice writes font
    sizes to a tenth of a point; the exact scale is checked in the next test."""
    for name in ("IF-021", "BP001"):
        data = pdfs[name]
        assert b"/Subtype/Image" not in data.replace(b" ", b""), f"{name}: a diagram was embedded as a picture"
        runs = pdf_text.text_runs(data)
        assert len(runs) > 500
        smallest = min(r.size for r in runs)
        assert smallest >= 7.0, (name, smallest)
    text = pdftotext(pdfs["BP001"], tmp_path)
    assert "BP001 Change of Supplier (part 1 of" in text  # the sequence diagram's title, as text
    assert "Market-wide" in text and "IF-101" in text
    # BP001's sequence diagram is too wide for a portrait page at 7 pt: landscape pages
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdfs["BP001"])
    assert any(float(w) > float(h) for w, h in boxes) and any(float(w) < float(h) for w, h in boxes)


def _pages() -> docx_writer.Pages:
    tpl = docx_writer.load_docx_template(BUNDLED / "process_description.docx").new()
    return docx_writer._pages(tpl)


@needs_tools
def test_every_embedded_diagram_is_scaled_to_7_points_or_more(shipped):
    """The scale factor for every diagram the documents embed (every sequence diagram part
    and process communication diagram of the shipped model), as the Word writer computes
    it: printed size of the smallest text = its SVG font size x printed width / viewBox width."""
    pages = _pages()
    diagrams = sorted((shipped / "diagrams/sequence").glob("*.svg")) + sorted(
        (shipped / "diagrams/communication").glob("BP*.svg")
    )
    assert len(diagrams) > 60
    landscape = 0
    for svg in diagrams:
        png = svg.with_suffix(".png")
        text = docx_writer.svg_text_scale(svg.read_bytes())
        assert text is not None, svg.name
        width_px, height_px = struct.unpack(">II", png.read_bytes()[16:24])  # PNG header; 96 dpi
        natural = (width_px / 96 * 914400, height_px / 96 * 914400)
        placement = docx_writer.place_diagram(natural, text, pages)
        area = pages.landscape if placement.landscape else pages.portrait
        assert placement.width <= area[0] * 635 + 1 and placement.height <= area[1] * 635 + 1, svg.name
        printed = text[2] * (placement.width / 12700) / text[0]
        assert printed == pytest.approx(placement.smallest_points)
        assert printed >= 7.0, (svg.name, printed)
        landscape += placement.landscape
    assert 0 < landscape < len(diagrams)  # some need a landscape page, most do not


def test_placement_prefers_portrait_and_turns_the_page_only_when_needed():
    pages = docx_writer.Pages(portrait=(9638, 14457), landscape=(14570, 9525))  # A4, 2 cm margins
    emu = 914400 / 96  # one pixel at 96 dpi
    narrow = docx_writer.place_diagram((600 * emu, 500 * emu), (600, 500, 12), pages)
    assert not narrow.landscape and narrow.smallest_points >= 7
    wide = docx_writer.place_diagram((1100 * emu, 500 * emu), (1100, 500, 12), pages)
    assert wide.landscape and wide.smallest_points >= 7
    # 1100 px of 12 px text on 17 cm (portrait) would print at 5.3 pt
    assert 12 * (pages.portrait[0] / 20) / 1100 < 7
    unknown = docx_writer.place_diagram((1100 * emu, 500 * emu), None, pages)
    assert not unknown.landscape and unknown.smallest_points is None  # no SVG: as before
    too_wide = docx_writer.place_diagram((3000 * emu, 500 * emu), (3000, 500, 12), pages)
    assert too_wide.landscape and too_wide.smallest_points < 7  # the best there is; the test above guards the model


@needs_tools
def test_documents_embed_each_diagram_as_svg_with_a_png_fallback(shipped):
    path = shipped / "processes/BP001.docx"
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
        media = {n: archive.read(n) for n in archive.namelist() if n.startswith("word/media/")}
    blips = re.findall(
        r'<a:blip r:embed="(rId\d+)"><a:extLst><a:ext uri="\{96DAC541-7B7A-43D3-8B79-37D633B846F1\}">'
        r'<asvg:svgBlip [^>]*r:embed="(rId\d+)"/>',
        xml,
    )
    pictures = len(re.findall(r"<pic:pic[ >]", xml))
    assert pictures == len(blips) > 2
    target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    drawn = {p.read_bytes() for p in (shipped / "diagrams").rglob("BP001*.svg")}
    for png, svg in blips:
        assert target[png].endswith(".png") and target[svg].endswith(".svg")
        assert media["word/" + target[svg]] in drawn
    assert 'ContentType="image/svg+xml"' in types
    # the wide sequence diagram is on landscape pages, with its headings; the document ends portrait
    sections = re.findall(r"<w:sectPr\b.*?</w:sectPr>", xml, re.S)
    assert any('w:orient="landscape"' in s for s in sections) and "w:orient" not in sections[-1]
    # the PDF copy hands LibreOffice the SVG itself
    copy = pdf.vector_pictures(xml.encode()).decode()
    assert "svgBlip" not in copy and copy.count("<a:blip ") == pictures


# --- 6. classification --------------------------------------------------------------------------


@needs_tools
def test_headers_and_properties_say_the_repositorys_classification(tmp_path, shipped):
    # the shipped repository sets none: public, although IF-021's data items are internal
    header = Document(str(shipped / "specs/IF-021.docx")).sections[0].header.paragraphs[0].text
    assert header.endswith("\tPUBLIC")
    model = copy_model(tmp_path / "model")
    config = model / "mhhsarch.yaml"
    config.write_text(config.read_text() + "classification: confidential\n")
    render(model, tmp_path / "out", "specs,process-docs,catalogue")
    for rel in ("specs/IF-021.docx", "specs/IF-018.docx", "processes/BP005.docx"):
        doc = Document(str(tmp_path / "out" / rel))
        assert doc.sections[0].header.paragraphs[0].text.endswith("\tCONFIDENTIAL"), rel
        assert doc.core_properties.category == "confidential"
        assert ["Classification", "Confidential"] in [[c.text for c in r.cells] for r in doc.tables[0].rows]
    # the data items keep their own classification in the data table
    spec = Document(str(tmp_path / "out/specs/IF-021.docx"))
    items = table_with_header(spec, "ID", "Name", "Type")
    assert any(row.cells[2].text.endswith("Internal") for row in items.rows[1:])
    sheet = load_workbook(tmp_path / "out/catalogue/data_catalogue.xlsx")["Data Items"]
    assert sheet.oddHeader.right.text == "CONFIDENTIAL"


def test_classification_setting_is_checked(tmp_path):
    model = copy_model(tmp_path / "model")
    (model / "mhhsarch.yaml").write_text("name: X\nclassification: secret\n")
    done = subprocess.run([sys.executable, "-m", "mhhsarch", "validate", str(model)], capture_output=True, text=True)
    assert done.returncode == 1 and "mhhsarch.yaml" in done.stdout and "secret" in done.stdout


# --- 8. version and status ------------------------------------------------------------------------


@needs_tools
def test_version_history_dates_the_version_by_its_approval_not_the_render(shipped):
    doc = Document(str(shipped / "specs/IF-021.docx"))
    history = table_with_header(doc, "Version", "Date", "Status", "Change")
    rows = [[c.text for c in r.cells] for r in history.rows[1:]]
    # in a git repository the history comes from git (issue 12): each version with the date
    # of its latest commit; the render date is never a version's date
    assert rows[0][0] == "1.2.0" and rows[0][2] == "Approved", rows
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[1]) for r in rows), rows
    assert "2023-11-14" not in " ".join(" ".join(r) for r in rows)
    cover = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert ["Publication date", "2023-11-14"] in cover and not any(r[0] == "Date" for r in cover)
    footer = doc.sections[0].footer.paragraphs[0].text
    assert "Published 2023-11-14" in footer
    checked = check_model(SHIPPED).model
    draft = next(i for i in checked.interfaces.values() if i.status in ("draft", "review"))
    history = table_with_header(Document(str(shipped / f"specs/{draft.id}.docx")), "Version", "Date")
    assert history.rows[1].cells[1].text != "2023-11-14"
    # outside git: the model's version dated by its tranche's approval, or "Not approved"
    from mhhsarch.render.views.common import version_row

    assert version_row(checked, "1.2.0", "approved", 1).date == checked.tranches[1].approval
    assert version_row(checked, "0.1.0", "draft", 1).date == "Not approved"


# --- 9. provenance ---------------------------------------------------------------------------------


@needs_tools
def test_assumed_facts_are_marked_and_listed(shipped):
    doc = Document(str(shipped / "specs/IF-021.docx"))
    text = body_text(doc)
    assert "\u2020 marks a fact the design team assumed" in text
    assert "\u2020 The volumetrics are the design team's estimate" in text
    facts = [[c.text for c in r.cells] for t in doc.tables for r in t.rows if len(r.cells) == 2]
    trigger = next(v for k, v in facts if k == "Trigger")
    assert trigger.endswith("\u00a0\u2020")  # IF-021 is x-source: assumed
    assumptions = table_with_header(doc, "Subject", "Kind", "What is assumed")
    listed = {r.cells[0].text: r.cells[2].text for r in assumptions.rows[1:]}
    assert listed["IF-021 UTC Settlement Period Consumption Data"] == "the whole entry"
    assert "DI-201 UTC Settlement Period" in listed  # an assumed data item it carries
    items = table_with_header(doc, "ID", "Name", "Type")
    name = next(r.cells[1].text for r in items.rows[1:] if r.cells[0].text == "DI-201")
    assert name.startswith("UTC Settlement Period\u00a0\u2020")
    process = Document(str(shipped / "processes/BP001.docx"))
    notes = [p.text for p in process.paragraphs if p.style.name == "Note"]
    assert any(n.startswith("\u2020 The steps of this process are assumed") for n in notes)
    listed = {r.cells[0].text: r.cells[2].text for r in table_with_header(process, "Subject", "Kind").rows[1:]}
    assert listed["BP001 Change of Supplier"] == "its participants, capabilities, principles and steps"


def test_a_document_with_nothing_assumed_says_so(tmp_path):
    from mhhsarch.render.views.interface_spec import interface_spec_view

    checked = check_model(copy_model(tmp_path / "model"))
    view = interface_spec_view(checked.model, checked.graph, checked.model.interfaces["IF-018"], int(EPOCH))
    assert view.assumptions == () and view.provenance_legend is None
    assert "\u2020" not in json.dumps(as_data(view), ensure_ascii=False)


@needs_tools
def test_illustrative_comments_say_so(shipped):
    for path in sorted((SHIPPED / "reviews").glob("*.yaml")):
        for comment in yaml.safe_load(path.read_text())["comments"]:
            assert comment.get("x-illustrative") is True, (path.name, comment["id"])
    doc = Document(str(shipped / "specs/IF-021.docx"))
    comments = table_with_header(doc, "Comment", "From", "Comment and response", "Status")
    assert all("(illustrative)" in r.cells[1].text for r in comments.rows[1:])
    assert any(
        p.text.startswith("Comments marked illustrative come from fictitious organisations") for p in doc.paragraphs
    )


# --- 10. DTN flows -----------------------------------------------------------------------------------


@needs_tools
def test_dtn_flows_are_point_to_point_with_their_dtc_structure(shipped):
    doc = Document(str(shipped / "specs/IF-387.docx"))
    facts = {r.cells[0].text: r.cells[1].text for t in doc.tables for r in t.rows if len(r.cells) == 2}
    assert "subscribed" not in facts["Pattern"] and facts["Pattern"].startswith("Point to point")
    assert facts["DTC flow"].startswith("D0387")
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert any(h.endswith("DTN flow structure") for h in headings)
    group = table_with_header(doc, "ID", "Name", "DTC data item", "Repeats")
    assert group.rows[1].cells[0].text == "DI-280"
    refs = [
        r.cells[2].text
        for t in doc.tables
        if t.rows[0].cells[0].text == "ID" and len(t.columns) == 4
        for r in t.rows[1:]
    ]
    assert "J0003" in refs  # MPAN Core's DTC data item
    dip = Document(str(shipped / "specs/IF-021.docx"))
    dip_facts = {r.cells[0].text: r.cells[1].text for t in dip.tables for r in t.rows if len(r.cells) == 2}
    assert "subscribed receiver" in dip_facts["Pattern"]  # the DIP does publish


# --- 11. catalogue -----------------------------------------------------------------------------------


@needs_tools
def test_catalogue_rows_are_as_tall_as_their_text_and_sheets_print_readably(shipped):
    book = load_workbook(shipped / "catalogue/data_catalogue.xlsx")
    items = book["Data Items"]
    widths = {c: items.column_dimensions[c].width for c in items.column_dimensions}
    for row in items.iter_rows(min_row=2):
        height = items.row_dimensions[row[0].row].height
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                # a line of a cell of width w holds at most about w characters: never fewer lines
                lines = sum(
                    max(1, math.ceil(len(part) / (widths[cell.column_letter] * 1.2))) for part in cell.value.split("\n")
                )
                assert height >= 15 * lines, (cell.coordinate, height, lines)
    for ws in book.worksheets[1:]:
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows.replace("$", "") == "1:1"
    matrix = book["Interface x Data Item"]
    # never 53 columns squeezed onto one page: several pages across, names repeated on each
    assert matrix.print_title_cols.replace("$", "") == "A:B" and matrix.page_setup.fitToWidth >= 2
    entities = book["Entities"]
    model = check_model(SHIPPED).model
    expected = sum(max(1, len(ent.relationships)) for ent in model.entities.values())
    assert entities.max_row - 1 == expected and len(model.entities) == 21
    header = [c.value for c in entities[1]]
    assert header[:4] == ["Entity", "Entity name", "Data items", "Cardinality"]
    assert "Format" in [c.value for c in items[1]]


@needs_tools
@needs_soffice
def test_catalogue_pdf_rows_do_not_overprint(shipped, tmp_path):
    """LibreOffice's PDF of the Data Items sheet: no two lines of text overlap (a row too
    short for its wrapped text prints its last lines over the next row)."""
    (tmp_path / "in").mkdir()
    shutil.copyfile(shipped / "catalogue/data_catalogue.xlsx", tmp_path / "in/data_catalogue.xlsx")
    pdf.convert_batch([tmp_path / "in/data_catalogue.xlsx"], tmp_path / "out", tmp_path, target="pdf")
    done = subprocess.run(
        ["pdftotext", "-bbox", "-f", "2", "-l", "12", str(tmp_path / "out/data_catalogue.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    pages = done.stdout.split("<page ")[1:]
    assert pages
    for page in pages:
        words = [
            tuple(map(float, m))
            for m in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page)
        ]
        for n, (x0, y0, x1, y1) in enumerate(words):
            for a0, b0, a1, b1 in words[n + 1 : n + 40]:
                overlap_x = min(x1, a1) - max(x0, a0)
                overlap_y = min(y1, b1) - max(y0, b0)
                assert not (overlap_x > 1 and overlap_y > 2), ((x0, y0, x1, y1), (a0, b0, a1, b1))


# --- 12. reference material --------------------------------------------------------------------------


@needs_tools
def test_references_glossary_cover_page_and_ids_that_do_not_break(shipped):
    path = shipped / "specs/IF-021.docx"
    doc = Document(str(path))
    cover = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert cover["Document number"] == "MHHS-DES-IFS-IF-021"
    assert doc.core_properties.identifier == "IF-021"
    references = table_with_header(doc, "Kind", "Reference", "Title", "Described in")
    rows = [(r.cells[0].text, r.cells[1].text, r.cells[3].text) for r in references.rows[1:]]
    assert ("Process", "BP005", "processes/BP005.docx") in rows
    assert ("Principle", "DP-03", "Principles section") in rows
    assert any(kind == "Interface" for kind, _, _ in rows)
    glossary = {r.cells[0].text: r.cells[1].text for r in table_with_header(doc, "Term", "Meaning").rows[1:]}
    for term in ("DIP", "MPAN", "UTC", "SDS", "MDS"):
        assert term in glossary, term
    assert glossary["SDS"].startswith("Smart Data Service")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode()
        header = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("word/header"))
    # the cover is a page of its own: a page break before the contents
    assert xml.index('<w:br w:type="page"/>') < xml.index(" TOC \\o")
    # ids: prefix and number joined by Word's non-breaking hyphen in the body; python-docx
    # (and LibreOffice's PDF text) read a plain hyphen, the one-line header keeps one
    assert 'IF</w:t><w:noBreakHyphen/><w:t xml:space="preserve">021' in xml
    assert doc.paragraphs[0].text == "IF-021 UTC Settlement Period Consumption Data"
    assert "IF-021" in header


@needs_tools
@needs_soffice
def test_pdf_text_keeps_plain_hyphens_in_ids(pdfs, tmp_path):
    text = pdftotext(pdfs["IF-021"], tmp_path)
    assert "IF-021 UTC Settlement Period Consumption Data" in text and "\u2011" not in text


# --- 13. tagged PDFs ------------------------------------------------------------------------------------


@needs_tools
@needs_soffice
def test_pdfs_are_tagged_with_headings_table_headers_and_figures_with_alt_text(pdfs):
    for name in ("IF-021", "BP001"):
        data = pdfs[name]
        assert pdf_text.is_tagged(data), name
        kinds = pdf_text.structure_types(data)
        assert {"H1", "H2", "Table", "TH", "Figure"} <= kinds, (name, kinds)
        alts = pdf_text.figure_alt_texts(data)
        assert alts and all(
            a.startswith(("Sequence diagram of process", "Communication diagram of process")) for a in alts
        ), (name, alts)


# --- sample payloads ---------------------------------------------------------------------------------------


@needs_tools
def test_every_dip_interface_has_a_schema_and_its_sample_message_validates(shipped):
    model = check_model(SHIPPED).model
    dip = [i for i in model.interfaces.values() if i.transport == "DIP"]
    assert len(dip) > 30
    for interface in dip:
        schema = json.loads((shipped / f"schemas/payloads/{interface.id}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        doc = Document(str(shipped / f"specs/{interface.id}.docx"))
        lines = [p.text for p in doc.paragraphs if p.style.name == "Code"]
        sample = json.loads("\n".join(lines))  # the sample message as the specification prints it
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        validator.validate(sample)
        assert sample["CommonBlock"]["S0"]["interfaceID"] == interface.id
        # the schema constrains: a message without its CustomBlock, or with a code outside
        # a valid set, is refused
        assert not validator.is_valid({"CommonBlock": sample["CommonBlock"]})
        broken = json.loads(json.dumps(sample))
        broken["CommonBlock"]["S1"]["environmentTag"] = "NO-SUCH-ENVIRONMENT"
        assert not validator.is_valid(broken)
    others = [i for i in model.interfaces.values() if i.transport != "DIP"]
    for interface in others:
        assert not (shipped / f"schemas/payloads/{interface.id}.schema.json").exists()
        assert not any(p.style.name == "Code" for p in Document(str(shipped / f"specs/{interface.id}.docx")).paragraphs)


def test_samples_match_the_formats_the_model_uses():
    for pattern in (
        r"^(IF|PUB)-\d{3}[A-Z]?$",
        r"^([0-9A-F]{2}-){7}[0-9A-F]{2}$",
        r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$",
        r"^\d+(\.\d+){1,2}$",
        r"^\d+/\d+$",
        r"^\d{13}$",
        r"^[A-Z0-9]{4}$",
    ):
        assert re.fullmatch(pattern, payload.sample_for_pattern(pattern)), pattern
    assert payload.sample_for_pattern(r"^\d{4}$") == "1234"
    with pytest.raises(ValueError):
        payload.sample_for_pattern(r"^\w+$")
    assert payload.property_name("MPAN Core") == "MPANCore"
    assert payload.property_name("Sender DIP ID") == "senderDIPID"
    assert payload.property_name("Reading Date-time") == "readingDateTime"
