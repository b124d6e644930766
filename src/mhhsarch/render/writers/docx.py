"""The Word writer: a view rendered through a Word template with Jinja2 tags (docxtpl).

The template is the design authority's document: section order, boilerplate, the
header and footer, tables and their styles are edited in Word or LibreOffice. This
writer only

* turns the view into the template's context: every text is XML-safe (`text.clean`)
  and literal (autoescaped; braces written as character references, so model text
  such as `{{title}}` is never read as a tag, not even by docxtpl's own clean-up);
  every diagram becomes an inline picture sized to the page, with its alternative
  text, or None where the diagram was not rendered in this run;
* embeds each diagram as vector: the SVG the diagram renderers wrote beside the PNG,
  in Word 2016's `asvg:svgBlip` extension of the picture whose main image is the PNG
  (older Word shows the PNG; the PDF renderer hands LibreOffice the SVG itself), and
  sizes it so that its smallest text prints at 7 points at least: a diagram too wide
  for that on a portrait page goes on a landscape page of its own, with its heading
  and caption (`place_diagram` decides, `_landscape_sections` makes the sections);
* numbers the headings (1, 1.1, 1.1.1; an "Appendix" heading and the headings under
  it stay unnumbered), bookmarks them and fills the table of contents, so that the
  contents read right before any word processor updates the field;
* makes the file reproducible (document properties and zip times from the render's
  one timestamp).

A template is user input, read once per run (`load_docx_template`): its size and
entry count are checked before anything is inflated, every entry is inflated in small
steps to its stated size at most (a lying zip cannot take the memory), and each
document starts from the same checked bytes.
"""

from __future__ import annotations

import copy
import functools
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.oxml.parser import OxmlElement, element_class_lookup
from docx.section import Section
from docx.shared import Emu, Twips
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, StrictUndefined, TemplateError
from lxml import etree
from markupsafe import Markup, escape

from mhhsarch.render.base import RenderError
from mhhsarch.render.documents.text import clean, shorten
from mhhsarch.render.reproducible import reproducible_zip
from mhhsarch.render.views import as_data

W = nsdecls("w")
# The tags the post-processing passes look for in every paragraph and cell, made once
# (`qn` in those loops was a tenth of the passes' time).
_P, _PPR, _PSTYLE, _VAL = qn("w:p"), qn("w:pPr"), qn("w:pStyle"), qn("w:val")
_T, _NO_BREAK, _TBL, _TR, _TC = qn("w:t"), qn("w:noBreakHyphen"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_DOCUMENT, _BODY = qn("w:document"), qn("w:body")
_EMPTY_CELLS = etree.XPath(".//w:tc[not(w:p)]", namespaces={"w": nsmap["w"]})
_LAST_PARAGRAPH = etree.XPath("(.//w:p)[last()]", namespaces={"w": nsmap["w"]})
EMU_PER_TWIP = 635
TOC_LEVELS = 2
# A diagram takes at most this share of the page's text height, and leaves LEAD_IN for
# the headings and note before it and its caption (twips; 110 points: a heading of each
# level, a note and a caption), so that they share its page ...
MAX_HEIGHT_RATIO = 0.8
LEAD_IN = 2200
# ... unless it needs more to print its text at MIN_DIAGRAM_POINTS: then all of the text
# height but this much, kept for its caption (twips; 36 points)
CAPTION_RESERVE = 720
MIN_DIAGRAM_POINTS = 7.0  # the smallest size diagram text may print at (issue 11)
DIAGRAM_FIELDS = {"path", "alt", "caption"}
SVG_BLIP_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"  # Word 2016's SVG picture
ASVG = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
SVG = "{http://www.w3.org/2000/svg}"
LANDSCAPE_PICTURE = "Diagram on a landscape page"
EMU_PER_POINT = 12700
# A template is checked before it is inflated: the bundled ones are about 100 kB
# unpacked in 14 entries, a company template with a logo a few MB in a few dozen.
MAX_TEMPLATE_BYTES = 32 * 1024 * 1024  # the file, and all its entries unpacked
MAX_TEMPLATE_ENTRIES = 1000
# The most characters of a value the page header or footer shows (the bundled header
# holds the id, the title and the classification on one line); longer values end with
# an ellipsis. The title page and the document properties show them whole.
HEADER_LIMITS = {"title": 70, "model": 50}
# Page set-up for a template without one: the bundled template's (A4, 2 cm margins).
DEFAULT_PAGE = {"page_width": 11906, "page_height": 16838, "top_margin": 1247, "bottom_margin": 1134}
DEFAULT_PAGE |= {"left_margin": 1134, "right_margin": 1134, "header_distance": 567, "footer_distance": 567}
HEADER_LIMIT = 30


class TemplateProblem(RenderError):
    """A Word template that cannot be used; the message names it and says why."""


def _unusable(path: Path, why: str) -> TemplateProblem:
    return TemplateProblem(f"Word template {path} cannot be used: {why}")


def check_template(path: Path, data: bytes | None = None) -> None:
    """Refuse (TemplateProblem) a template that is too big, has too many entries or says
    it unpacks to too much, from its size and zip directory alone: nothing is inflated."""
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


def load_docx_template(path: Path, warnings: list[str] | None = None) -> DocxTemplateSource:
    """The Word template at `path`, checked, for every document of a run; what the
    documents cannot take from it is added to `warnings`."""
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
        with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(repacked, "w") as copy:
            for info in archive.infolist():
                with archive.open(info) as entry:
                    content = b"".join(iter(lambda: entry.read(1 << 20), b""))
                copy.writestr(info.filename, content)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        raise _unusable(path, f"it is damaged: {error}") from None
    source = DocxTemplateSource(path, repacked.getvalue())
    document = source.new().docx  # parses: a broken package is refused here, once
    supplied = _supply_page_setup(document)
    if supplied:
        buffer = io.BytesIO()
        document.save(buffer)
        source = DocxTemplateSource(path, buffer.getvalue())
        if warnings is not None:
            warnings.append(f"Word template {path} {supplied}: the A4 defaults (2 cm margins) are used")
    return source


def _supply_page_setup(document) -> str | None:
    """Give a template without a page size or margins the bundled template's (A4, 2 cm);
    says what was missing, None when nothing was."""
    body = document.element.body
    missing_section = body.find(qn("w:sectPr")) is None
    section = Section(body.get_or_add_sectPr(), document.part)
    missing = [name for name in DEFAULT_PAGE if getattr(section, name) is None]
    for name in missing:
        setattr(section, name, Twips(DEFAULT_PAGE[name]))
    if missing_section:
        return "has no section properties (page size, margins, header and footer)"
    return f"does not set {', '.join(missing)}" if missing else None


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _CompilingOnce(Environment):
    """Every document of a run renders the same template parts (body, header, footer,
    properties); compiling each once instead of once per document halves the time a
    document takes (measured: 75 -> 35 ms for an interface specification)."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's signature
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled

    def getattr(self, obj, attribute):  # noqa: A003 - Jinja's method
        """Jinja's `obj.attribute`: the attribute, else the item. The view's data are
        dicts, for which trying the attribute first raised and caught an AttributeError
        for every field shown (a tenth of the rendering); the answer is the same."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


# docxtpl's `resolve_listing` turns the tabs, line feeds and page breaks of a text into
# Word's elements, paragraph by paragraph (its paragraph pattern); only these characters
# change anything.
_LISTING_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_LISTING_CHARACTER = re.compile("[\t\a\n\f]")


# The start tag of a body docxtpl rendered: the namespaces in scope, declared again.
_BODY_START = re.compile(r'<w:body(?:\s+xmlns(?::\w+)?="[^"]*")*\s*>')
_DECLARATION = re.compile(r' xmlns:(\w+)="([^"]*)"')


class _Template(DocxTemplate):
    """docxtpl's template, rendering as docxtpl 0.20 does with less work per document:
    the tag clean-up (`patch_xml`, pure) is done once per part, `resolve_listing` only
    rewrites the paragraphs it changes, and the rendered body is parsed in its document
    rather than moved into it (see `fix_tables`); it also holds the document's SVG parts."""

    source: DocxTemplateSource
    svg_parts: dict[int, dict[Path, Part]]

    def patch_xml(self, src_xml):
        done = self.source.patched.get(src_xml)
        if done is None:
            done = self.source.patched[src_xml] = super().patch_xml(src_xml)
        return done

    # False until something is rendered into the body that must be moved into the
    # document as docxtpl does it (see `in_body`)
    moved = False

    def in_body(self, xml: str) -> str:
        """A picture's `xml` for the body, without the namespace declarations the
        document's root makes: lxml dropped those when docxtpl moved the body into the
        document, and `fix_tables` parses the body within it. A declaration the move
        would have changed otherwise (the root's namespace under another prefix, or
        declared twice) leaves the moving to docxtpl."""
        declared = self.docx.element.nsmap
        uris = [uri for _, uri in _DECLARATION.findall(xml)]

        def drop(declaration: re.Match) -> str:
            prefix, uri = declaration.groups()
            if declared.get(prefix) == uri:
                return ""
            if uri in declared.values() or prefix in declared or uris.count(uri) > 1:
                self.moved = True
            return declaration.group(0)

        return _DECLARATION.sub(drop, xml)

    def fix_tables(self, xml):
        """The rendered body `xml`, parsed as docxtpl does (recovering), but as the body
        of a copy of the template's document.xml, with python-docx's element classes:
        `map_tree` then makes it the document's. docxtpl parsed the body alone and moved
        it into the document, and lxml's move of a whole body took as long as parsing
        it. Where docxtpl would change a table (its columns made to match the cells
        of a `{%tc %}` loop) or the body is not as expected, docxtpl does it all."""
        shell = self.source.shell(self.docx.element)
        start = _BODY_START.match(xml)
        if shell is None or start is None or self.moved:
            return super().fix_tables(xml)
        parser = etree.XMLParser(recover=True)  # docxtpl's ...
        parser.set_element_class_lookup(element_class_lookup)  # ... with python-docx's classes
        document = etree.fromstring(shell[0] + "<w:body>" + xml[start.end() :] + shell[1], parser)
        return document if _tables_fit(document) else super().fix_tables(xml)

    def fix_docpr_ids(self, tree):
        """docxtpl's (the pictures numbered in order), for python-docx's elements too."""
        for picture in tree.iter(qn("wp:docPr")):
            self.docx_ids_index += 1
            picture.attrib["id"] = str(self.docx_ids_index)

    def map_tree(self, tree):
        if tree.tag != _DOCUMENT:
            return super().map_tree(tree)
        self.docx._element = self.docx.part._element = tree

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        """docxtpl's, without its error context (the writer reports the line), its
        regular expressions as plain replacements."""
        self.current_rendering_part = part
        # a line per paragraph, so that a template error names a line
        src_xml = src_xml.replace("<w:p ", "\n<w:p ").replace("<w:p>", "\n<w:p>")
        dst_xml = (jinja_env or Environment()).from_string(src_xml).render(context)
        dst_xml = dst_xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        dst_xml = dst_xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return self.resolve_listing(dst_xml)

    def resolve_listing(self, xml):
        """docxtpl's, on the paragraphs holding a tab, line feed or page break only: it
        rewrote every paragraph of every document, which changed nothing in the others
        (and took a tenth of a document's time)."""
        if _LISTING_CHARACTER.search(xml) is None:
            return xml

        def resolve(paragraph: re.Match) -> str:
            text = paragraph.group(0)
            return DocxTemplate.resolve_listing(self, text) if _LISTING_CHARACTER.search(text) else text

        return _LISTING_PARAGRAPH.sub(resolve, xml)


class DocxTemplateSource:
    """One Word template, read and checked once per run; `new()` gives a fresh copy."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self.data = data
        self.env = _CompilingOnce()
        self.patched: dict[str, str] = {}
        self._shell: tuple[str, str] | None | bool = False  # False: not made yet
        self._document: Any = None  # the template as python-docx reads it, never changed

    def shell(self, document) -> tuple[str, str] | None:
        """The template's document.xml (its root `document`) before and after its body,
        the body's tail dropped (as docxtpl's replacement of the body drops it); None
        when the body's namespaces are not the document's or it declares some of its
        own (then a body parsed within the document would not be the body docxtpl
        moves into it: lxml's move drops declarations the document makes)."""
        if self._shell is False:
            body = document.find(_BODY)
            self._shell = None
            inside = etree.tostring(body, encoding="unicode").partition(">")[2] if body is not None else ""
            if body is not None and body.nsmap == document.nsmap and "xmlns" not in inside:
                skeleton = copy.deepcopy(document)
                skeleton.find(_BODY).clear()
                before, found, after = etree.tostring(skeleton, encoding="unicode").partition("<w:body/>")
                self._shell = (before, after) if found else None
        return self._shell  # type: ignore[return-value]  # made: a tuple or None

    def new(self) -> DocxTemplate:
        try:
            if self._document is None:
                self._document = Document(io.BytesIO(self.data))
            tpl = _Template(io.BytesIO(self.data))
            tpl.source = self
            tpl.svg_parts = {}
            # a copy of the document python-docx read once: copying its parts (their XML
            # trees) takes half the time of reading them from the package again
            tpl.docx = copy.deepcopy(self._document)
            tpl.init_docx()
            return tpl
        except Exception as error:  # python-docx reports a broken package in many ways
            raise _unusable(self.path, f"{type(error).__name__}: {error}") from None


class _Picture(InlineImage):
    """docxtpl's inline image, with the picture's alternative text for screen readers,
    the SVG of the diagram (when there is one) as the vector original of the PNG, and
    whether it goes on a landscape page (named LANDSCAPE_PICTURE until the sections are made)."""

    def __init__(self, tpl, path: str, width: int, height: int, alt: str, svg: Path | None, landscape: bool):
        super().__init__(tpl, path, Emu(width), Emu(height))
        self.alt = alt
        self.svg = svg
        self.landscape = landscape

    def _insert_image(self) -> str:
        xml = super()._insert_image()
        xml = xml.replace("<wp:docPr ", f'<wp:docPr descr="{_attribute(self.alt)}" ', 1)
        if self.svg is not None:
            rid = _svg_relationship(self.tpl, self.svg)
            extension = (
                f'<a:extLst><a:ext uri="{SVG_BLIP_EXTENSION}"><asvg:svgBlip xmlns:asvg="{ASVG}" r:embed="{rid}"/>'
                "</a:ext></a:extLst>"
            )
            xml = re.sub(
                r"(<a:blip r:embed=\"[^\"]+\")\s*/>", lambda m: f"{m.group(1)}>{extension}</a:blip>", xml, count=1
            )
        if self.landscape:  # found by this name after rendering (docxtpl renumbers the ids)
            xml = re.sub(r'(<wp:docPr [^>]*\bname=")[^"]*"', rf'\g<1>{LANDSCAPE_PICTURE}"', xml, count=1)
        return self.tpl.in_body(xml) if self.tpl.current_rendering_part is self.tpl.docx.part else xml


def _svg_relationship(tpl, svg: Path) -> str:
    """The relationship id of `svg` as an image part of the part being rendered (one
    part per file and document, however often the document shows it)."""
    part = tpl.current_rendering_part
    parts = tpl.svg_parts.setdefault(id(part), {})
    if svg not in parts:
        name = part.package.next_partname("/word/media/image%d.svg")
        parts[svg] = Part(PackURI(name), "image/svg+xml", svg.read_bytes(), part.package)
    return part.relate_to(parts[svg], RELATIONSHIP_TYPE.IMAGE)


def write_docx(view, template: DocxTemplateSource, out_dir: Path, target: Path, epoch: int, marks=()) -> None:
    """Render `view` through `template` into `target`; diagrams are read below `out_dir`;
    `marks` (views/bookmarks.py) say where the anchors' bookmarks go."""
    target.write_bytes(docx_bytes(view, template, out_dir, epoch, marks))


def docx_bytes(view, template: DocxTemplateSource, out_dir: Path, epoch: int, marks=()) -> bytes:
    """`view` rendered through `template`, as the bytes of a reproducible .docx."""
    tpl = template.new()
    page = _text_area(tpl)
    context = _context(as_data(view), tpl, out_dir, _pages(tpl))
    context["header"] = _header(view.info)
    try:
        tpl.render(context, jinja_env=template.env, autoescape=True)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f" (line {line})" if line else ""
        raise TemplateProblem(f"Word template {template.path}: {error}{where}") from None
    _give_every_cell_a_paragraph(tpl.docx.element.body)
    _landscape_sections(tpl.docx)
    _number_headings_and_fill_toc(tpl.docx, page[0])
    if marks:
        bookmark_anchors(tpl.docx, marks)
    _set_properties(tpl.docx, view.info, epoch)
    return reproducible_zip(_package_files(tpl.docx), epoch, fresh=frozenset({"word/document.xml"}))


class _Files:
    """Collects what python-docx's package writer writes (`PhysPkgWriter`'s interface)."""

    def __init__(self) -> None:
        self.files: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.files.append((pack_uri.membername, blob))


def _package_files(document) -> list[tuple[str, bytes]]:
    """The document's files (name, content) as `Document.save` writes them, in its order.

    They go to `reproducible_zip` directly: saving through python-docx deflated every
    file once for its zip and again when the zip was made reproducible (a third of a
    document's time went into deflating)."""
    package = document.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    files = _Files()
    PackageWriter._write_content_types_stream(files, parts)
    PackageWriter._write_pkg_rels(files, package.rels)
    PackageWriter._write_parts(files, parts)  # type: ignore[arg-type]  # _Files has the one method it calls
    return files.files


# --- context ------------------------------------------------------------------------------


# The hyphen between an id's prefix and its number (IF-021, PUB-021, DI-001, C-0001,
# DP-03): written as Word's non-breaking hyphen so that an id never splits over two
# lines. python-docx reads it back as "-", Word shows and prints a hyphen (its Find
# matches it with ^~), and LibreOffice's PDFs carry a plain "-" in their text, so
# searches and copies of a PDF find "IF-021". Long word-like ids (VS-..., ENT-...)
# keep their hyphens between words: in a narrow table cell they wrap there, not
# anywhere. Page headers and footers keep plain hyphens (one line each, ids first).
_ID_HYPHEN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,5})-(?=\d)")
_NO_BREAK_HYPHEN = r'\1</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'


# The same texts come back in every document (field names, roles, "Yes"): made once each.
@functools.lru_cache(maxsize=1 << 16)
def _literal(text: str, keep_ids_whole: bool = True) -> Markup:
    """Model text as literal XML text: escaped, control characters replaced, and braces
    as character references (docxtpl rewrites `{_{` to `{{` in its output); with
    `keep_ids_whole`, ids never break after their prefix (the text sits in a `w:t` of
    the template's run, so the hyphen element is placed between two `w:t`)."""
    xml = str(escape(clean(text))).replace("{", "&#123;").replace("}", "&#125;")
    if keep_ids_whole:
        xml = _ID_HYPHEN.sub(_NO_BREAK_HYPHEN, xml)
    return Markup(xml)


def _context(data: Any, tpl: DocxTemplate, out_dir: Path, page: Pages) -> Any:
    if isinstance(data, str):
        return _literal(data)
    if isinstance(data, list):
        return [_context(v, tpl, out_dir, page) for v in data]
    if isinstance(data, dict):
        converted = {k: _context(v, tpl, out_dir, page) for k, v in data.items()}
        if set(data) == DIAGRAM_FIELDS:
            converted["image"] = _picture(tpl, out_dir / data["path"], data["alt"], page)
        return converted
    return data


def _header(info) -> dict[str, Markup]:
    """The document's identity as the page header and footer show it: bounded in length."""
    values = {
        "document_id": info.document_id,
        "title": info.title,
        "version": info.version,
        "status": info.status,
        "classification": info.classification.upper(),
        "date": info.date,
        "model": info.model,
    }
    return {k: _literal(shorten(v, HEADER_LIMITS.get(k, HEADER_LIMIT)), False) for k, v in values.items()}


@dataclass(frozen=True)
class Pages:
    """The text area of the document's pages, portrait (as the template sets it up) and
    landscape (the same page turned, the same margins), in twips."""

    portrait: tuple[int, int]
    landscape: tuple[int, int]


@dataclass(frozen=True)
class Placement:
    """Where and how large a diagram is embedded: size in EMU, on a landscape page or
    not, and the size its smallest text prints at (None: not known, no SVG)."""

    width: int
    height: int
    landscape: bool
    smallest_points: float | None


def svg_text_scale(svg: bytes) -> tuple[float, float, float] | None:
    """(width, height, smallest font size) of an SVG in its own units (its viewBox):
    the picture's text prints at `font size * printed width / width`. None when the
    SVG has no text or cannot be read."""
    try:
        root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return None
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        width, height = (
            (float(box[2]), float(box[3]))
            if len(box) == 4
            else (_length(root.get("width")), _length(root.get("height")))
        )
    except (TypeError, ValueError):
        return None
    sizes = [size for text in root.iter(f"{SVG}text") if (size := _font_size(text)) is not None]
    if not sizes or width <= 0 or height <= 0:
        return None
    return width, height, min(sizes)


def _length(value: str | None) -> float:
    return float(re.sub(r"[a-z%]+$", "", (value or "").strip()))


_FONT_SIZE_STYLE = re.compile(r"font-size\s*:\s*([\d.]+)")


def _font_size(element) -> float | None:
    """The font size a text element is drawn at (its own, or inherited from a group)."""
    while element is not None and element.tag is not etree.Comment:
        value = element.get("font-size")
        if value is None:
            found = _FONT_SIZE_STYLE.search(element.get("style") or "")
            value = found.group(1) if found else None
        if value is not None:
            try:
                return _length(value)
            except ValueError:
                return None
        element = element.getparent()
    return 16.0  # SVG's initial font size


def place_diagram(natural: tuple[float, float], text: tuple[float, float, float] | None, pages: Pages) -> Placement:
    """The size of a diagram of `natural` size (EMU) whose SVG has `text` (width, height,
    smallest font size, from `svg_text_scale`): never larger than natural, within the
    text width, at most MAX_HEIGHT_RATIO of the text height and room for LEAD_IN; and, where that would print
    its text below MIN_DIAGRAM_POINTS, as tall as the page allows (but a caption line),
    on a portrait page if that is enough, else on a landscape page. A diagram that is
    still too small on a landscape page gets the landscape page's largest size."""
    natural_w, natural_h = natural
    options = []
    for landscape, (width, height) in ((False, pages.portrait), (True, pages.landscape)):
        for tallest in (min(height * MAX_HEIGHT_RATIO, height - LEAD_IN), height - CAPTION_RESERVE):
            scale = min(1.0, width * EMU_PER_TWIP / natural_w, tallest * EMU_PER_TWIP / natural_h)
            w, h = int(natural_w * scale), int(natural_h * scale)
            smallest = None if text is None else text[2] * (w / EMU_PER_POINT) / text[0]
            options.append(Placement(w, h, landscape, smallest))
            if smallest is None:
                return options[0]  # nothing to measure (no SVG): the portrait page, as always
            if smallest >= MIN_DIAGRAM_POINTS - 1e-9:
                return options[-1]
    return options[-1]


def _picture(tpl: DocxTemplate, path: Path, alt: str, pages: Pages) -> _Picture | None:
    """The diagram at `path` (its PNG; its SVG beside it when there is one), placed by
    `place_diagram`."""
    if not path.is_file():
        return None
    image = Image.from_file(str(path))
    dpi = image.horz_dpi or 96
    natural_w = image.px_width / dpi * 914400
    natural_h = image.px_height / (image.vert_dpi or dpi) * 914400
    svg = path.with_suffix(".svg")
    text = svg_text_scale(svg.read_bytes()) if svg.is_file() else None
    placement = place_diagram((natural_w, natural_h), text, pages)
    return _Picture(
        tpl,
        str(path),
        placement.width,
        placement.height,
        clean(alt),
        svg if text is not None else None,
        placement.landscape,
    )


def _pages(tpl: DocxTemplate) -> Pages:
    """The first section's text area, portrait and turned to landscape."""
    portrait = _text_area(tpl)
    sect = tpl.docx.element.body.find(qn("w:sectPr"))
    size = sect.find(qn("w:pgSz")) if sect is not None else None
    margins = sect.find(qn("w:pgMar")) if sect is not None else None

    def get(element, name: str, default: int) -> int:
        value = element.get(qn(name)) if element is not None else None
        return int(value) if value and value.lstrip("-").isdigit() else default

    page_w, page_h = get(size, "w:w", 11906), get(size, "w:h", 16838)
    across = max(page_w, page_h) - get(margins, "w:left", 1134) - get(margins, "w:right", 1134)
    down = min(page_w, page_h) - get(margins, "w:top", 1247) - get(margins, "w:bottom", 1134)
    return Pages(portrait, (max(across, 1440), max(down, 1440)))


def _text_area(tpl: DocxTemplate) -> tuple[int, int]:
    """The first section's text width and height in twips (A4 with 2 cm margins if unset)."""
    sect = tpl.docx.element.body.find(qn("w:sectPr"))
    size = sect.find(qn("w:pgSz")) if sect is not None else None
    margins = sect.find(qn("w:pgMar")) if sect is not None else None

    def get(element, name: str, default: int) -> int:
        value = element.get(qn(name)) if element is not None else None
        return int(value) if value and value.lstrip("-").isdigit() else default

    width = get(size, "w:w", 11906) - get(margins, "w:left", 1134) - get(margins, "w:right", 1134)
    height = get(size, "w:h", 16838) - get(margins, "w:top", 1247) - get(margins, "w:bottom", 1134)
    return max(width, 1440), max(height, 1440)


def _attribute(text: str) -> str:
    return str(escape(text)).replace("\n", " ")


def _tables_fit(document) -> bool:
    """Whether docxtpl's `fix_tables` leaves every table of `document` as it is: every
    table has a grid, no row has more cells than the grid has columns, and a row's cells
    (with their spans) fill all the columns."""
    properties, grid_span = qn("w:tcPr"), qn("w:gridSpan")

    def width(cell) -> int:  # docxtpl's: the grid span of its first properties, else 1
        found = cell.find(properties)
        span = found.find(grid_span) if found is not None else None
        return 1 if span is None else int(span.get(_VAL))

    for table in document.iter(_TBL):
        grid = table.find(qn("w:tblGrid"))
        if grid is None:
            return False
        columns = len(grid.findall(qn("w:gridCol")))
        widest = 0
        for row in table.iter(_TR):
            cells = row.findall(_TC)
            if len(cells) > columns:
                return False
            if widest < columns:  # once a row fills the grid, the others need not be measured
                widest = max(widest, sum(map(width, cells)))
        if widest < columns:
            return False
    return True


def _give_every_cell_a_paragraph(body) -> None:
    """A cell whose paragraphs were all conditional (`{%p if %}`) is left empty, which Word
    refuses to open: such a cell gets one empty paragraph."""
    for cell in _EMPTY_CELLS(body):
        cell.append(parse_xml(f"<w:p {W}/>"))


def _headings(body, levels: dict[str, int]) -> list[tuple[Any, int]]:
    """The paragraphs of `body` whose style is a heading's, in order, with their level:
    found from the style elements (a few) rather than by reading every paragraph's."""
    found = []
    for style in body.iter(_PSTYLE):
        level = levels.get(style.get(_VAL))
        if level is None:
            continue
        properties = style.getparent()
        paragraph = properties.getparent()
        # the paragraph's own style: the first of its first properties (as `_style_id`)
        own = paragraph is not None and paragraph.tag == _P and paragraph.find(_PPR) is properties
        if own and properties.find(_PSTYLE) is style:
            found.append((paragraph, level))
    return found


def _style_id(paragraph) -> str | None:
    """The id of a paragraph's style (its `w:pPr/w:pStyle`), None when it has none."""
    ppr = paragraph.find(_PPR)
    style = ppr.find(_PSTYLE) if ppr is not None else None
    return style.get(_VAL) if style is not None else None


# --- landscape pages for wide diagrams -------------------------------------------------------


def _landscape_sections(document) -> None:
    """Put each picture named LANDSCAPE_PICTURE on landscape pages: the picture's
    paragraph, the caption after it and the headings and notes right before it become a
    section of their own (pages turned, margins and headers as the document's); figures
    that follow each other share one. The rest of the document keeps its pages."""
    body = document.element.body
    final = body.find(qn("w:sectPr"))
    if final is None:
        return
    levels = _heading_levels(document)
    blocks: list[list] = []
    for paragraph in list(body.iterchildren(qn("w:p"))):
        marked = [d for d in paragraph.iter(qn("wp:docPr")) if d.get("name") == LANDSCAPE_PICTURE]
        if not marked:
            continue
        for picture in marked:
            picture.set("name", "Diagram")
        first = last = paragraph
        while (before := first.getprevious()) is not None and _leads_into_figure(before, levels):
            first = before
        after = last.getnext()
        if after is not None and _style_name(document, after) == "caption":
            last = after
        if blocks and _only_lead_in_between(blocks[-1][1], first, levels):
            blocks[-1][1] = last
        else:
            blocks.append([first, last])
    for first, last in blocks:
        before = first.getprevious()
        if before is None or before.tag != qn("w:p") or before.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            before = parse_xml(f"<w:p {W}/>")
            first.addprevious(before)
        _end_section(before, copy.deepcopy(final))
        turned = copy.deepcopy(final)
        size = turned.find(qn("w:pgSz"))
        if size is not None:
            width, height = size.get(qn("w:w")), size.get(qn("w:h"))
            size.set(qn("w:w"), height or "16838")
            size.set(qn("w:h"), width or "11906")
            size.set(qn("w:orient"), "landscape")
        _end_section(last, turned)


def _style_name(document, paragraph) -> str:
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    if style is None:
        return ""
    found = document.styles.element.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style.get(qn('w:val'))}']")
    name = found.find(qn("w:name")) if found is not None else None
    return (name.get(qn("w:val")) if name is not None else "").lower()


def _leads_into_figure(element, levels: dict[str, int]) -> bool:
    """A heading, or a note (a diagram's "drawn in parts" note), directly before a figure."""
    if element.tag != qn("w:p") or element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
        return False
    style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    value = style.get(qn("w:val")) if style is not None else ""
    return value in levels or value.lower() == "note"


def _only_lead_in_between(last, first, levels: dict[str, int]) -> bool:
    """Whether nothing but headings and notes stands between two figures' blocks."""
    element = last.getnext()
    while element is not None and element is not first:
        if not _leads_into_figure(element, levels):
            return False
        element = element.getnext()
    return element is first


def _end_section(paragraph, section) -> None:
    """Make `paragraph` the last of a section with the properties `section`."""
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = parse_xml(f"<w:pPr {W}/>")
        paragraph.insert(0, ppr)
    change = ppr.find(qn("w:pPrChange"))
    if change is not None:
        change.addprevious(section)
    else:
        ppr.append(section)


# --- headings and contents ------------------------------------------------------------------

_HEADING = re.compile(r"heading ([1-3])\Z", re.IGNORECASE)


def _heading_levels(document) -> dict[str, int]:
    """Paragraph style id -> heading level, for the template's Heading 1-3 styles."""
    levels = {}
    for style in document.styles.element.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        match = _HEADING.match(name.get(qn("w:val")) if name is not None else "")
        if match:
            levels[style.get(qn("w:styleId"))] = int(match.group(1))
    return levels


def _bookmark_start(mark: int, name: str):
    # made, not parsed from text (a tenth of the heading and bookmark passes' time)
    return OxmlElement("w:bookmarkStart", {qn("w:id"): str(mark), qn("w:name"): name})


def _bookmark_end(mark: int):
    return OxmlElement("w:bookmarkEnd", {qn("w:id"): str(mark)})


def _number_headings_and_fill_toc(document, text_width: int) -> None:
    body = document.element.body
    levels = _heading_levels(document)
    numbers = [0, 0, 0]
    appendix = False
    entries: list[tuple[int, str, str]] = []
    for mark, (paragraph, level) in enumerate(_headings(body, levels), start=1):
        texts = list(paragraph.iter(_T))
        label = _plain_text(paragraph).strip()  # the heading's words, for the contents
        if level == 1:
            appendix = label.lower().startswith("appendix")
        if not appendix:
            numbers[level - 1] += 1
            for deeper in range(level, len(numbers)):
                numbers[deeper] = 0
            number = ".".join(str(n) for n in numbers[:level]) + "  "
            label = number + label
            if texts:
                texts[0].text = number + (texts[0].text or "").lstrip()
                texts[0].set(qn("xml:space"), "preserve")
        name = f"_Toc{mark:06d}"
        ppr = paragraph.find(qn("w:pPr"))
        start = _bookmark_start(mark, name)
        if ppr is not None:
            ppr.addnext(start)
        else:
            paragraph.insert(0, start)
        paragraph.append(_bookmark_end(mark))
        if level <= TOC_LEVELS:
            entries.append((level, label, name))
    _fill_toc(document, body, entries, text_width)


def _toc_paragraphs(body) -> list:
    """The paragraphs of the template's TOC field: from the one holding ` TOC ` to the one
    holding the field's end (a field Word inserts spans several paragraphs)."""
    paragraphs = list(body.iter(qn("w:p")))
    for n, paragraph in enumerate(paragraphs):
        if any((t.text or "").lstrip().startswith("TOC ") for t in paragraph.iter(qn("w:instrText"))):
            depth = 0
            for m in range(n, len(paragraphs)):
                for char in paragraphs[m].iter(qn("w:fldChar")):
                    kind = char.get(qn("w:fldCharType"))
                    depth += 1 if kind == "begin" else -1 if kind == "end" else 0
                if depth <= 0:
                    return paragraphs[n : m + 1]
            return paragraphs[n : n + 1]
    return []


def _fill_toc(document, body, entries: list[tuple[int, str, str]], text_width: int) -> None:
    field = _toc_paragraphs(body)
    if not field:
        return
    styles = {
        style.find(qn("w:name")).get(qn("w:val")).lower(): style.get(qn("w:styleId"))
        for style in document.styles.element.findall(qn("w:style"))
        if style.find(qn("w:name")) is not None
    }
    begin = (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    tab = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_width}"/></w:tabs>'
    rows = entries or [(1, "", "")]
    anchor = field[0]
    for n, (level, label, mark) in enumerate(rows):
        style = styles.get(f"toc {level}")
        ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + tab + ('<w:ind w:left="360"/>' if level > 1 else "")
        body_xml = f'<w:r><w:t xml:space="preserve">{_attribute(label)}</w:t></w:r>'
        if mark:
            body_xml = (
                f'<w:hyperlink w:anchor="{mark}" w:history="1">{body_xml}<w:r><w:tab/></w:r>'
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> PAGEREF {mark} \\h </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t></w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink>'
            )
        first = begin if n == 0 else ""
        last = end if n == len(rows) - 1 else ""
        anchor.addprevious(parse_xml(f"<w:p {W}><w:pPr>{ppr}</w:pPr>{first}{body_xml}{last}</w:p>"))
    for paragraph in field:
        paragraph.getparent().remove(paragraph)


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


# --- the anchors' bookmarks (for comments made in Word) ---------------------------------------

_NUMBER = re.compile(r"^\d+(?:\.\d+)*\s+")
_ASSUMED_MARK = re.compile(r"[\s\u00a0]*\u2020$")  # the "assumed" dagger after a value


def _plain_text(element) -> str:
    """An element's text as a reader sees it: non-breaking hyphens as hyphens."""
    return "".join("-" if node.tag == _NO_BREAK else node.text or "" for node in element.iter(_T, _NO_BREAK))


def _heading_matches(text: str, wanted: str) -> bool:
    return text == wanted or text.startswith(wanted + " ") or text.startswith(wanted + "\u00a0")


def _cell_text(cell) -> str:
    """What a table cell's first paragraph reads, without an "assumed" dagger."""
    paragraph = cell.find(_P)
    return _ASSUMED_MARK.sub("", _plain_text(paragraph).strip()) if paragraph is not None else ""


def bookmark_anchors(document, marks) -> None:
    """Put each mark's bookmark (views/bookmarks.py `Mark`) where it says: around a
    heading's whole section (to the next heading of its level or above) or around a
    table row under a marked heading; each at its first match, ids after the
    document's own (so they stay unique and the same from run to run)."""
    body = document.element.body
    levels = _heading_levels(document)
    ids = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart")) if (b.get(qn("w:id")) or "").isdigit()]
    next_id = max(ids, default=0) + 1
    headings = [m for m in marks if m.heading]
    rows: dict[str, list] = {}
    for mark in marks:
        if mark.within:
            rows.setdefault(mark.within, []).append(mark)
    placed: set[str] = set()
    stack: list[list] = []  # [level, bookmark id or None, the section's last paragraph, bookmark name]

    def start(paragraph, name: str) -> int:
        nonlocal next_id
        mark_id, next_id = next_id, next_id + 1
        element = _bookmark_start(mark_id, name)
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(element)
        else:
            paragraph.insert(0, element)
        placed.add(name)
        return mark_id

    def end(paragraph, mark_id: int) -> None:
        paragraph.append(_bookmark_end(mark_id))

    def close(entry) -> None:
        if entry[1] is not None:
            end(entry[2], entry[1])

    for child in list(body.iterchildren()):
        last = None
        if child.tag == _P:
            level = levels.get(_style_id(child))  # type: ignore[arg-type]  # None: no level
            if level is not None:
                while stack and stack[-1][0] >= level:
                    close(stack.pop())
                text = _NUMBER.sub("", _plain_text(child).strip())
                mark = next((m for m in headings if m.name not in placed and _heading_matches(text, m.heading)), None)
                stack.append([level, start(child, mark.name) if mark else None, child, mark.name if mark else None])
            last = child
        elif child.tag == _TBL:
            wanted = [mark for entry in stack if entry[3] for mark in rows.get(entry[3], ())]
            for row in child.findall(_TR) if wanted else ():
                cells = row.findall(_TC)
                texts: dict[int, str] = {}  # column -> what its cell reads, read once per row
                for mark in wanted:
                    if mark.name in placed or mark.column >= len(cells):
                        continue
                    if mark.column not in texts:
                        texts[mark.column] = _cell_text(cells[mark.column])
                    if texts[mark.column] != mark.cell:
                        continue
                    first = cells[0].find(_P)
                    final = cells[-1].findall(_P)
                    if first is None or not final:
                        continue
                    end(final[-1], start(first, mark.name))
            paragraphs = _LAST_PARAGRAPH(child)
            last = paragraphs[0] if paragraphs else None
        if last is not None:
            for entry in stack:
                entry[2] = last
    while stack:
        close(stack.pop())


# --- properties ---------------------------------------------------------------------------


def _set_properties(document, info, epoch: int) -> None:
    props = document.core_properties
    when = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
    # python-docx refuses property values over 255 characters
    props.title = shorten(f"{info.document_id} {info.title}", 255)
    props.subject = shorten(info.subject, 255)
    props.keywords = shorten(info.keywords, 255)
    props.identifier = info.document_id
    props.version = shorten(info.version, 255)
    props.content_status = shorten(info.status, 255)
    props.category = shorten(info.classification, 255)
    props.author = "mhhsarch"
    props.last_modified_by = "mhhsarch"
    props.comments = shorten(f"Generated from {info.model}", 255)
    props.revision = 1
    props.created = when
    props.modified = when
