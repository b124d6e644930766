"""Render safety (issue 9): what documents and diagrams do with input that is too big,
too long or hostile, read back from the files the real command line writes.

- PDFs are byte-identical from run to run (two real `--pdf` renders, in different
  time zones and with different --jobs), with their cross-reference offsets valid.
- A long process is drawn in parts that PlantUML does not cut, all of them embedded;
  a 10,000-character name is shortened in page headers, never in the body.
- Word templates: a zip bomb is refused before it is inflated, in one line; a template
  without section properties gets the default page set-up.
- A `{{token}}` in model text stays literal; zero-width and bidi characters are
  removed the same way in diagrams and documents.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from docx import Document

from conftest import copy_model
from mhhsarch.pipeline import check_model
from mhhsarch.render.base import RenderContext, RenderOptions
from mhhsarch.render.diagrams import common, sequence
from mhhsarch.render.documents import text
from mhhsarch.render.documents.pdf import settle_pdf
from mhhsarch.render.views import diagrams as diagram_views
from mhhsarch.render.views.diagrams import Fragment, Message, Note, market_view, sequence_view
from mhhsarch.render.writers import docx as docx_writer
from mhhsarch.render.writers import dot, mermaid, plantuml

EPOCH = "1700000000"  # 2023-11-14 22:13:20 UTC
BUNDLED_TEMPLATE = Path(__file__).parents[1] / "src/mhhsarch/templates/interface_spec.docx"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TOOLS = shutil.which("dot") and shutil.which("plantuml")
needs_diagram_tools = pytest.mark.skipif(not TOOLS, reason="needs graphviz and plantuml")


def run_render(cwd: Path, *args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", "render", "model", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})},
    )


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6), encoding="utf-8")


def part_xml(docx: Path, pattern: str) -> str:
    """The XML of the parts of `docx` whose names match `pattern`, joined."""
    with zipfile.ZipFile(docx) as archive:
        return "".join(archive.read(n).decode() for n in sorted(archive.namelist()) if re.fullmatch(pattern, n))


def texts(xml: str) -> str:
    """The text of WordprocessingML: the w:t contents, joined."""
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def svg_texts(path: Path) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- class 7: PDFs


def xref_problems(pdf: bytes) -> list[str]:
    """What is wrong with a PDF's classic cross-reference table: each in-use entry must
    point at its object, and startxref at the table."""
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf)
    if not found:
        return ["no startxref"]
    table = int(found.group(1))
    if not pdf.startswith(b"xref", table):
        return [f"startxref {table} does not point at the table"]
    problems = []
    body = pdf[table : pdf.index(b"trailer", table)]
    lines = body.split(b"\n")[1:]
    number = 0
    for line in lines:
        parts = line.split()
        if len(parts) == 2:  # a subsection: first object number, count
            number = int(parts[0])
        elif len(parts) == 3:
            if parts[2] == b"n" and not pdf.startswith(b"%d %d obj" % (number, int(parts[1])), int(parts[0])):
                problems.append(f"object {number} is not at {int(parts[0])}")
            number += 1
    return problems


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice)")
def test_two_real_pdf_renders_are_byte_identical(tmp_path):
    copy_model(tmp_path / "model")
    first = run_render(tmp_path, "--out", "one", "--pdf", "--jobs", "2", env={"TZ": "UTC"})
    assert first.returncode == 0, first.stderr
    # another time zone (LibreOffice writes its local time, "+05'30'") and one batch, not two
    second = run_render(tmp_path, "--out", "two", "--pdf", "--jobs", "1", env={"TZ": "Asia/Kolkata"})
    assert second.returncode == 0, second.stderr
    one, two = tmp_path / "one", tmp_path / "two"
    pdfs = sorted(p.relative_to(one) for p in one.rglob("*.pdf"))
    assert len(pdfs) == 3, pdfs  # IF-018, IF-021, BP005
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for rel in files:  # every file, the PDFs and the manifest with their digests included
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
    for rel in pdfs:
        data = (one / rel).read_bytes()
        assert xref_problems(data) == [], rel
        assert b"/CreationDate(D:20231114221320Z)" in data, rel
        ids = re.search(rb"/ID \[<([0-9A-F]{32})><([0-9A-F]{32})>\]", data)
        assert ids and ids.group(1) == ids.group(2) and ids.group(1) != b"0" * 32, rel
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(one / rel)], capture_output=True, text=True)
            assert info.returncode == 0 and "Syntax" not in info.stderr, info.stderr
            assert "CreationDate:    Tue Nov 14 22:13:20 2023 UTC" in info.stdout


def _classic_pdf(creation: bytes, file_id: bytes, objects: list[bytes] = ()) -> bytes:
    """A small PDF laid out as LibreOffice 7.4 writes it (objects 4... are `objects`),
    with a correct cross-reference table."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[]/Count 0>>",
        b"<</Producer<FEFF004C>/CreationDate(D:" + creation + b")>>",
        *objects,
    ]
    out = b"%PDF-1.6\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R\n/Info 3 0 R\n/ID [ <" % (len(objects) + 1)
    out += file_id + b">\n<" + file_id + b"> ]\n/DocChecksum /" + file_id[::-1]
    out += b"\n>>\nstartxref\n%d\n%%%%EOF\n" % table
    return out


def _objects_of(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(?m)^(\d+) 0 obj\n(.*?)\nendobj", pdf, re.S)}


def test_settle_pdf_fixes_every_varying_part_and_keeps_offsets_valid():
    utc = _classic_pdf(b"20261201190000Z'", b"E9DACE2893D87DCE8CC638BF93083DCD")
    india = _classic_pdf(b"20261202003000+05'30'", b"978DB9DE0D0AB0846E5A039E7B664EA0")
    assert xref_problems(utc) == [] and xref_problems(india) == []
    settled = settle_pdf(utc, int(EPOCH))
    assert settled == settle_pdf(india, int(EPOCH))
    assert xref_problems(settled) == []
    assert b"/CreationDate(D:20231114221320Z)" in settled
    assert b"E9DACE28" not in settled and b"0" * 32 not in settled
    assert settle_pdf(settled, int(EPOCH)) == settled  # settled is settled


def _font(number: int, name: bytes, data: bytes) -> list[bytes]:
    """A font's four objects from `number` on: its file, the file's length, descriptor, font."""
    return [
        b"<</Length %d 0 R>>\nstream\n%s\nendstream" % (number + 1, data),
        b"%d" % len(data),
        b"<</Type/FontDescriptor/FontName/%s/FontFile2 %d 0 R>>" % (name, number),
        b"<</Type/Font/Subtype/TrueType/BaseFont/%s/FontDescriptor %d 0 R>>" % (name, number + 2),
    ]


def test_settle_pdf_puts_the_fonts_in_one_order_whatever_order_libreoffice_chose():
    sans, bold = b"BAAAAA+DejaVuSans", b"CAAAAA+DejaVuSans-Bold"
    # LibreOffice wrote Sans first in one run and Bold first in another (objects 4-7, 8-11)
    one = _font(4, sans, b"sans glyphs") + _font(8, bold, b"bold glyphs 12 0 R") + [b"<</F1 7 0 R/F2 11 0 R>>"]
    two = _font(4, bold, b"bold glyphs 12 0 R") + _font(8, sans, b"sans glyphs") + [b"<</F1 11 0 R/F2 7 0 R>>"]
    settled = [settle_pdf(_classic_pdf(b"20261201190000Z'", b"A" * 32, objects), int(EPOCH)) for objects in (one, two)]
    assert settled[0] == settled[1]
    assert xref_problems(settled[1]) == []
    objects = _objects_of(settled[1])
    resources = dict(re.findall(rb"/(F\d) (\d+) 0 R", objects[12]))
    for resource, name in ((b"F1", sans), (b"F2", bold)):  # each name still leads to its own font
        font = objects[int(resources[resource])]
        assert b"/BaseFont/" + name in font
        descriptor = objects[int(re.search(rb"/FontDescriptor (\d+) 0 R", font).group(1))]
        assert b"/FontName/" + name in descriptor
        file = objects[int(re.search(rb"/FontFile2 (\d+) 0 R", descriptor).group(1))]
        assert (b"sans glyphs" if name == sans else b"bold glyphs 12 0 R") in file  # stream data untouched


def test_settle_pdf_keeps_lengths_in_a_pdf_with_a_cross_reference_stream():
    # no classic table to move: every part keeps its length, so the stream's offsets hold
    data = (
        b"%PDF-1.6\n1 0 obj\n<</CreationDate(D:20261202003000+05'30')>>\nendobj\n"
        b"2 0 obj\n<</Type/XRef/Size 3/ID [<AAAABBBBCCCCDDDDAAAABBBBCCCCDDDD><AAAABBBBCCCCDDDDAAAABBBBCCCCDDDD>]"
        b"/Length 0>>stream\nendstream\nendobj\nstartxref\n60\n%%EOF\n"
    )
    settled = settle_pdf(data, int(EPOCH))
    assert len(settled) == len(data)
    assert b"/CreationDate(D:20231114221320+05'30')" in settled and b"AAAABBBB" not in settled
    assert settled.endswith(b"startxref\n60\n%%EOF\n")


# --------------------------------------------------------------------------- class 8: long and wide


def _long_process(model: Path, steps: int) -> None:
    def change(data):
        process = data["process"]
        process["steps"] = []
        for n in range(1, steps + 1):
            if n % 3 == 0:
                step = {"id": n, "name": f"Send reading {n}", "actor": "SDS", "interface": "IF-021"}
            else:
                step = {"id": n, "name": f"Check the readings of step {n}", "actor": "SDS" if n % 2 else "REGS"}
            if n < steps:
                step["next"] = [n + 1]
            process["steps"].append(step)

    edit_yaml(model / "processes/BP005.yaml", change)


@needs_diagram_tools
def test_a_long_process_is_drawn_in_parts_none_cut_and_all_embedded(tmp_path):
    model = copy_model(tmp_path / "model")
    _long_process(model, 400)
    done = run_render(tmp_path, "--out", "out", "--only", "process-docs,specs", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    pngs = sorted((out / "diagrams/sequence").glob("BP005*.png"))
    svgs = sorted((out / "diagrams/sequence").glob("BP005*.svg"))
    assert len(pngs) > 1 and [p.stem for p in pngs] == [p.stem for p in svgs]
    for png in pngs:  # PlantUML's limit (20,000 px) is far away
        width, height = png_size(png)
        assert max(width, height) < int(sequence.IMAGE_LIMIT) * 0.5, (png.name, width, height)
    # every step is drawn, in order, the last one on the last part
    drawn = [int(m.group(1)) for svg in svgs for t in svg_texts(svg) for m in [re.match(r"(\d+)\. ", t)] if m]
    assert list(dict.fromkeys(drawn)) == list(range(1, 401))
    assert any(t.startswith("400. ") for t in svg_texts(svgs[-1]))
    assert f"(part {len(svgs)} of {len(svgs)})" in " ".join(svg_texts(svgs[-1]))
    # the communication diagram names every step on its edges, none cut to an ellipsis
    edges = " ".join(svg_texts(out / "diagrams/communication/BP005.svg"))
    assert "399. IF&#45;021" in edges and "\u2026" not in edges

    # the process description embeds every part (and the communication diagram), as drawn
    doc = out / "processes/BP005.docx"
    with zipfile.ZipFile(doc) as archive:
        media = {n.rsplit(".", 1)[-1]: set() for n in archive.namelist() if n.startswith("word/media/")}
        for n in archive.namelist():
            if n.startswith("word/media/"):
                media[n.rsplit(".", 1)[-1]].add(archive.read(n))
    # each diagram as its PNG and, its vector original, its SVG
    assert {p.read_bytes() for p in pngs} | {(out / "diagrams/communication/BP005.png").read_bytes()} == media["png"]
    assert {p.read_bytes() for p in svgs} | {(out / "diagrams/communication/BP005.svg").read_bytes()} == media["svg"]
    body = texts(part_xml(doc, r"word/document\.xml"))
    assert f"it is drawn in {len(pngs)} parts" in body
    assert f"part {len(pngs)} of {len(pngs)}" in body
    # the interface specification embeds the parts that send IF-021 (all of them here)
    spec = out / "specs/IF-021.docx"
    with zipfile.ZipFile(spec) as archive:
        assert sum(n.startswith("word/media/") and n.endswith(".png") for n in archive.namelist()) == len(pngs)
        assert sum(n.startswith("word/media/") and n.endswith(".svg") for n in archive.namelist()) == len(svgs)


def test_the_sequence_renderer_warns_of_a_diagram_in_parts(tmp_path):
    model = copy_model(tmp_path / "model")
    _long_process(model, 400)
    checked = check_model(model)
    renderer = sequence.SequenceRenderer()
    jobs = renderer.plan(RenderContext(checked.model, checked.graph, tmp_path / "out", RenderOptions()))
    pngs = [a.path for job in jobs for a in job.artefacts if a.path.endswith(".png")]
    assert len(pngs) > 1
    assert len(renderer.warnings) == 1
    assert "BP005 (400 steps)" in renderer.warnings[0] and f"drawn in {len(pngs)} parts" in renderer.warnings[0]
    # a process that fits is one picture and no warning
    small = check_model(copy_model(tmp_path / "small"))
    renderer.plan(RenderContext(small.model, small.graph, tmp_path / "out", RenderOptions()))
    assert renderer.warnings == []


def test_paginate_splits_a_long_fragment_and_keeps_every_item_in_order(tmp_path):
    model = copy_model(tmp_path / "model")

    def all_conditional(data):
        for step in data["process"]["steps"]:
            step["condition"] = "When the meter is read"

    _long_process(model, 300)
    edit_yaml(model / "processes/BP005.yaml", all_conditional)
    checked = check_model(model)
    view = sequence_view(checked.model, checked.model.processes["BP005"])
    assert len(view.items) == 1 and isinstance(view.items[0], Fragment)  # one `opt` of 300 steps
    parts = diagram_views.paginate(view)
    assert len(parts) > 2
    assert [item for part in parts for item in _flat(part.items)] == list(_flat(view.items))
    for number, part in enumerate(parts, 1):
        assert len(part.items) == 1 and isinstance(part.items[0], Fragment)
        condition = part.items[0].branches[0].condition
        assert condition == "When the meter is read" + ("" if number == 1 else " (continued)")
        assert part.title.endswith(f"(part {number} of {len(parts)})")
    source = plantuml.puml_source(view, parts)
    assert source.count("\nnewpage ") == len(parts) - 1
    assert source.count("\nopt ") == len(parts) and source.count("\nend\n") == len(parts)


def _flat(items):
    for item in items:
        if isinstance(item, Fragment):
            for branch in item.branches:
                yield from _flat(branch.items)
        elif isinstance(item, (Message, Note)):
            yield item


LONG_NAME = " ".join(f"word{n:04d}" for n in range(1111))[:10_000]  # 10,000 characters


@pytest.fixture(scope="module")
def named_site(tmp_path_factory):
    """The fixture model with a 10,000-character interface name, a process name with
    zero-width and bidi characters, and template tokens in names; rendered once."""
    root = tmp_path_factory.mktemp("names")
    model = copy_model(root / "model")

    def long_name(data):
        data["interface"]["name"] = LONG_NAME

    def tokens(data):
        data["interface"]["name"] = "Readings {{document_id}} {{title}} {{date}} {_{date}_} {%p if x %}"

    def hidden(data):
        data["process"]["name"] = HIDDEN_NAME

    edit_yaml(model / "interfaces/IF-018.yaml", long_name)
    edit_yaml(model / "interfaces/IF-021.yaml", tokens)
    edit_yaml(model / "processes/BP005.yaml", hidden)
    assert not check_model(model).has_errors
    done = run_render(root, "--out", "out", "--only", "specs,process-docs", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    return root / "out"


@needs_diagram_tools
def test_a_long_name_is_shortened_in_headers_only(named_site):
    doc = named_site / "specs/IF-018.docx"
    header = Document(str(doc)).sections[0].header.paragraphs[0].text
    shown, classification = header.split("\t")
    assert shown.startswith("IF-018  word0000 word0001") and shown.endswith("\u2026")
    assert len(shown) <= len("IF-018  ") + docx_writer.HEADER_LIMITS["title"]
    assert classification == "PUBLIC"  # the repository's classification (the default), not IF-018's
    assert LONG_NAME in texts(part_xml(doc, r"word/document\.xml"))  # the title block has it all
    core = part_xml(doc, r"docProps/core\.xml")
    title = re.search(r"<dc:title>([^<]*)</dc:title>", core).group(1)
    assert len(title) <= 255 and title.endswith("\u2026")
    # the diagrams that name it wrap and shorten their labels: no picture near a limit
    for png in sorted((named_site / "diagrams").rglob("*.png")):
        assert max(png_size(png)) < 5000, png


def test_diagram_titles_are_wrapped_and_bounded(tmp_path):
    checked = check_model(copy_model(tmp_path / "model"))
    view = market_view(checked.model, checked.model.interfaces.values(), LONG_NAME)
    label = re.search(r"label=<<B>(.*?)</B>>", dot.dot_source(view), re.S).group(1)
    lines = label.split("<BR/>")
    assert len(lines) == 2 and all(len(line) <= dot.TITLE_WIDTH for line in lines)
    assert lines[-1].endswith("\u2026")
    process = checked.model.processes["BP005"]
    seq = sequence_view(checked.model, process)
    seq = type(seq)(seq.id, LONG_NAME, seq.lifelines, seq.items)
    title_line = next(line for line in plantuml.puml_source(seq).splitlines() if line.startswith("title "))
    assert len(title_line) < 2 * plantuml.TITLE_WIDTH + 30
    assert title_line.endswith("&#8230;</b>")  # the ellipsis, as PlantUML writes it


def test_shorten_cuts_at_a_word_and_marks_the_cut():
    assert text.shorten("short name", 70) == "short name"
    assert text.shorten("a\nname  with\tbreaks", 70) == "a name with breaks"
    cut = text.shorten(LONG_NAME, 70)
    assert len(cut) <= 70 and cut.endswith("\u2026") and LONG_NAME.startswith(cut[:-1])
    assert text.shorten("x" * 100, 10) == "x" * 9 + "\u2026"  # no space: cut in the word


# --------------------------------------------------------------------------- class 9: template bombs


def _bomb(path: Path, unpacked: int, claim: int | None = None, forge_crc: bool = False) -> None:
    """The bundled template with a word/document.xml that inflates to `unpacked` bytes
    (a small file: deflate packs repeated text a thousand to one); with `claim`, its
    zip headers say the entry is `claim` bytes (a lying archive), and with `forge_crc`
    they carry the checksum of those first `claim` bytes, so that the lie passes
    zipfile's check."""
    with zipfile.ZipFile(BUNDLED_TEMPLATE) as bundled:
        parts = {n: bundled.read(n) for n in bundled.namelist() if n != "word/document.xml"}
    block = b"<w:p/>" * (1 << 17)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("word/document.xml", "w") as entry:
            for _ in range(unpacked // len(block)):
                entry.write(block)
    if claim is None:
        return
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    crc = zlib.crc32((block * (claim // len(block) + 1))[:claim])
    # the entry's CRC and uncompressed size, in its local header and in the central directory
    for signature, name_length_at, name_at, crc_at, size_at in (
        (b"PK\x03\x04", 26, 30, 14, 22),
        (b"PK\x01\x02", 28, 46, 16, 24),
    ):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(name)] != name or (
            struct.unpack_from("<H", data, at + name_length_at)[0] != len(name)
        ):
            at = data.find(signature, at + 1)
        struct.pack_into("<I", data, at + size_at, claim)
        if forge_crc:
            struct.pack_into("<I", data, at + crc_at, crc)
    path.write_bytes(bytes(data))


MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    started = time.monotonic()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    print(json.dumps({"code": done.returncode, "stderr": done.stderr, "seconds": time.monotonic() - started,
                      "max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
    """
)


def _render_measured(cwd: Path, *args: str) -> dict:
    import json

    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "mhhsarch", "render", "model", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=os.environ)
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "claim, forge_crc, why",
    [
        (None, False, "unpacks to 200 MB"),  # says so honestly in its headers
        (4096, False, "damaged: Bad CRC-32"),  # claims 4 kB: inflating stops there, the CRC fails
        (4096, True, "XMLSyntaxError"),  # and with the CRC of those 4 kB: what is read is 4 kB of broken XML
    ],
)
def test_a_template_zip_bomb_is_refused_in_one_line_fast_and_small(tmp_path, claim, forge_crc, why):
    copy_model(tmp_path / "model")
    (tmp_path / "templates").mkdir()
    bomb = tmp_path / "templates/interface_spec.docx"
    _bomb(bomb, 200 * 2**20, claim, forge_crc)
    assert bomb.stat().st_size < 2 * 2**20  # a small file
    result = _render_measured(tmp_path, "--out", "out", "--only", "specs", "--template", "templates", "--jobs", "2")
    assert result["code"] == 2, result
    lines = result["stderr"].strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mhhsarch: error: "), lines
    assert "interface_spec.docx cannot be used" in lines[0] and why in lines[0], lines
    assert "Traceback" not in result["stderr"]
    assert result["max_rss_kb"] < 150 * 1024, result  # it was never inflated into memory
    assert result["seconds"] < 60
    assert not (tmp_path / "out").exists()


def test_prepare_template_refuses_too_many_entries_and_non_zip_files(tmp_path):
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        for n in range(docx_writer.MAX_TEMPLATE_ENTRIES + 1):
            archive.writestr(f"junk/{n}", b"")
    with pytest.raises(docx_writer.RenderError, match=r"many\.docx cannot be used: it has 1,002 entries"):
        docx_writer.load_docx_template(many, [])
    text_file = tmp_path / "notes.docx"
    text_file.write_text("not a zip")
    with pytest.raises(docx_writer.RenderError, match=r"notes\.docx cannot be used: it is not a Word \(zip\) file"):
        docx_writer.load_docx_template(text_file, [])


def test_the_template_is_read_once_per_run_not_per_document(tmp_path, monkeypatch):
    from mhhsarch.render.documents import word
    from mhhsarch.render.documents.interface_spec import InterfaceSpecRenderer

    checked = check_model(copy_model(tmp_path / "model"))
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates/interface_spec.docx"
    shutil.copyfile(BUNDLED_TEMPLATE, template)
    calls = []
    real = docx_writer.load_docx_template
    monkeypatch.setattr(word, "load_docx_template", lambda *a: calls.append(a) or real(*a))
    options = RenderOptions(
        source_date_epoch=int(EPOCH), template_dir=tmp_path / "templates", template_folders=(tmp_path / "templates",)
    )
    ctx = RenderContext(checked.model, checked.graph, tmp_path / "out", options)
    renderer = InterfaceSpecRenderer()
    assert renderer.available(ctx) is None  # the command line asks first: the template is read here
    jobs = renderer.plan(ctx)
    assert len(jobs) == 2 and len(calls) == 1
    template.unlink()  # the documents are built from the bytes read once
    for job in jobs:
        job.run()
    assert len(calls) == 1
    for job in jobs:
        assert Document(str(ctx.out / job.artefacts[0].path)).sections[0].header.paragraphs[0].text.startswith("IF-0")


# --------------------------------------------------------------------------- class 4: no section properties


def _template_without_sectpr(path: Path) -> None:
    with zipfile.ZipFile(BUNDLED_TEMPLATE) as bundled, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in bundled.infolist():
            data = bundled.read(info)
            if info.filename == "word/document.xml":
                data = re.sub(rb"<w:sectPr.*</w:sectPr>", b"", data, flags=re.S)
                assert b"sectPr" not in data
            copy.writestr(info, data)


def test_a_template_without_section_properties_gets_the_default_page(tmp_path):
    copy_model(tmp_path / "model")
    (tmp_path / "templates").mkdir()
    _template_without_sectpr(tmp_path / "templates/interface_spec.docx")
    done = run_render(tmp_path, "--out", "out", "--only", "specs", "--template", "templates")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    printed = [line for line in done.stderr.splitlines() if line.startswith("mhhsarch: warning:")]
    assert len(printed) == 1 and "has no section properties" in printed[0], done.stderr
    section = Document(str(tmp_path / "out/specs/IF-021.docx")).sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4
    assert section.left_margin.twips == 1134
    warnings: list[str] = []
    docx_writer.load_docx_template(tmp_path / "templates/interface_spec.docx", warnings)
    assert len(warnings) == 1 and "has no section properties" in warnings[0] and "interface_spec.docx" in warnings[0]


# --------------------------------------------------------------------------- class 11: tokens, invisible text


@needs_diagram_tools
def test_a_token_in_a_name_stays_literal_in_the_header(named_site):
    doc = named_site / "specs/IF-021.docx"
    header = texts(part_xml(doc, r"word/header\d*\.xml"))
    footer = texts(part_xml(doc, r"word/footer\d*\.xml"))
    assert header.startswith("IF-021  Readings {{document_id}} {{title}} {{date}} {_{date}_} {%p if x %}"), header
    assert "{{" not in footer and "2023-11-14" in footer  # the template's own tokens are filled


HIDDEN_NAME = "Data\u200b Pro\u202ecessing\u202c \u2066x\u2069\ufeff\u200d\u061c"
SHOWN_NAME = "Data Processing x"


def test_one_policy_for_invisible_characters_in_diagrams_and_documents():
    for char in text.INVISIBLE:
        assert text.clean(f"a{char}b") == "ab" and common.clean(f"a{char}b") == "ab", hex(ord(char))
    assert text.clean(HIDDEN_NAME) == SHOWN_NAME == common.clean(HIDDEN_NAME)
    # controls: U+FFFD in both (a reviewer sees something was there); the diagram text is one line
    for sample in ("bell\x07", "esc\x1b[31m", "del\x7f", "csi\x9b", "nul\x00"):
        assert common.clean(sample + " end") == text.clean(sample + " end")
    assert common.clean("two\nlines\tand tab") == "two lines and tab"
    assert mermaid.text("a\u202eb") == "ab" and plantuml.text("a\u200bb") == "ab"


@needs_diagram_tools
def test_invisible_characters_are_removed_alike_in_every_output(named_site):
    hits = []
    for path in sorted(named_site.rglob("*")):
        if path.suffix in (".puml", ".mmd", ".svg", ".json"):
            content = path.read_text(encoding="utf-8")
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                content = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
        else:
            continue
        hits += [(path.name, hex(ord(c))) for c in text.INVISIBLE if c in content]
    assert hits == []
    shown = {
        "puml": (named_site / "diagrams/sequence/BP005.puml").read_text(encoding="utf-8"),
        "svg": " ".join(svg_texts(named_site / "diagrams/sequence/BP005.svg")),
        "mmd": (named_site / "diagrams/sequence/BP005.mmd").read_text(encoding="utf-8"),
        "communication svg": " ".join(svg_texts(named_site / "diagrams/communication/BP005.svg")),
        "docx": texts(part_xml(named_site / "processes/BP005.docx", r"word/document\.xml")),
        "docx header": texts(part_xml(named_site / "processes/BP005.docx", r"word/header\d*\.xml")),
    }
    assert f"title <b>BP005 {SHOWN_NAME}</b>" in shown["puml"]
    assert f"title BP005 {SHOWN_NAME}" in shown["mmd"]
    assert f"BP005  {SHOWN_NAME}" in shown.pop("docx header")  # the template puts two spaces
    for where, content in shown.items():
        assert f"BP005 {SHOWN_NAME}" in content, where


def test_dot_sources_drop_invisible_characters(tmp_path):
    checked = check_model(copy_model(tmp_path / "model"))
    view = market_view(checked.model, checked.model.interfaces.values(), HIDDEN_NAME)
    source = dot.dot_source(view)
    assert SHOWN_NAME in source and not any(c in source for c in text.INVISIBLE)
