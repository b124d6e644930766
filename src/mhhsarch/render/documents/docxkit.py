"""The one Word writer the document renderers share.

`prepare_template` reads and checks the Word template once per run (size and entry
count before anything is inflated: a template is user input), drops its body and
keeps the result in memory; `WordDocument` starts every document from those bytes,
fills the header and footer tokens, and appends content: numbered headings,
paragraphs, fact tables, data tables, a table of contents, pictures. Content is
built as WordprocessingML directly (python-docx's cell API is slow and cannot mark
header rows); every piece of model text goes through `text.clean` and XML escaping,
so it is shown as the characters it is, never as markup. Only the template's own
`{{tokens}}` are filled, in one pass: a token in model text stays literal.

Output is reproducible: no random ids (bookmarks and pictures are numbered in
document order), document properties carry the render's date, and the zip is
normalised (`reproducible.normalise_zip`).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Emu, Twips

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.documents.text import clean, shorten
from mhhsarch.render.publish import RenderError
from mhhsarch.render.reproducible import normalised_zip

TEMPLATE = "document.docx"
W = nsdecls("w")
TWIPS_PER_CM = 567
EMU_PER_TWIP = 635
HEADER_FILL = "1F3864"
LABEL_FILL = "E8EEF7"
ZEBRA_FILL = "F5F7FB"
BORDER = "A6B4CC"
TOC_LEVELS = 2

# A template is checked before it is inflated: the bundled one is 60 kB unpacked in 14
# entries, a company template with a logo a few MB in a few dozen.
MAX_TEMPLATE_BYTES = 32 * 1024 * 1024  # the file, and all its entries unpacked
MAX_TEMPLATE_ENTRIES = 1000
# Page set-up for a template without one: the bundled template's (A4, 2 cm margins).
DEFAULT_PAGE = {"page_width": 11906, "page_height": 16838, "top_margin": 1247, "bottom_margin": 1134}
DEFAULT_PAGE |= {"left_margin": 1134, "right_margin": 1134, "header_distance": 567, "footer_distance": 567}
# The most characters of a value a header or footer shows (the bundled header holds the
# id, the title and the classification on one line); longer values end with an ellipsis.
HEADER_LIMITS = {"title": 70, "model": 50}
HEADER_LIMIT = 30
_TOKEN = re.compile(r"\{\{[A-Za-z_]+\}\}")


def find_template(ctx: RenderContext, name: str) -> Path:
    """The Word template for one kind of document: `name` in the user's template folder,
    else `document.docx` there, else the bundled `document.docx`."""
    user = ctx.options.template_dir
    if user is not None:
        for candidate in (user / name, user / TEMPLATE):
            if candidate.is_file():
                return candidate
    return ctx.template(TEMPLATE)


def _unusable(path: Path, why: str) -> RenderError:
    return RenderError(f"Word template {path} cannot be used: {why}")


def check_template(path: Path, data: bytes | None = None) -> None:
    """Refuse (RenderError) a template that is too big, has too many entries or says it
    unpacks to too much, from its size and zip directory alone: nothing is inflated."""
    try:
        size = len(data) if data is not None else path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise _unusable(path, f"it is {size / 2**20:.1f} MB (at most {MAX_TEMPLATE_BYTES // 2**20} MB)")
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            entries = archive.infolist()
    except OSError as error:
        raise _unusable(path, error.strerror or str(error)) from None
    except (zipfile.BadZipFile, ValueError) as error:
        raise _unusable(path, f"it is not a Word (zip) file: {error}") from None
    if len(entries) > MAX_TEMPLATE_ENTRIES:
        raise _unusable(path, f"it has {len(entries):,} entries (at most {MAX_TEMPLATE_ENTRIES:,})")
    unpacked = sum(info.file_size for info in entries)
    if unpacked > MAX_TEMPLATE_BYTES:
        raise _unusable(path, f"it unpacks to {unpacked / 2**20:,.0f} MB (at most {MAX_TEMPLATE_BYTES // 2**20} MB)")
    if "word/document.xml" not in {info.filename for info in entries}:
        raise _unusable(path, "it is not a Word document (no word/document.xml)")


def prepare_template(path: Path, warnings: list[str]) -> bytes:
    """The Word template at `path`, checked and with its body removed, as the bytes every
    document of the run starts from; what had to be supplied is added to `warnings`.
    A template that cannot be used is a RenderError naming it."""
    check_template(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _unusable(path, error.strerror or str(error)) from None
    check_template(path, data)  # what was read, in case the file changed since
    # Every entry inflated once, in small steps and to its stated size at most (zipfile
    # stops there and checks the CRC), into a new archive that python-docx reads: it
    # never inflates the user's file itself (zipfile's read() of a whole entry would
    # inflate all of a lying entry into memory before cutting it to its stated size).
    repacked = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(repacked, "w") as clean:
            for info in archive.infolist():
                with archive.open(info) as entry:
                    content = b"".join(iter(lambda: entry.read(1 << 20), b""))
                clean.writestr(info.filename, content)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        raise _unusable(path, f"it is damaged: {error}") from None
    try:
        doc = Document(repacked)
    except Exception as error:  # python-docx reports a broken package in many ways
        raise _unusable(path, f"{type(error).__name__}: {error}") from None
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    for child in list(body):
        if child is not sect:
            body.remove(child)
    supplied = sect is None
    if supplied:
        sect = body.get_or_add_sectPr()
        warnings.append(
            f"Word template {path} has no section properties (page size, margins, header and footer): "
            "the documents use A4 pages with 2 cm margins and no header or footer"
        )
    section = Section(sect, doc.part)
    missing = [name for name in DEFAULT_PAGE if getattr(section, name) is None]
    for name in missing:
        setattr(section, name, Twips(DEFAULT_PAGE[name]))
    if missing and not supplied:
        warnings.append(f"Word template {path} does not set {', '.join(missing)}: the A4 defaults are used")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


class WordDocumentRenderer(Renderer):
    """One Word document per entity, from the template. Subclasses say which entities,
    where each document goes, and how to write it.

    `warnings` (after `plan`) says what the documents could not take from the template.
    """

    phase = 1
    requires = ("sequence", "communication")  # the documents embed these diagrams
    template_name: str
    folder: str
    kind: str

    def available(self, ctx: RenderContext) -> str | None:
        """Checked before anything is rendered (the command line asks every renderer
        first): the template exists and can be used; it is loaded here, once."""
        template = find_template(ctx, self.template_name)
        if not template.is_file():
            return f"Word template {template} is missing"
        try:
            self.template(ctx)
        except RenderError as error:
            return str(error)
        return None

    def template(self, ctx: RenderContext) -> tuple[bytes, list[str]]:
        """The prepared template (`prepare_template`) and its warnings: read once for
        the run, by `available` or else by `plan`, and kept for the documents."""
        path = find_template(ctx, self.template_name)
        try:
            stat = path.stat()
        except OSError as error:
            raise _unusable(path, error.strerror or str(error)) from None
        key = (path, stat.st_size, stat.st_mtime_ns)
        cached = getattr(self, "_template", None)
        if cached is None or cached[0] != key:
            warnings: list[str] = []
            cached = self._template = (key, prepare_template(path, warnings), warnings)
        return cached[1], list(cached[2])

    def entities(self, ctx: RenderContext) -> list:
        raise NotImplementedError

    def view(self, ctx: RenderContext, entity, epoch: int):
        """What the document shows (with `.sources`, the entity ids it is made from)."""
        raise NotImplementedError

    def write(self, view, ctx: RenderContext, template: bytes, target: Path, epoch: int) -> None:
        raise NotImplementedError

    def plan(self, ctx: RenderContext) -> list[Job]:
        # in the parent process, before the jobs fork: they share the bytes
        template, self.warnings = self.template(ctx)
        epoch = ctx.options.source_date_epoch
        jobs = []
        for entity in self.entities(ctx):
            rel = f"{self.folder}/{entity.id}.docx"
            view = self.view(ctx, entity, epoch)

            def run(view=view, rel=rel) -> None:
                self.write(view, ctx, template, ctx.target(rel), epoch)

            jobs.append(Job(f"{self.name} {entity.id}", [Artefact(rel, self.kind, view.sources)], run))
        return jobs


def render_date(epoch: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


@dataclass(frozen=True)
class DocMeta:
    document_id: str
    title: str
    version: str
    status: str
    classification: str
    date: str
    model: str
    subject: str = ""
    keywords: str = ""


@dataclass(frozen=True)
class Column:
    title: str
    width_cm: float


class Cell:
    """A table cell with more than plain text: several lines, bold or italic parts."""

    def __init__(self, *lines, bold: bool = False, italic: bool = False, fill: str | None = None):
        self.lines = [ln for ln in lines if ln is not None and ln != ""]
        self.bold = bold
        self.italic = italic
        self.fill = fill


def runs_xml(text, bold: bool = False, italic: bool = False, size_half_points: int | None = None) -> str:
    """Runs for `text`: tabs and line breaks become Word's own elements, the rest literal."""
    props = ""
    if bold or italic or size_half_points:
        props = "<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
        if size_half_points:
            props += f'<w:sz w:val="{size_half_points}"/><w:szCs w:val="{size_half_points}"/>'
        props += "</w:rPr>"
    parts = []
    for n, line in enumerate(clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if n:
            parts.append("<w:br/>")
        for m, piece in enumerate(line.split("\t")):
            if m:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return f"<w:r>{props}{''.join(parts)}</w:r>" if parts else ""


class WordDocument:
    def __init__(self, template: bytes, meta: DocMeta):
        """A document started from `template`, bytes made by `prepare_template` (an
        empty body with its section properties)."""
        self.doc = Document(io.BytesIO(template))
        self.meta = meta
        self._body = self.doc.element.body
        self._sect = self._body.find(qn("w:sectPr"))
        self._styles = {}
        self._numbers = [0, 0, 0]
        self._headings: list[tuple[int, str, str]] = []  # (level, text, bookmark)
        self._toc_anchor = None
        self._bookmark = 0
        section = self.doc.sections[0]
        self.text_width = int(section.page_width - section.left_margin - section.right_margin) // EMU_PER_TWIP
        self.text_height = int(section.page_height - section.top_margin - section.bottom_margin) // EMU_PER_TWIP
        self._fill_tokens()

    # --- template ---------------------------------------------------------------------
    def style_id(self, name: str) -> str | None:
        """The style id of a paragraph style, None if the template lacks it (Normal is used)."""
        if name not in self._styles:
            try:
                self._styles[name] = self.doc.styles[name].style_id
            except KeyError:
                self._styles[name] = None
        return self._styles[name]  # per document: a user template may name styles differently

    def _fill_tokens(self) -> None:
        values = {
            "document_id": self.meta.document_id,
            "title": self.meta.title,
            "version": self.meta.version,
            "status": self.meta.status,
            "classification": self.meta.classification.upper(),
            "date": self.meta.date,
            "model": self.meta.model,
        }
        values = {
            "{{" + name + "}}": shorten(value, HEADER_LIMITS.get(name, HEADER_LIMIT)) for name, value in values.items()
        }
        for rel in self.doc.part.rels.values():
            if rel.reltype not in (RT.HEADER, RT.FOOTER) or rel.is_external:
                continue
            for paragraph in rel.target_part.element.iter(qn("w:p")):
                _replace_tokens(list(paragraph.iter(qn("w:t"))), values)

    # --- content ------------------------------------------------------------------------
    def _append(self, xml: str):
        element = parse_xml(xml)
        if self._sect is not None:
            self._sect.addprevious(element)
        else:
            self._body.append(element)
        return element

    def _ppr(self, style: str | None, extra: str = "") -> str:
        sid = self.style_id(style) if style else None
        inner = (f'<w:pStyle w:val="{sid}"/>' if sid else "") + extra
        return f"<w:pPr>{inner}</w:pPr>" if inner else ""

    def paragraph(
        self, text="", style: str | None = None, bold: bool = False, italic: bool = False, keep_next: bool = False
    ):
        extra = "<w:keepNext/>" if keep_next else ""
        return self._append(f"<w:p {W}>{self._ppr(style, extra)}{runs_xml(text, bold, italic)}</w:p>")

    def parts(self, pieces: Iterable[tuple[str, bool]], style: str | None = None):
        """One paragraph of (text, bold) pieces."""
        runs = "".join(runs_xml(text, bold) for text, bold in pieces)
        return self._append(f"<w:p {W}>{self._ppr(style)}{runs}</w:p>")

    def note(self, text):
        return self.paragraph(text, "Note", italic=True)

    def bullets(self, items: Iterable[str]):
        for item in items:
            style = "List Bullet" if self.style_id("List Bullet") else None
            self.paragraph(item if style else f"\u2022 {clean(item)}", style)

    def heading(self, text, level: int = 1, numbered: bool = True) -> str:
        """A heading, numbered 1, 1.1, 1.1.1 and bookmarked for the table of contents."""
        label = clean(text)
        if numbered:
            self._numbers[level - 1] += 1
            for deeper in range(level, len(self._numbers)):
                self._numbers[deeper] = 0
            label = ".".join(str(n) for n in self._numbers[:level]) + "  " + label
        self._bookmark += 1
        mark = f"_Toc{self._bookmark:06d}"
        self._headings.append((level, label, mark))
        ppr = self._ppr(f"Heading {level}", "<w:keepNext/>")
        self._append(
            f'<w:p {W}>{ppr}<w:bookmarkStart w:id="{self._bookmark}" w:name="{mark}"/>'
            f'{runs_xml(label)}<w:bookmarkEnd w:id="{self._bookmark}"/></w:p>'
        )
        return label

    def title(self, title, subtitle=None):
        self.paragraph(title, "Title")
        if subtitle:
            self.paragraph(subtitle, "Subtitle")

    def page_break(self):
        self._append(f'<w:p {W}><w:r><w:br w:type="page"/></w:r></w:p>')

    def toc(self, heading: str = "Contents"):
        """A TOC field; its shown result lists the headings (filled in at save), so the
        contents read right before any word processor updates the field."""
        self.paragraph(heading, "TOC Heading")
        self._toc_anchor = self._append(f"<w:p {W}/>")

    # --- tables ---------------------------------------------------------------------------
    def table(self, columns: Sequence[Column], rows: Iterable[Sequence], header: bool = True, zebra: bool = True):
        """A fixed-layout table at the given widths (scaled down to fit the page); the header
        row repeats on every page and rows do not split across pages."""
        widths = _fit([round(c.width_cm * TWIPS_PER_CM) for c in columns], self.text_width)
        text_style, head_style = self.style_id("Table Text"), self.style_id("Table Heading")
        out = [f"<w:tbl {W}>", _tbl_pr(sum(widths)), "<w:tblGrid>"]
        out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
        out.append("</w:tblGrid>")
        if header:
            out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
            for column, width in zip(columns, widths):
                out.append(_tc(width, HEADER_FILL, head_style, runs_xml(column.title, bold=True)))
            out.append("</w:tr>")
        for n, row in enumerate(rows):
            fill = ZEBRA_FILL if zebra and n % 2 else None
            out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            for value, width in zip(row, widths):
                out.append(_cell(value, width, fill, text_style))
            out.append("</w:tr>")
        out.append("</w:tbl>")
        element = self._append("".join(out))
        gap = self._ppr("Normal", '<w:spacing w:before="0" w:after="60"/>')
        self._append(f"<w:p {W}>{gap}</w:p>")
        return element

    def facts(self, pairs: Iterable[tuple[str, object]], label_cm: float = 4.5):
        """A two-column table of labels and values (the title block, key facts)."""
        rows = [(Cell(label, bold=True, fill=LABEL_FILL), value) for label, value in pairs]
        width = self.text_width / TWIPS_PER_CM
        return self.table([Column("", label_cm), Column("", width - label_cm)], rows, header=False, zebra=False)

    # --- pictures -------------------------------------------------------------------------
    def picture(self, path: Path, alt: str, caption: str | None = None, max_height_ratio: float = 0.8):
        """A PNG at its natural size, scaled down to the text width and to part of the page
        height; centred, captioned, with alternative text for screen readers."""
        image = Image.from_file(str(path))
        dpi = image.horz_dpi or 96
        natural_w = image.px_width / dpi * 914400
        natural_h = image.px_height / (image.vert_dpi or dpi) * 914400
        max_w = self.text_width * EMU_PER_TWIP
        max_h = self.text_height * EMU_PER_TWIP * max_height_ratio
        scale = min(1.0, max_w / natural_w, max_h / natural_h)
        width, height = Emu(int(natural_w * scale)), Emu(int(natural_h * scale))
        inline = self.doc.part.new_pic_inline(str(path), width, height)
        doc_pr = inline.find(qn("wp:docPr"))
        doc_pr.set("descr", clean(alt))
        ppr = self._ppr("Normal", '<w:keepNext/><w:jc w:val="center"/>')
        paragraph = self._append(f"<w:p {W}>{ppr}<w:r><w:drawing/></w:r></w:p>")
        paragraph.find(qn("w:r")).find(qn("w:drawing")).append(inline)
        if caption:
            self.paragraph(caption, "Caption")
        return paragraph

    # --- output ---------------------------------------------------------------------------
    def save(self, path: Path, epoch: int) -> None:
        self._fill_toc()
        props = self.doc.core_properties
        when = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
        # python-docx refuses property values over 255 characters
        props.title = shorten(f"{self.meta.document_id} {self.meta.title}", 255)
        props.subject = shorten(self.meta.subject, 255)
        props.keywords = shorten(self.meta.keywords, 255)
        props.identifier = self.meta.document_id
        props.version = shorten(self.meta.version, 255)
        props.content_status = shorten(self.meta.status, 255)
        props.category = shorten(self.meta.classification, 255)
        props.author = "mhhsarch"
        props.last_modified_by = "mhhsarch"
        props.comments = shorten(f"Generated from {self.meta.model}", 255)
        props.revision = 1
        props.created = when
        props.modified = when
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(normalised_zip(buffer.getvalue(), epoch))

    def _fill_toc(self) -> None:
        if self._toc_anchor is None:
            return
        entries = [h for h in self._headings if h[0] <= TOC_LEVELS]
        begin = (
            '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        )
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        tab = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{self.text_width}"/></w:tabs>'
        paragraphs = []
        for n, (level, label, mark) in enumerate(entries or [(1, "", "")]):
            ppr = self._ppr(f"toc {level}", tab + ('<w:ind w:left="360"/>' if level > 1 else ""))
            body = runs_xml(label)
            if mark:
                body = (
                    f'<w:hyperlink w:anchor="{mark}" w:history="1">{body}<w:r><w:tab/></w:r>'
                    f'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                    f'<w:r><w:instrText xml:space="preserve"> PAGEREF {mark} \\h </w:instrText></w:r>'
                    f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t></w:t></w:r>'
                    f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink>'
                )
            first = begin if n == 0 else ""
            last = end if n == len(entries or [0]) - 1 else ""
            paragraphs.append(f"<w:p {W}>{ppr}{first}{body}{last}</w:p>")
        for xml in paragraphs:
            self._toc_anchor.addprevious(parse_xml(xml))
        self._toc_anchor.getparent().remove(self._toc_anchor)
        self._toc_anchor = None


_TOC_BEGIN = re.compile(
    rb'<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
    rb'<w:r><w:instrText xml:space="preserve"> TOC [^<]*</w:instrText></w:r>'
    rb'<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
)
_TOC_END = b'</w:hyperlink><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'


def unwrap_toc(document_xml: bytes) -> bytes:
    """The document body with our TOC field's wrapper removed, its entries kept.

    LibreOffice shows a TOC field's stored result as it is and does not update it when
    converting; the entries' PAGEREF fields, once outside the TOC field, are computed at
    layout. The PDF renderer converts documents through this so PDFs show page numbers;
    the Word files keep the real TOC field (marked dirty, so Word rebuilds it on open).
    """
    begin = _TOC_BEGIN.search(document_xml)
    if begin is None:
        return document_xml
    end = document_xml.find(_TOC_END, begin.end())
    if end < 0:
        return document_xml
    cut = end + len("</w:hyperlink>")
    return (
        document_xml[: begin.start()]
        + document_xml[begin.end() : cut]
        + document_xml[cut + len('<w:r><w:fldChar w:fldCharType="end"/></w:r>') :]
    )


def _fit(widths: list[int], total: int) -> list[int]:
    if sum(widths) <= total:
        return widths
    scaled = [w * total // sum(widths) for w in widths]
    scaled[-1] += total - sum(scaled)
    return scaled


def _tbl_pr(width: int) -> str:
    edges = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return (
        f'<w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        f"<w:tblBorders>{edges}</w:tblBorders>"
        '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="68" w:type="dxa"/>'
        '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="68" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        "</w:tblPr>"
    )


def _tc(width: int, fill: str | None, style_id: str | None, runs: str) -> str:
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    ppr = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr><w:p>{ppr}{runs}</w:p></w:tc>'


def _cell(value, width: int, fill: str | None, style_id: str | None) -> str:
    if not isinstance(value, Cell):
        return _tc(width, fill, style_id, runs_xml(value))
    lines = value.lines or [""]
    ppr = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
    shade_fill = value.fill or fill
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{shade_fill}"/>' if shade_fill else ""
    paragraphs = []
    for n, line in enumerate(lines):
        # a (text, italic) pair is a secondary line (a description under a name)
        if isinstance(line, tuple):
            text, italic = line
            paragraphs.append(
                f"<w:p>{ppr}{runs_xml(text, italic=italic, size_half_points=15 if italic else None)}</w:p>"
            )
        else:
            paragraphs.append(f"<w:p>{ppr}{runs_xml(line, value.bold and n == 0, value.italic)}</w:p>")
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>{"".join(paragraphs)}</w:tc>'


def _replace_tokens(texts: list, values: dict[str, str]) -> None:
    """Replace `{{token}}`s in a paragraph's w:t elements, also when a word processor has
    split a token over several runs (the pieces are gathered into the first).

    One pass over the template's text: a value put in is never looked at again, so a
    name that contains `{{document_id}}` is shown as written. Unknown tokens stay."""
    n = 0
    while n < len(texts):
        node = texts[n]
        value = node.text or ""
        m = n + 1
        while value.rfind("{{") > value.rfind("}}") and m < len(texts):
            value += texts[m].text or ""
            texts[m].text = ""
            m += 1
        if "{{" in value:
            value = _TOKEN.sub(lambda token: clean(values.get(token.group(0), token.group(0))), value)
            node.set(qn("xml:space"), "preserve")
        node.text = value
        n = m
