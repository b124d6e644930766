"""The document renderers, read back: Word (python-docx), Excel (openpyxl), and the
real LibreOffice converting every DOCX and the XLSX (one batch for the session).

One module-scoped render of the fixture model with hostile text laid over it serves
most assertions; the model's structure is the valid fixture's, so tables and
matrices are checked against the loaded model.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import copy_model
from mhhsarch.cli import app
from mhhsarch.pipeline import check_model
from mhhsarch.render.base import Artefact, Job, Renderer, RenderOptions
from mhhsarch.render.documents import pdf
from mhhsarch.render.documents.interface_spec import InterfaceSpecRenderer
from mhhsarch.render.documents.process_doc import ProcessDocRenderer
from mhhsarch.render.documents.text import clean
from mhhsarch.render.publish import publish
from mhhsarch.render.registry import renderer_names
from mhhsarch.render.templates import BUNDLED

EPOCH = "1700000000"  # 2023-11-14
SOFFICE = shutil.which("soffice")
DIAGRAMS = {"sequence", "communication"} <= set(renderer_names())
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# hostile text, laid over the valid fixture
MARKUP = "<b>markup</b> & <w:t>not XML</w:t>"
LONG_WORD = "Supercalifragilistic" * 12
EMOJI_RTL = "Meter 🔌⚡ reading — مرحبا بالعالم — שלום"
FORMULA = "=cmd|' /C calc'!A0"
CONTROL = "bell\x07 and null\x00 and escape\x1b end"
HOSTILE_DESCRIPTION = "\n".join([MARKUP, LONG_WORD, EMOJI_RTL, FORMULA, CONTROL])


def _hostile_overlay(model: Path) -> None:
    """Hostile names and descriptions on the fixture's entities (structure unchanged)."""

    def edit(rel: str, change) -> None:
        path = model / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def interface(data):
        data["interface"]["description"] = HOSTILE_DESCRIPTION
        data["interface"]["trigger"] = FORMULA

    def items(data):
        data["data_items"][0]["description"] = "+SUM(1,2) " + MARKUP
        data["data_items"][1]["name"] = FORMULA
        data["data_items"][2]["description"] = "@risk\t-1+1\r=1+1"

    def sets(data):
        data["valid_sets"][0]["values"][0]["meaning"] = "-2+3 " + EMOJI_RTL

    def process(data):
        data["process"]["description"] = HOSTILE_DESCRIPTION
        data["process"]["steps"][0]["name"] = MARKUP

    def market(data):
        data["roles"][0]["description"] = CONTROL

    edit("interfaces/IF-021.yaml", interface)
    edit("data_catalogue/items.yaml", items)
    edit("data_catalogue/valid_sets.yaml", sets)
    edit("processes/BP005.yaml", process)
    edit("market.yaml", market)


def _render(model: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(app, ["render", str(model), "--out", str(out), *args], env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The hostile model rendered twice (for the byte comparison), and its loaded model."""
    root = tmp_path_factory.mktemp("documents")
    model = copy_model(root / "model")
    _hostile_overlay(model)
    checked = check_model(model)
    assert not checked.has_errors, [d.message for d in checked.diagnostics]
    _render(model, root / "out", "--jobs", "2")
    _render(model, root / "again", "--jobs", "1")
    return {"root": root, "out": root / "out", "again": root / "again", "model": checked.model, "model_dir": model}


@pytest.fixture(scope="module")
def converted(site):
    """Every DOCX and the XLSX through LibreOffice in ONE batch (the real client)."""
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
        )
    work = site["root"] / "lo"
    (work / "in").mkdir(parents=True)
    inputs = []
    for path in sorted(site["out"].rglob("*.docx")):
        inputs.append(work / "in" / path.name)
        pdf.pdf_copy_of(path, inputs[-1])
    inputs.append(work / "in" / "data_catalogue.xlsx")
    shutil.copyfile(site["out"] / "catalogue/data_catalogue.xlsx", inputs[-1])
    pdf.convert_batch(inputs, work / "out", work, target="pdf")
    return work / "out"


def docx_paragraphs(path: Path) -> list[str]:
    """Every paragraph's text (body, tables, header, footer) with tabs and breaks."""
    texts = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)):
            from lxml import etree

            for p in etree.fromstring(z.read(name)).iter(f"{W_NS}p"):
                parts = []
                for el in p.iter(f"{W_NS}t", f"{W_NS}tab", f"{W_NS}br"):
                    parts.append(el.text or "" if el.tag == f"{W_NS}t" else "\t" if el.tag == f"{W_NS}tab" else "\n")
                texts.append("".join(parts))
    return texts


def table_with_header(doc, *titles: str):
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[: len(titles)] == list(titles):
            return table
    raise AssertionError(f"no table headed {titles}")


# --- Word: interface specifications ------------------------------------------------------


def test_every_interface_and_process_has_its_document(site):
    model = site["model"]
    assert sorted(p.name for p in (site["out"] / "specs").glob("*.docx")) == [f"{i}.docx" for i in model.interfaces]
    assert sorted(p.name for p in (site["out"] / "processes").glob("*.docx")) == [f"{p}.docx" for p in model.processes]


def test_interface_spec_sections_and_data_item_table(site):
    model = site["model"]
    for interface in model.interfaces.values():
        doc = Document(str(site["out"] / f"specs/{interface.id}.docx"))
        headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
        for section in (
            "Document control",
            "Version history",
            "Purpose and description",
            "Sender and receivers",
            "Trigger, frequency and transport",
            "Volumetrics",
            "Security",
            "Data items",
            "Sequence diagrams",
            "Where used",
            "Principles",
            "Valid sets",
        ):
            assert any(h.endswith(section) for h in headings), (interface.id, section, headings)
        assert doc.paragraphs[0].text == f"{interface.id} {interface.name}"
        table = table_with_header(doc, "ID", "Name", "Type", "Length / format", "M/O", "Repeats", "Group", "Valid set")
        rows = table.rows[1:]
        # over the DIP the CommonBlock header has its own appendix: the table holds the payload
        header = [u for u in interface.data_items if interface.transport == "DIP" and model.data_items[u.ref].in_header]
        payload = [u for u in interface.data_items if u not in header]
        assert len(rows) == len(payload)
        for row, use in zip(rows, payload):
            assert row.cells[0].text == use.ref
            assert row.cells[4].text == use.obligation
        if header:
            table = table_with_header(doc, "ID", "Name", "Type", "Length / format", "Group", "Filled by")
            assert [r.cells[0].text for r in table.rows[1:]] == [u.ref for u in header]
            assert any(h.endswith("DIP CommonBlock header") for h in headings)
        # roles by name, not only by code
        text = "\n".join(docx_paragraphs(site["out"] / f"specs/{interface.id}.docx"))
        for role in (*interface.senders, *interface.receivers):
            assert model.roles[role].name in text


def test_interface_spec_fields_header_footer_and_properties(site):
    path = site["out"] / "specs/IF-021.docx"
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
        headers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
        core = z.read("docProps/core.xml").decode()
    assert " TOC \\o" in body
    assert " PAGE " in footers and " NUMPAGES " in footers
    assert "{{" not in footers + headers
    # the header says the repository's classification (mhhsarch.yaml; the fixture sets none:
    # public), not the interface's (internal, shown in the Security section)
    assert "IF-021" in headers and "PUBLIC" in headers and "INTERNAL" not in headers and "Version 1.0.0" in footers
    assert "2023-11-14T22:13:20Z" in core and "<dc:title>IF-021 UTC" in core
    # volumetrics computed: 30,000,000 a day -> 10,950,000,000 a year; 3 kB typical -> 90.0 GB a day
    text = "\n".join(docx_paragraphs(path))
    assert "10,950,000,000" in text and "90.0 GB" in text and "32.9 TB" in text
    assert "Market-wide Data Service (MDS)" in text  # who may consume
    assert "2023-11-14" in text  # the SOURCE_DATE_EPOCH date


def test_valid_set_appendix_lists_codes(site):
    doc = Document(str(site["out"] / "specs/IF-018.docx"))
    table = table_with_header(doc, "Code", "Meaning")
    codes = [r.cells[0].text for r in table.rows[1:]]
    assert codes == [v.code for v in site["model"].valid_sets["VS-ENERGISATION-STATUS"].values]


def test_where_used_lists_process_steps(site):
    doc = Document(str(site["out"] / "specs/IF-018.docx"))
    table = table_with_header(doc, "Process", "Step", "Step name")
    assert [(r.cells[0].text.split("\n")[0], r.cells[1].text) for r in table.rows[1:]] == [("BP005", "3")]


@pytest.mark.skipif(not DIAGRAMS, reason="the diagram renderers (sequence, communication) are not registered yet")
def test_diagrams_embedded_when_diagram_renderers_exist(site):
    spec = Document(str(site["out"] / "specs/IF-021.docx"))
    assert len(spec.inline_shapes) == 1  # BP005's sequence diagram
    process = Document(str(site["out"] / "processes/BP005.docx"))
    assert len(process.inline_shapes) == 2  # sequence and communication
    text = "\n".join(docx_paragraphs(site["out"] / "processes/BP005.docx"))
    assert "was not rendered in this run" not in text


def _png(width: int, height: int) -> bytes:
    """A minimal grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class FakeDiagrams(Renderer):
    """Phase 0 stand-in for the diagram renderers: a wide sequence PNG and a tall communication PNG."""

    name, title, phase = "fake-diagrams", "fake", 0

    def plan(self, ctx):
        jobs = []
        for p in ctx.processes:

            def run(p=p):
                ctx.write_bytes(f"diagrams/sequence/{p.id}.png", _png(2400, 600))
                ctx.write_bytes(f"diagrams/communication/{p.id}.png", _png(300, 3000))

            jobs.append(
                Job(
                    p.id,
                    [
                        Artefact(f"diagrams/sequence/{p.id}.png", "png"),
                        Artefact(f"diagrams/communication/{p.id}.png", "png"),
                    ],
                    run,
                )
            )
        return jobs


def test_embedding_scales_pictures_into_the_page(tmp_path):
    """The embedding path, independent of the real diagram renderers: pictures present,
    within the text width and height, with alternative text and deterministic ids."""
    checked = check_model(copy_model(tmp_path / "model"))
    renderers = [FakeDiagrams(), InterfaceSpecRenderer(), ProcessDocRenderer()]
    options = RenderOptions(jobs=1, source_date_epoch=int(EPOCH))
    publish(checked.model, checked.graph, tmp_path / "out", renderers, options)
    doc = Document(str(tmp_path / "out/processes/BP005.docx"))
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    shapes = doc.inline_shapes
    assert len(shapes) == 2
    assert shapes[0].width <= text_width and abs(shapes[0].width - text_width) < 10  # wide: full width
    assert shapes[1].height <= text_height * 0.8  # tall: limited by the page height
    assert abs(shapes[1].width / shapes[1].height - 0.1) < 0.01  # aspect kept
    xml = zipfile.ZipFile(tmp_path / "out/processes/BP005.docx").read("word/document.xml").decode()
    assert 'descr="Sequence diagram of process BP005 Data Processing"' in xml
    ids = [int(i) for i in re.findall(r'<wp:docPr [^>]*\bid="(\d+)"', xml)]
    assert len(ids) == 2 and ids[1] == ids[0] + 1  # numbered in document order, no random ids
    assert str(tmp_path) not in xml
    spec = Document(str(tmp_path / "out/specs/IF-021.docx"))
    assert len(spec.inline_shapes) == 1


# --- Word: process descriptions -----------------------------------------------------------


def test_process_description_sections_and_steps(site):
    model = site["model"]
    process = model.processes["BP005"]
    doc = Document(str(site["out"] / "processes/BP005.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for section in (
        "Purpose",
        "Participants",
        "Capabilities",
        "Steps",
        "Sequence diagram",
        "Communication diagram",
        "Interfaces used",
        "Principles",
    ):
        assert any(h.endswith(section) for h in headings), section
    steps = table_with_header(doc, "No.", "Actor", "Action", "Interface", "Recipients", "Condition")
    assert [r.cells[0].text for r in steps.rows[1:]] == [str(s.id) for s in process.steps]
    assert steps.rows[3].cells[4].text == "SUP"  # step 3 names its recipient
    assert steps.rows[2].cells[4].text == "MDS, SUP (all)"  # step 2 goes to all receivers
    participants = table_with_header(doc, "Role", "Code")
    assert [r.cells[1].text for r in participants.rows[1:]] == list(process.participants)
    for interface_id in process.interface_ids:
        assert any(h.endswith(f"{interface_id} {model.interfaces[interface_id].name}") for h in headings)


# --- Excel ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(site):
    return load_workbook(site["out"] / "catalogue/data_catalogue.xlsx")


def test_catalogue_sheets_rows_and_matrices(site, workbook):
    model = site["model"]
    assert workbook.sheetnames == [
        "Cover",
        "Data Items",
        "Valid Sets",
        "Interface x Data Item",
        "Role x Interface",
        "Process x Interface",
        "Entities",
    ]
    items = workbook["Data Items"]
    assert items.max_row - 1 == len(model.data_items)
    header = [c.value for c in items[1]]
    rows = {r[0]: dict(zip(header, r)) for r in items.iter_rows(min_row=2, values_only=True)}
    for item in model.data_items.values():
        used = sum(1 for i in model.interfaces.values() for u in i.data_items if u.ref == item.id)
        assert rows[item.id]["Used by (interfaces)"] == used
        assert rows[item.id]["Owner role name"] == (model.roles[item.owner].name if item.owner else None)
        assert (rows[item.id]["DIP block"], rows[item.id]["Populated by"]) == (item.block, item.populated_by)
    sets = workbook["Valid Sets"]
    assert sets.max_row - 1 == sum(len(v.values) for v in model.valid_sets.values())

    matrix = workbook["Interface x Data Item"]
    columns = [c.value.split(" ")[0] for c in matrix[1][2:]]
    assert columns == list(model.interfaces)
    for row in matrix.iter_rows(min_row=2, values_only=True):
        for interface_id, value in zip(columns, row[2:]):
            use = next((u for u in model.interfaces[interface_id].data_items if u.ref == row[0]), None)
            assert value == (None if use is None else use.obligation), (row[0], interface_id)

    roles = workbook["Role x Interface"]
    for row in roles.iter_rows(min_row=2, values_only=True):
        for interface_id, value in zip(columns, row[2:]):
            interface = model.interfaces[interface_id]
            expected = "P" if row[0] in interface.senders else "C" if row[0] in interface.receivers else None
            assert value == expected
    processes = workbook["Process x Interface"]
    assert [r[0] for r in processes.iter_rows(min_row=2, values_only=True)] == list(model.processes)
    assert processes["C2"].value == "3" and processes["D2"].value == "2"  # IF-018 at step 3, IF-021 at step 2


def test_catalogue_layout(workbook):
    for ws in workbook.worksheets[1:]:
        assert ws.freeze_panes in ("B2", "C2")
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("1F3864")
        assert ws.column_dimensions["A"].width >= 10
    validations = workbook["Data Items"].data_validations.dataValidation
    assert any('"string,integer' in v.formula1 for v in validations)
    assert any("confidential" in v.formula1 for v in validations)
    assert workbook["Cover"]["B3"].value == "Fixture model"


def test_catalogue_has_no_formula_and_keeps_hostile_text(workbook):
    seen = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
    assert FORMULA in seen
    assert "+SUM(1,2) " + MARKUP in seen
    assert "@risk\t-1+1\n=1+1" in seen or "@risk\t-1+1\r=1+1" in seen
    assert "-2+3 " + EMOJI_RTL in seen


# --- hostile text in Word -------------------------------------------------------------------


def test_word_documents_keep_hostile_text_as_text(site):
    for rel in ("specs/IF-021.docx", "processes/BP005.docx"):
        paragraphs = docx_paragraphs(site["out"] / rel)
        text = "\n".join(paragraphs)
        for piece in (MARKUP, LONG_WORD, EMOJI_RTL, FORMULA, clean(CONTROL)):
            assert piece in text, (rel, piece)
        assert "\ufffd" in clean(CONTROL)
        doc = Document(str(site["out"] / rel))  # parses: the XML is well formed
        assert not any(run.bold and "markup" in run.text for p in doc.paragraphs for run in p.runs)


def test_clean_removes_only_xml_illegal_characters():
    assert clean("a\x00b\x08c\x0bd\x1fe\ufffef") == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf"
    assert clean("tab\tnl\ncr\r🔌 שלום <b>") == "tab\tnl\ncr\r🔌 שלום <b>"
    assert clean(None) == ""


# --- reproducibility ------------------------------------------------------------------------


def test_two_renders_are_byte_identical(site):
    files = sorted(p.relative_to(site["out"]) for p in site["out"].rglob("*") if p.suffix in (".docx", ".xlsx"))
    assert files
    for rel in files:
        assert (site["out"] / rel).read_bytes() == (site["again"] / rel).read_bytes(), rel
    for rel in files:
        with zipfile.ZipFile(site["out"] / rel) as z:
            assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
            for name in z.namelist():
                data = z.read(name)
                assert b".out.rendering-" not in data and str(site["root"]).encode() not in data, (rel, name)


def test_bundled_templates_are_reproducible(tmp_path):
    maker = Path(__file__).parents[1] / "tools/make_templates.py"
    subprocess.run([sys.executable, str(maker), str(tmp_path)], check=True, capture_output=True)
    for name in ("interface_spec.docx", "process_description.docx"):
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), name


def _publish_documents(tmp_path: Path, *extra: Renderer, **options) -> Path:
    """My renderers alone (no diagrams: quick), straight through publish()."""
    checked = check_model(copy_model(tmp_path / "model"))
    renderers = [InterfaceSpecRenderer(), ProcessDocRenderer(), *extra]
    folders = (options["template_dir"], BUNDLED) if options.get("template_dir") else (BUNDLED,)
    publish(
        checked.model,
        checked.graph,
        tmp_path / "out",
        renderers,
        RenderOptions(source_date_epoch=int(EPOCH), template_folders=folders, **{"jobs": 1, **options}),
    )
    return tmp_path / "out"


def test_user_template_overrides_bundled(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    doc = Document(str(BUNDLED / "interface_spec.docx"))
    header = doc.sections[0].header.paragraphs[0]
    # a tag split over runs, as Word saves a tag typed in two goes
    header.add_run(" CUSTOM HEADER {{ header.sta")
    header.add_run("tus }}")
    doc.save(str(templates / "interface_spec.docx"))
    out = _publish_documents(tmp_path, template_dir=templates)
    assert "CUSTOM HEADER approved" in "\n".join(docx_paragraphs(out / "specs/IF-021.docx"))
    assert "CUSTOM HEADER" not in "\n".join(docx_paragraphs(out / "processes/BP005.docx"))


# --- LibreOffice (one batch for the session) ------------------------------------------------


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_libreoffice_converts_every_document_and_the_catalogue(site, converted):
    names = sorted(p.stem for p in site["out"].rglob("*.docx")) + ["data_catalogue"]
    assert sorted(p.stem for p in converted.glob("*.pdf")) == sorted(names)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    for interface in site["model"].interfaces.values():
        text = _pdftotext(converted / f"{interface.id}.pdf")
        assert interface.name in " ".join(text.split()), interface.id
        assert re.search(r"Page 1 of \d", text)
        # the table of contents carries page numbers computed by LibreOffice
        assert re.search(r"Data items\s*\.{5,}\s*\d", text)
    sheet = " ".join(_pdftotext(converted / "data_catalogue.pdf").split())
    assert "=cmd|'" in sheet and "#NAME" not in sheet and "Err:" not in sheet


def test_pdf_renderer_runs_one_soffice_per_batch(tmp_path, monkeypatch):
    """The PDF renderer's plumbing with a stand-in soffice that records its calls: two
    parallel batches with separate profiles, never one start-up per file."""
    log = tmp_path / "calls.log"
    fake = tmp_path / "bin/soffice"
    fake.parent.mkdir()
    fake.write_text(
        "#!/usr/bin/env python3\nimport sys, pathlib\n"
        f"open({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        "args = sys.argv[1:]\nout = pathlib.Path(args[args.index('--outdir') + 1])\n"
        "for a in args[args.index('--outdir') + 2:]:\n"
        "    (out / (pathlib.Path(a).stem + '.pdf')).write_bytes(b'%PDF-1.4 /CreationDate(D:20990101000000Z)')\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    _publish_documents(tmp_path, pdf.PdfRenderer(), jobs=2)
    calls = log.read_text().splitlines()
    assert len(calls) == 2
    assert len({re.search(r"-env:UserInstallation=(\S+)", c).group(1) for c in calls}) == 2
    pdfs = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.pdf"))
    assert pdfs == ["processes/BP005.pdf", "specs/IF-018.pdf", "specs/IF-021.pdf"]
    assert b"D:20231114221320Z" in (tmp_path / "out/specs/IF-021.pdf").read_bytes()
    manifest = (tmp_path / "out/manifest.json").read_text()
    assert '"specs/IF-021.pdf"' in manifest


def test_pdf_without_libreoffice_stops_before_rendering(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    model = copy_model(tmp_path / "model")
    # --only with --pdf still asks for the PDFs
    result = CliRunner().invoke(app, ["render", str(model), "--out", str(tmp_path / "out"), "--only", "specs", "--pdf"])
    assert result.exit_code == 2
    assert "libreoffice-writer-nogui" in result.output and "libreoffice-calc-nogui" in result.output
    assert not (tmp_path / "out").exists()


def test_settle_pdf_keeps_length_and_fixes_date_and_id():
    data = b"%PDF /CreationDate(D:20261123111249Z')>> /ID [ <3A0345B0DB10B3F049BA62E3D9BF2D14> <3A0345B0DB10B3F049BA62E3D9BF2D14> ]"
    settled = pdf.settle_pdf(data, int(EPOCH))
    assert len(settled) == len(data)
    assert b"D:20231114221320Z'" in settled
    assert pdf.settle_pdf(data.replace(b"2026", b"2030"), int(EPOCH)) == settled
