"""PDFs of the Word documents (`--pdf`): `specs/IF-xxx.pdf`, `processes/BPxxx.pdf`.

Phase 2, after the documents exist. LibreOffice converts them headless in batches:
one `soffice --convert-to pdf` call per batch, never one start-up per file. With two
or more jobs the documents are split into two batches that run side by side, each
with its own throw-away LibreOffice profile (two instances cannot share one).

Each document is converted from a copy whose table of contents is unwrapped
(`writers.docx.unwrap_toc`) so that LibreOffice computes its page numbers, and whose
diagrams are their SVGs (`vector_pictures`): the Word file keeps the PNG as each
picture's main image, with the SVG in Word 2016's `asvg:svgBlip` extension, which
LibreOffice 7.4 does not read; given the SVG as the main image it draws the diagram
as vector graphics and text, so that diagram text prints sharp and can be searched. `settle_pdf`
then sets every part that LibreOffice varies from run to run: the creation date
becomes the render's date (in UTC, whatever the machine's time zone), and the file
identifier and LibreOffice's checksum become a digest of the content, so that a PDF
changes only when LibreOffice lays it out differently.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, RenderError
from mhhsarch.render.writers.docx import unwrap_toc

FOLDERS = ("specs", "processes", "redline")  # red-lined PDFs show the tracked changes
MAX_BATCHES = 2
TIMEOUT_BASE, TIMEOUT_PER_DOC = 120, 20  # seconds
INSTALL_HINT = (
    "LibreOffice is needed for --pdf but `soffice` is not on PATH; install the Debian packages "
    "libreoffice-writer-nogui and libreoffice-calc-nogui (apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui), or render without --pdf"
)
# Headings as PDF bookmarks; diagrams kept lossless at their own resolution (LibreOffice's
# default re-samples every picture to 300 dpi as JPEG: slower, and blurs the diagrams'
# text); and a tagged PDF (a structure tree of headings, paragraphs, tables with their
# header rows, and figures with their alternative text), as public-sector documents
# should be for screen readers. Tagging costs about 0.01 s of processor time a document
# in the batch (measured on the shipped model, 73 documents: 34.5 s untagged, 35.2 s tagged;
# benchmarks/bench_tagged_pdf.py; the target was at most 0.3 s).
EXPORT_OPTIONS = (
    '"ExportBookmarks":{"type":"boolean","value":"true"},'
    '"ReduceImageResolution":{"type":"boolean","value":"false"},'
    '"UseLosslessCompression":{"type":"boolean","value":"true"}'
)
EXPORT_FILTER = "pdf:writer_pdf_Export:{" + EXPORT_OPTIONS + ',"UseTaggedPDF":{"type":"boolean","value":"true"}}'
UNTAGGED_FILTER = "pdf:writer_pdf_Export:{" + EXPORT_OPTIONS + "}"  # for the benchmark

# What LibreOffice 7.4 writes differently from run to run (all PDFs have a classic
# cross-reference table, no cross-reference stream):
#   /CreationDate(D:20231114221320Z')    in the information dictionary: the local time and zone ("+05'30'")
#   /ID [ <E9DACE28...>\n<E9DACE28...> ]  in the trailer: random (the line break is LibreOffice's)
#   /DocChecksum /A206EA68E2BC...         in the trailer
#   the order of the font objects         each font's five objects (file, length, descriptor,
#                                         ToUnicode map, font) come in the order of a map keyed by
#                                         memory address: about one render in eight differs
_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:(\d{14})([^)]*)\)")
_FILE_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_REFERENCE = re.compile(rb"(?<![\d.])(\d+) 0 R\b")
_STREAM = re.compile(rb">>\s*stream\r?\n")
_FONT = re.compile(rb"/Type\s*/Font\b.*?/BaseFont\s*/([^\s/<>\[\]()]+)", re.S)
_PLACEHOLDER = b"0" * 32


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_command(
    soffice: str, profile: Path, outdir: Path, inputs: list[Path], target: str = EXPORT_FILTER
) -> list[str]:
    return [
        soffice,
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, inputs),
    ]


def convert_batch(inputs: list[Path], outdir: Path, workdir: Path, target: str = EXPORT_FILTER) -> None:
    """Convert `inputs` in one LibreOffice run into `outdir` (with a fresh profile below
    `workdir`); raises RenderError naming what did not convert."""
    soffice = find_soffice()
    if soffice is None:
        raise RenderError(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp", "HOME": str(workdir)}
    command = soffice_command(soffice, workdir / "profile", outdir, inputs, target)
    # LibreOffice (soffice -> oosplash -> soffice.bin) stays in the worker's process group:
    # when this batch times out or the render is interrupted, the publisher kills that
    # group, soffice.bin included (subprocess.run alone would kill only oosplash).
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_BASE + TIMEOUT_PER_DOC * len(inputs),
        )
    except subprocess.TimeoutExpired as error:
        raise RenderError(
            f"LibreOffice did not finish converting {len(inputs)} documents in {error.timeout:.0f}s"
        ) from None
    extension = target.split(":", 1)[0]
    missing = [p.name for p in inputs if not (outdir / f"{p.stem}.{extension}").is_file()]
    if done.returncode != 0 or missing:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RenderError(
            f"LibreOffice (exit {done.returncode}) did not convert {', '.join(missing[:5]) or 'every file'}"
            + (f": {' / '.join(detail)}" if detail else "")
        )


_SVG_PICTURE = re.compile(
    rb'<a:blip r:embed="[^"]+"><a:extLst><a:ext uri="\{96DAC541-7B7A-43D3-8B79-37D633B846F1\}">'
    rb'<asvg:svgBlip [^>]*?r:embed="([^"]+)"/></a:ext></a:extLst></a:blip>'
)


def vector_pictures(part_xml: bytes) -> bytes:
    """A Word part's pictures with their SVG (Word 2016's `svgBlip`) as the main image."""
    return _SVG_PICTURE.sub(lambda m: b'<a:blip r:embed="' + m.group(1) + b'"/>', part_xml)


def pdf_copy_of(docx: Path, target: Path) -> None:
    """`docx` copied to `target` for LibreOffice: its table of contents unwrapped, its
    diagrams as their SVGs."""
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = unwrap_toc(data)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                data = vector_pictures(data)
            copy.writestr(info, data)


def settle_pdf(data: bytes, epoch: int) -> bytes:
    """`data` (a PDF) with what varies from run to run fixed: dates -> the render's date
    in UTC, the font objects in the order of their names, the file identifier and
    checksum -> an MD5 digest of everything else.

    A PDF with one classic cross-reference table (what LibreOffice writes) is rebuilt
    object by object with a new table, so lengths may change. Any other PDF (a
    cross-reference stream, incremental updates) keeps every byte where it was: only
    the date's digits and the identifier's and checksum's hex digits are replaced."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)).encode()
    layout = _classic_layout(data)
    if layout is None:
        return _settle_in_place(data, stamp)
    head, objects, table, trailer = layout
    objects = _fonts_in_name_order(objects)
    out = [head]
    offsets: dict[int, int] = {}
    position = len(head)
    for number, chunk in objects:
        chunk = _DATE.sub(lambda m: b"/" + m.group(1) + b"(D:" + stamp + b"Z)", chunk)
        offsets[number] = position
        out.append(chunk)
        position += len(chunk)
    trailer = _FILE_ID.sub(b"/ID [<" + _PLACEHOLDER + b"><" + _PLACEHOLDER + b">]", trailer)
    trailer = _CHECKSUM.sub(b"/DocChecksum /" + _PLACEHOLDER, trailer)
    out += [_table(table, offsets), trailer, b"startxref\n%d\n%%%%EOF\n" % position]
    settled = b"".join(out)
    # the placeholders are all that is left to fix: the digest of the rest is the identifier
    digest = hashlib.md5(settled, usedforsecurity=False).hexdigest().upper().encode()
    end = settled.rindex(b"startxref")
    start = settled.rindex(b"trailer", 0, end)
    return settled[:start] + settled[start:end].replace(_PLACEHOLDER, digest) + settled[end:]


def _settle_in_place(data: bytes, stamp: bytes) -> bytes:
    """`settle_pdf` for a PDF whose offsets cannot be rebuilt: every length kept."""
    data = _DATE.sub(lambda m: b"/" + m.group(1) + b"(D:" + stamp + m.group(3) + b")", data)
    variable = [
        (m.start(g), m.end(g)) for p in (_FILE_ID, _CHECKSUM) for m in p.finditer(data) for g in (1, 2)[: p.groups]
    ]
    blank = bytearray(data)
    for start, end in variable:
        blank[start:end] = b"0" * (end - start)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    for start, end in variable:
        blank[start:end] = (digest * ((end - start) // 32 + 1))[: end - start]
    return bytes(blank)


def _classic_layout(data: bytes):
    """(head, objects in file order as (number, bytes), table entries, trailer) of a PDF
    that is a header, its objects one after another, one classic cross-reference table
    and a trailer; None for any other PDF."""
    end = _STARTXREF.search(data, max(0, len(data) - 1024))
    if end is None or not data.startswith(b"xref", int(end.group(1))):
        return None
    table = int(end.group(1))
    trailer_at = data.find(b"trailer", table)
    if trailer_at < 0 or re.search(rb"/(Prev|XRefStm)\b", data[trailer_at : end.start()]):
        return None
    entries = _table_entries(data[table + 4 : trailer_at])
    if entries is None:
        return None
    used = sorted((offset, number) for number, offset, _, kind in entries if kind == b"n")
    if not used:
        return None
    objects = []
    for index, (offset, number) in enumerate(used):
        chunk = data[offset : used[index + 1][0] if index + 1 < len(used) else table]
        if not chunk.startswith(b"%d 0 obj" % number):
            return None
        objects.append((number, chunk))
    return data[: used[0][0]], objects, entries, data[trailer_at : end.start()]


def _table_entries(text: bytes) -> list[tuple[int, int, int, bytes]] | None:
    """(object number, offset or next free number, generation, b"n" or b"f") of each
    entry of a classic cross-reference table (the text after `xref`)."""
    tokens = text.split()
    entries = []
    index = 0
    try:
        while index < len(tokens):
            first, count = int(tokens[index]), int(tokens[index + 1])
            index += 2
            for number in range(first, first + count):
                field, generation, kind = tokens[index : index + 3]
                if kind not in (b"n", b"f"):
                    return None
                entries.append((number, int(field), int(generation), kind))
                index += 3
    except (ValueError, IndexError):
        return None
    return entries


def _table(entries: list[tuple[int, int, int, bytes]], offsets: dict[int, int]) -> bytes:
    """The cross-reference table: the same entries, in-use ones at their new offsets."""
    out = [b"xref\n"]
    index = 0
    while index < len(entries):
        run = index + 1
        while run < len(entries) and entries[run][0] == entries[run - 1][0] + 1:
            run += 1
        out.append(b"%d %d\n" % (entries[index][0], run - index))
        for number, field, generation, kind in entries[index:run]:
            out.append(b"%010d %05d %s \n" % (offsets[number] if kind == b"n" else field, generation, kind))
        index = run
    return b"".join(out)


def _dictionary(chunk: bytes) -> int:
    """Where an object's dictionary part ends (its stream data, if any, follows)."""
    stream = _STREAM.search(chunk)
    return stream.end() if stream else len(chunk)


def _fonts_in_name_order(objects: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """`objects` with the fonts' objects renumbered and placed in the order of the fonts'
    names, so that the file does not depend on the order LibreOffice met them in.

    A font's objects are the font and all it refers to; they must not be shared, and
    all fonts' objects must lie together in the file (as LibreOffice writes them).
    Otherwise the objects are returned as they are."""
    body = {number: chunk[: _dictionary(chunk)] for number, chunk in objects}
    refers = {number: {int(n) for n in _REFERENCE.findall(part)} & body.keys() for number, part in body.items()}
    names = {number: m.group(1) for number, part in body.items() if (m := _FONT.search(part))}
    # a descendant font (of a Type0 font) belongs to the font that refers to it
    tops = [n for n in names if not any(n in refers[other] for other in names)]
    groups = []
    for font in tops:
        group, pending = {font}, [font]
        while pending:
            for target in refers[pending.pop()] - group:
                group.add(target)
                pending.append(target)
        groups.append((names[font], sorted(group)))
    members = [n for _, group in groups for n in group]
    order = [number for number, _ in objects]
    positions = sorted(order.index(n) for n in members)
    if (
        len(groups) < 2
        or len(set(members)) != len(members)
        or positions != list(range(positions[0], positions[-1] + 1))
    ):
        return objects
    canonical = [n for _, group in sorted(groups) for n in group]
    renumber = dict(zip(canonical, sorted(members)))
    if all(old == new for old, new in renumber.items()):
        return objects

    def moved(number: int, chunk: bytes) -> bytes:
        split = _dictionary(chunk)
        head = _REFERENCE.sub(lambda m: b"%d 0 R" % renumber.get(int(m.group(1)), int(m.group(1))), chunk[:split])
        head = b"%d" % renumber.get(number, number) + head[len(b"%d" % number) :]
        return head + chunk[split:]

    chunks = dict(objects)
    block = [(renumber[n], moved(n, chunks[n])) for n in canonical]
    rest = [(number, moved(number, chunk)) for number, chunk in objects]
    return rest[: positions[0]] + block + rest[positions[-1] + 1 :]


def batches(paths: list[str], sizes: dict[str, int], count: int) -> list[list[str]]:
    """`paths` in `count` batches of about equal total size (largest first, to the lightest)."""
    groups: list[list[str]] = [[] for _ in range(count)]
    weights = [0] * count
    for path in sorted(paths, key=lambda p: (-sizes[p], p)):
        lightest = weights.index(min(weights))
        groups[lightest].append(path)
        weights[lightest] += sizes[path]
    return [sorted(g) for g in groups if g]


class PdfRenderer(Renderer):
    name = "pdf"
    title = "PDFs of the Word documents, by headless LibreOffice (only with --pdf)"
    phase = 2
    plan_reads_outputs = True

    def available(self, ctx: RenderContext) -> str | None:
        return None if find_soffice() else INSTALL_HINT

    def plan(self, ctx: RenderContext) -> list[Job]:
        # planned after phase 1 has run: the documents to convert are those this run wrote
        docs = sorted(
            p.relative_to(ctx.out).as_posix() for folder in FOLDERS for p in (ctx.out / folder).glob("*.docx")
        )
        if not docs:
            return []
        sizes = {d: (ctx.out / d).stat().st_size for d in docs}
        count = max(1, min(MAX_BATCHES, ctx.options.jobs, len(docs)))
        jobs = []
        for n, batch in enumerate(batches(docs, sizes, count), 1):
            artefacts = [Artefact(d[: -len(".docx")] + ".pdf", "pdf", (Path(d).stem,)) for d in batch]

            def run(batch=batch) -> None:
                self.convert(ctx, batch)

            jobs.append(Job(f"pdf batch {n} ({len(batch)} documents)", artefacts, run))
        return jobs

    @staticmethod
    def convert(ctx: RenderContext, batch: list[str]) -> None:
        # Outside the output folder: LibreOffice's profile and copies must not be published.
        # During a render the temporary folder is the run's work folder (publish sets it),
        # so a killed render's profile is swept with its run folder, not left in /tmp.
        work = Path(tempfile.mkdtemp(prefix="mhhsarch-pdf-"))
        try:
            inputs = []
            (work / "in").mkdir()
            for rel in batch:
                copy = work / "in" / Path(rel).name
                pdf_copy_of(ctx.out / rel, copy)
                inputs.append(copy)
            convert_batch(inputs, work / "out", work)
            for rel in batch:
                pdf = work / "out" / (Path(rel).stem + ".pdf")
                ctx.target(rel[: -len(".docx")] + ".pdf").write_bytes(
                    settle_pdf(pdf.read_bytes(), ctx.options.source_date_epoch)
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)
