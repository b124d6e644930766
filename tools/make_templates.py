"""Build the bundled Word templates (run from the repository root):

    .venv/bin/python tools/make_templates.py            # src/mhhsarch/templates/*.docx
    .venv/bin/python tools/make_templates.py templates   # into another folder

A development script: the templates it writes are versioned files, and from then on
they are edited in Word or LibreOffice Writer like any document (this script only
gives a team a clean start; rerunning it overwrites such edits).

Each template is a whole document with Jinja2 tags (docxtpl): `{{ name }}` prints a
value of the document's view, `{%p if ... %}` / `{%p for ... %}` alone in a paragraph
repeat or drop paragraphs, `{%tr for row in data_items %}` alone in a table row
repeats the row below it. The names are the fields of the views in
`mhhsarch/render/views/` (`mhhsarch render --only views` writes them as JSON, the
easiest way to see what a template can use). Section order, boilerplate, header and
footer, page set-up and styles are the template's; mhhsarch numbers the headings
(Heading 1-3; an "Appendix" heading and those under it stay unnumbered), fills the
table of contents and sizes the diagrams.

The output is byte-identical from run to run (fixed zip times, no thumbnail).
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "src" / "mhhsarch" / "templates"
FONT = "DejaVu Sans"
TABLE_FONT = "DejaVu Sans Condensed"
NAVY = RGBColor(0x1F, 0x38, 0x64)
BLUE = RGBColor(0x2E, 0x54, 0x96)
GREY = RGBColor(0x59, 0x59, 0x59)
TEMPLATE_EPOCH = 315532800  # 1980-01-01: the template's own zip times and dates

# CT_PPr children that must follow w:pBdr (schema order; Word rejects other orders)
PPR_AFTER_BORDER = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)

# name -> (based on, font, size pt, bold, italic, colour, space before pt, space after pt, keep with next)
STYLES = {
    "Normal": (None, FONT, 9.5, False, False, None, 0, 5, False),
    "Title": ("Normal", FONT, 22, True, False, NAVY, 0, 6, True),
    "Subtitle": ("Normal", FONT, 13, False, False, GREY, 0, 18, True),
    "Heading 1": ("Normal", FONT, 14, True, False, NAVY, 18, 6, True),
    "Heading 2": ("Normal", FONT, 11.5, True, False, BLUE, 12, 4, True),
    "Heading 3": ("Normal", FONT, 10, True, False, BLUE, 9, 3, True),
    "Table Text": ("Normal", TABLE_FONT, 8, False, False, None, 1, 1, False),
    "Table Heading": ("Table Text", TABLE_FONT, 8, True, False, RGBColor(0xFF, 0xFF, 0xFF), 1, 1, True),
    "Caption": ("Normal", FONT, 8, False, True, GREY, 3, 10, False),
    "Note": ("Normal", FONT, 9, False, True, GREY, 2, 6, False),
    "Code": ("Normal", "DejaVu Sans Mono", 7.5, False, False, None, 0, 0, False),
    "Header": ("Normal", FONT, 7.5, False, False, GREY, 0, 0, False),
    "Footer": ("Normal", FONT, 7.5, False, False, GREY, 0, 0, False),
    "TOC Heading": ("Heading 1", FONT, 14, True, False, NAVY, 0, 6, True),
    "toc 1": ("Normal", FONT, 9.5, False, False, None, 2, 1, False),
    "toc 2": ("Normal", FONT, 9, False, False, None, 0, 1, False),
}


def _fonts(rpr, family: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)


def _border(ppr, side: str) -> None:
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "4"), ("w:color", "8EAADB")):
        edge.set(qn(key), value)
    borders.append(edge)
    ppr.insert_element_before(borders, *PPR_AFTER_BORDER)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES) with a cached result."""

    def run_with(child) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _drop_unused_styles(doc, keep: set[str]) -> None:
    """Only the styles documents use, those they are based on or linked to, and each
    type's default: python-docx's template has 160 (350 kB) that every render would parse."""
    root = doc.styles.element
    styles = root.findall(qn("w:style"))
    by_id = {s.get(qn("w:styleId")): s for s in styles}
    keep = {k.lower() for k in keep}  # built-in names are stored lower case ("heading 1", "header")
    wanted = {
        s.get(qn("w:styleId"))
        for s in styles
        if s.find(qn("w:name")).get(qn("w:val")).lower() in keep or s.get(qn("w:default")) == "1"
    }
    pending = list(wanted)
    while pending:
        style = by_id[pending.pop()]
        for ref in ("w:basedOn", "w:link", "w:next"):
            node = style.find(qn(ref))
            target = node.get(qn("w:val")) if node is not None else None
            if target in by_id and target not in wanted:
                wanted.add(target)
                pending.append(target)
    for style in styles:
        if style.get(qn("w:styleId")) not in wanted:
            root.remove(style)


def _drop_extras(doc) -> None:
    """No thumbnail of python-docx's sample page, no 400 kB stylesWithEffects copy."""
    package = doc.part.package
    for owner in (package, doc.part):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype.endswith(("/thumbnail", "/stylesWithEffects", "/customXml")):
                owner.rels.pop(rid)


W = nsdecls("w")
TWIPS_PER_CM = 567
HEADER_FILL = "1F3864"
LABEL_FILL = "E8EEF7"
ZEBRA_FILL = "F5F7FB"
BORDER = "A6B4CC"
TEXT_WIDTH_CM = 17.0

# Two table styles a Word user can change under Table Design: data tables (a dark header
# row, banded rows) and fact tables (a shaded label column).
TABLE_STYLES = f"""
<w:style {W} w:type="table" w:customStyle="1" w:styleId="MHHSTable">
  <w:name w:val="MHHS Table"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>
  <w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:tblPr>
    <w:tblBorders>{"".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))}</w:tblBorders>
    <w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="68" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/><w:right w:w="68" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr></w:tblStylePr>
  <w:tblStylePr w:type="band2Horz"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{ZEBRA_FILL}"/></w:tcPr></w:tblStylePr>
</w:style>"""
FACTS_STYLE = f"""
<w:style {W} w:type="table" w:customStyle="1" w:styleId="MHHSFacts">
  <w:name w:val="MHHS Facts"/><w:basedOn w:val="MHHSTable"/><w:uiPriority w:val="59"/><w:qFormat/>
  <w:tblPr/>
  <w:tblStylePr w:type="firstCol"><w:rPr><w:b/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{LABEL_FILL}"/></w:tcPr></w:tblStylePr>
</w:style>"""


class Body:
    """The template's body, written paragraph by paragraph as WordprocessingML."""

    def __init__(self, doc):
        self.doc = doc
        self.body = doc.element.body
        self.sect = self.body.find(qn("w:sectPr"))

    def style_id(self, name: str) -> str:
        return self.doc.styles[name].style_id

    def _add(self, xml: str) -> None:
        self.sect.addprevious(parse_xml(xml))

    def p(self, text: str = "", style: str | None = None, *, bold_lead: str = "", centre: bool = False) -> None:
        ppr = ""
        if style or centre:
            ppr = "<w:pPr>" + (f'<w:pStyle w:val="{self.style_id(style)}"/>' if style else "")
            ppr += ('<w:keepNext/><w:jc w:val="center"/>' if centre else "") + "</w:pPr>"
        runs = (
            f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(bold_lead)}</w:t></w:r>' if bold_lead else ""
        )
        runs += f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
        self._add(f"<w:p {W}>{ppr}{runs}</w:p>")

    def tag(self, statement: str) -> None:
        """A paragraph holding only a `{%p ... %}` tag (docxtpl removes the paragraph)."""
        self.p("{%p " + statement + " %}")

    def h(self, text: str, level: int = 1) -> None:
        self.p(text, f"Heading {level}")

    def note(self, text: str) -> None:
        self.p(text, "Note")

    def page_break(self) -> None:
        self._add(f'<w:p {W}><w:r><w:br w:type="page"/></w:r></w:p>')

    def optional_note(self, expression: str) -> None:
        """A note paragraph showing `expression` when it is set (dropped otherwise)."""
        self.tag(f"if {expression}")
        self.note("{{ " + expression + " }}")
        self.tag("endif")

    def toc(self) -> None:
        self.p("Contents", "TOC Heading")
        self._add(
            f'<w:p {W}><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            "<w:r><w:t>The contents are filled in when the document is generated.</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )

    def _cell(self, width: int, paragraphs: list[tuple[str, str]], fill: str | None = None) -> str:
        shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
        body = ""
        for text, how in paragraphs:
            style = self.style_id("Table Heading" if how == "head" else "Table Text")
            rpr = {"bold": "<w:b/>", "detail": '<w:i/><w:sz w:val="15"/><w:szCs w:val="15"/>', "head": "<w:b/>"}.get(
                how, ""
            )
            rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
            run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
            body += f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{run}</w:p>'
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>{body}</w:tc>'

    def table(self, columns: list[tuple[str, float]], loop: str, cells: list, facts: bool = False) -> None:
        """A table: a header row (unless `facts`), then one row per item of `loop`.
        Each of `cells` is a Jinja expression, or a list of (text, how) paragraphs."""
        widths = [round(w * TWIPS_PER_CM) for _, w in columns]
        style = "MHHSFacts" if facts else "MHHSTable"
        look = '<w:tblLook w:val="04A0" w:firstRow="{}" w:lastRow="0" w:firstColumn="{}" w:lastColumn="0" w:noHBand="{}" w:noVBand="1"/>'.format(
            *(("0", "1", "1") if facts else ("1", "0", "0"))
        )
        xml = [
            f'<w:tbl {W}><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:tblLayout w:type="fixed"/>{look}</w:tblPr><w:tblGrid>'
            + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
            + "</w:tblGrid>"
        ]
        if not facts:
            xml.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
            xml += [self._cell(w, [(title, "head")], HEADER_FILL) for (title, _), w in zip(columns, widths)]
            xml.append("</w:tr>")
        xml.append("<w:tr>" + self._cell(widths[0], [("{%tr for row in " + loop + " %}", "")]))
        xml += [self._cell(w, [("", "")]) for w in widths[1:]]
        xml.append("</w:tr><w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for n, (cell, width) in enumerate(zip(cells, widths)):
            paragraphs = [(cell, "bold" if facts and n == 0 else "")] if isinstance(cell, str) else cell
            xml.append(self._cell(width, paragraphs, LABEL_FILL if facts and n == 0 else None))
        xml.append("</w:tr><w:tr>" + self._cell(widths[0], [("{%tr endfor %}", "")]))
        xml += [self._cell(w, [("", "")]) for w in widths[1:]]
        xml.append("</w:tr></w:tbl>")
        self._add("".join(xml))
        self._add(f'<w:p {W}><w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr></w:p>')

    def facts(self, loop: str) -> None:
        self.table([("", 4.5), ("", TEXT_WIDTH_CM - 4.5)], loop, ["{{ row.label }}", "{{ row.value }}"], facts=True)

    def diagrams(self, expression: str, missing: str) -> None:
        """The pictures of `expression` (a note first when the diagram is drawn in parts):
        each embedded (sized to the page) with its caption, or a note when it was not
        rendered in this run (`figure.path` names the file it would be)."""
        self.tag(f"if {expression}.parts_note")
        self.note("{{ " + expression + ".parts_note }}")
        self.tag("endif")
        self.tag(f"for figure in {expression}.diagrams")
        self.tag("if figure.image")
        self.p("{{ figure.image }}", centre=True)
        self.p("{{ figure.caption }}", "Caption")
        self.tag("else")
        self.note(missing)
        self.tag("endif")
        self.tag("endfor")


def named(expression: str) -> list[tuple[str, str]]:
    """A cell of a `Named` value: its text, and its detail in a lighter second line."""
    return [
        ("{%p if " + expression + ".text %}", ""),
        ("{{ " + expression + ".text }}", ""),
        ("{%p endif %}", ""),
        ("{%p if " + expression + ".detail %}", ""),
        ("{{ " + expression + ".detail }}", "detail"),
        ("{%p endif %}", ""),
    ]


def conditional(row: str) -> list[tuple[str, str]]:
    """The condition of a conditional (C) item, in a lighter line under its name."""
    return [
        ("{%p if " + row + ".condition %}", ""),
        ("Condition: {{ " + row + ".condition }}", "detail"),
        ("{%p endif %}", ""),
    ]


def with_detail(expression: str, detail: str) -> list[tuple[str, str]]:
    """A cell of a text with an optional lighter second line (another field of the row)."""
    return [
        ("{{ " + expression + " }}", ""),
        ("{%p if " + detail + " %}", ""),
        ("{{ " + detail + " }}", "detail"),
        ("{%p endif %}", ""),
    ]


def cover(b: Body, subtitle: str) -> None:
    """The cover page: title, document type, the cover facts (document number, version,
    status, classification, publication date); the contents start on the next page."""
    b.p("{{ id }} {{ name }}", "Title")
    b.p(subtitle, "Subtitle")
    b.facts("cover")
    b.page_break()
    b.toc()


def document_control(b: Body) -> None:
    b.h("Document control")
    b.h("Document information", 2)
    b.facts("control.facts")
    b.optional_note("provenance_legend")
    b.h("Version history", 2)
    b.table(
        [("Version", 2.5), ("Date", 2.5), ("Status", 2.5), ("Change", 9.5)],
        "control.history",
        ["{{ row.version }}", "{{ row.date }}", "{{ row.status }}", "{{ row.change }}"],
    )
    b.note("{{ control.history_note }}")
    b.tag("if control.comments")
    b.h("Review comments", 2)
    b.optional_note("control.comments_note")
    b.table(
        [("Comment", 2.6), ("From", 3.2), ("Comment and response", 8.7), ("Status", 2.5)],
        "control.comments",
        [
            [
                ("{{ row.id }}", ""),
                ("{%p if row.round %}", ""),
                ("Round {{ row.round }}", "detail"),
                ("{%p endif %}", ""),
                ("{%p if row.where %}", ""),
                ("{{ row.where }}", "detail"),
                ("{%p endif %}", ""),
            ],
            [
                ("{{ row.constituency }}", ""),
                ("{%p if row.organisation %}", ""),
                ("{{ row.organisation }}", "detail"),
                ("{%p endif %}", ""),
            ],
            [
                ("{{ row.text }}", ""),
                ("{%p if row.proposed_change %}", ""),
                ("Proposed change: {{ row.proposed_change }}", "detail"),
                ("{%p endif %}", ""),
                ("{%p if row.response %}", ""),
                ("Response: {{ row.response }}", "detail"),
                ("{%p endif %}", ""),
            ],
            "{{ row.status }}",
        ],
    )
    b.tag("endif")


def description(b: Body, missing: str) -> None:
    b.tag("for paragraph in description")
    b.p("{{ paragraph }}")
    b.tag("endfor")
    b.tag("if not description")
    b.note(missing)
    b.tag("endif")
    b.tag("if notes")
    b.p("{{ notes }}", bold_lead="Notes. ")
    b.tag("endif")
    b.tag("if assumed")
    b.note(
        "Parts of this description are assumed by the design team (x-source: assumed) and are to be confirmed in review."
    )
    b.tag("endif")


def principles(b: Body, traced: bool, missing: str, note: str | None = None) -> None:
    b.h("Principles")
    if note:
        b.optional_note(note)
    b.tag("if principles")
    columns = [("Principle", 2.0), ("Title and text", 11.5 if traced else 15.0)]
    cells = [
        "{{ row.id }}",
        [("{{ row.title }}", "bold"), ("{%p if row.text %}", ""), ("{{ row.text }}", ""), ("{%p endif %}", "")],
    ]
    if traced:
        columns.append(("Traced from", 3.5))
        cells.append("{{ row.traced_from }}")
    b.table(columns, "principles", cells)
    b.tag("else")
    b.note(missing)
    b.tag("endif")


def reference_material(b: Body) -> None:
    """References (principles, related processes and interfaces), the glossary of the
    abbreviations the document uses, and the facts it shows that are assumed."""
    b.h("References")
    b.tag("if references")
    b.table(
        [("Kind", 2.2), ("Reference", 2.4), ("Title", 7.6), ("Described in", 4.8)],
        "references",
        ["{{ row.kind }}", "{{ row.id }}", "{{ row.title }}", "{{ row.document }}"],
    )
    b.tag("else")
    b.note("No principle, process or other interface is related to this document in the model.")
    b.tag("endif")

    b.h("Glossary")
    b.p("The abbreviations this document uses.")
    b.table([("Term", 2.4), ("Meaning", 14.6)], "glossary", ["{{ row.term }}", "{{ row.meaning }}"])

    b.h("Assumptions")
    b.tag("if assumptions")
    b.p("{{ provenance_legend }}")
    b.table(
        [("Subject", 7.4), ("Kind", 2.6), ("What is assumed", 7.0)],
        "assumptions",
        ["{{ row.subject }}", "{{ row.kind }}", "{{ row.what }}"],
    )
    b.tag("else")
    b.note("Everything this document shows is published by the programme; nothing is assumed.")
    b.tag("endif")


def interface_spec(b: Body) -> None:
    cover(b, "Interface specification")
    document_control(b)

    b.h("Purpose and description")
    description(b, "No description has been recorded for this interface in the model.")

    b.h("Sender and receivers")
    b.p("{{ parties_sentence }}")
    b.table(
        [("Direction", 2.4), ("Role", 5.5), ("Code", 2.0), ("Category", 3.0), ("Role description", 4.1)],
        "parties",
        [
            "{{ row.direction }}",
            "{{ row.role_name }}",
            "{{ row.role_id }}",
            "{{ row.category }}",
            "{{ row.description }}",
        ],
    )

    b.h("Trigger, frequency and transport")
    b.facts("transport")

    b.h("Volumetrics")
    b.facts("volumetrics")
    b.note(
        "Yearly figures are computed as 365 times the daily figures; data volumes as messages times the typical payload."
    )
    b.optional_note("volumetrics_note")

    b.h("Security")
    b.facts("security")

    b.h("Data items")
    b.p("{{ data_summary }} Enumerated items take their codes from the valid sets in Appendix A.")
    b.note(
        "M: mandatory; O: optional; C: conditional, present when the condition under its name holds. "
        "Dates and times are written in ISO 8601; date-times are in UTC unless the item says otherwise."
    )
    b.tag("if header_items")
    b.p(
        "The message also carries the DIP CommonBlock header, described once in Appendix B: who fills each "
        "field, in {{ submitted_as }} as the sender submits it and in {{ delivered_as }} as the DIP delivers it."
    )
    b.tag("endif")
    b.table(
        [
            ("ID", 1.5),
            ("Name", 4.6),
            ("Type", 1.5),
            ("Length / format", 2.4),
            ("M/O", 0.9),
            ("Repeats", 1.6),
            ("Group", 2.0),
            ("Valid set", 2.5),
        ],
        "data_items",
        [
            "{{ row.id }}",
            named("row.name") + conditional("row"),
            [
                ("{{ row.type }}", ""),
                ("{%p if row.classification %}", ""),
                ("{{ row.classification }}", "detail"),
                ("{%p endif %}", ""),
            ],
            "{{ row.size }}",
            "{{ row.mandatory }}",
            "{{ row.repeats }}",
            "{{ row.group }}",
            "{{ row.valid_set }}",
        ],
    )

    b.tag("if dtn_flow")
    b.h("DTN flow structure", 2)
    b.p("{{ dtn_flow.sentence }}")
    b.facts("dtn_flow.facts")
    b.tag("for group in dtn_flow.groups")
    b.p("{{ group.name }} ({{ group.repeats }})", bold_lead="Group: ")
    b.table(
        [("ID", 2.0), ("Name", 8.0), ("DTC data item", 3.5), ("Repeats", 3.5)],
        "group.data_items",
        ["{{ row.id }}", "{{ row.name }}", "{{ row.dtc_ref }}", "{{ row.repeats }}"],
    )
    b.tag("endfor")
    b.tag("endif")

    b.h("Sequence diagrams")
    b.tag("if not usages")
    b.note("No process in the model uses this interface yet.")
    b.tag("endif")
    b.tag("for usage in usages")
    b.h("{{ usage.process_id }} {{ usage.process_name }}", 2)
    b.diagrams(
        "usage",
        "The sequence diagram of {{ usage.process_id }} was not rendered in this run "
        "(it is published as {{ figure.path }} when diagrams are rendered).",
    )
    b.tag("endfor")

    b.h("Where used")
    b.tag("if where_used")
    b.table(
        [("Process", 4.6), ("Step", 1.1), ("Step name", 4.4), ("From", 2.3), ("To", 2.4), ("Condition", 2.7)],
        "where_used",
        [
            [("{{ row.process.text }}", ""), ("{{ row.process.detail }}", "")],
            "{{ row.step }}",
            "{{ row.step_name }}",
            "{{ row.sender }}",
            with_detail("row.recipients", "row.audience"),
            "{{ row.condition }}",
        ],
    )
    b.tag("else")
    b.note("No process step uses this interface.")
    b.tag("endif")

    principles(b, True, "No design principle is traced to this interface or the processes that use it.")
    reference_material(b)

    b.h("Appendix A  Valid sets")
    b.tag("if not valid_sets")
    b.note("No data item of this interface is enumerated.")
    b.tag("endif")
    b.tag("for set in valid_sets")
    b.h("{{ set.id }} {{ set.name }}", 2)
    b.tag("if set.description")
    b.p("{{ set.description }}")
    b.tag("endif")
    b.table([("Code", 3.0), ("Meaning", 14.0)], "set.codes", ["{{ row.code }}", named("row.meaning")])
    b.tag("endfor")

    b.tag("if header_items")
    b.h("Appendix B  DIP CommonBlock header")
    b.p("{{ header_summary }}")
    b.table(
        [
            ("ID", 1.4),
            ("Name", 3.8),
            ("Type", 1.4),
            ("Length / format", 2.2),
            ("Group", 2.0),
            ("Filled by", 1.4),
            ("In {{ submitted_as }}", 1.5),
            ("In {{ delivered_as }}", 1.5),
            ("Repeats", 1.8),
        ],
        "header_items",
        [
            "{{ row.id }}",
            named("row.name") + conditional("row"),
            "{{ row.type }}",
            "{{ row.size }}",
            "{{ row.group }}",
            "{{ row.populated_by }}",
            "{{ row.submitted }}",
            "{{ row.delivered }}",
            "{{ row.repeats }}",
        ],
    )
    b.note("M: mandatory; O: optional; C: conditional; -: not in the message (the DIP fills it).")
    b.tag("endif")

    b.tag("if sample_message")
    b.h("Appendix C  Sample message")
    b.p("{{ sample_note }}")
    b.tag("for line in sample_message")
    b.p("{{ line }}", "Code")
    b.tag("endfor")
    b.tag("endif")


def process_description(b: Body) -> None:
    cover(b, "Business process description")
    document_control(b)

    b.h("Purpose")
    description(b, "No description has been recorded for this process in the model.")

    b.h("Participants")
    b.optional_note("participants_note")
    b.table(
        [("Role", 4.6), ("Code", 1.8), ("Category", 2.4), ("Steps", 1.4), ("Description", 6.8)],
        "participants",
        ["{{ row.role_name }}", "{{ row.role_id }}", "{{ row.category }}", "{{ row.steps }}", "{{ row.description }}"],
    )

    b.h("Capabilities")
    b.optional_note("capabilities_note")
    b.tag("if capabilities")
    b.table(
        [("Capability", 4.0), ("Name", 6.0), ("Part of", 7.0)],
        "capabilities",
        ["{{ row.id }}", "{{ row.name }}", "{{ row.part_of }}"],
    )
    b.tag("else")
    b.note("No capability is linked to this process.")
    b.tag("endif")

    b.h("Steps")
    b.optional_note("steps_note")
    b.p(
        "{{ steps_summary }} Unless the step names them, an interface goes to all its receivers; "
        "a note under the recipients says when only some of them get it."
    )
    b.table(
        [("No.", 1.0), ("Actor", 2.6), ("Action", 5.0), ("Interface", 3.2), ("Recipients", 2.6), ("Condition", 2.6)],
        "steps",
        [
            "{{ row.number }}",
            "{{ row.actor }}",
            named("row.action"),
            [
                ("{%p if row.interface %}", ""),
                ("{{ row.interface.text }}", ""),
                ("{%p if row.interface.detail %}", ""),
                ("{{ row.interface.detail }}", ""),
                ("{%p endif %}", ""),
                ("{%p endif %}", ""),
            ],
            with_detail("row.recipients", "row.audience"),
            named("row.condition"),
        ],
    )

    b.h("Diagrams")
    b.tag("for section in diagrams")
    b.h("{{ section.title }}", 2)
    b.diagrams(
        "section",
        "The {{ section.what }} diagram of {{ id }} was not rendered in this run "
        "(it is published as {{ figure.path }} when diagrams are rendered).",
    )
    b.tag("endfor")

    b.h("Interfaces used")
    b.tag("if not interfaces")
    b.note("No step of this process sends an interface.")
    b.tag("endif")
    b.tag("for interface in interfaces")
    b.h("{{ interface.id }} {{ interface.name }}", 2)
    b.facts("interface.facts")
    b.tag("endfor")

    principles(b, False, "No design principle is traced to this process.", note="principles_note")
    reference_material(b)


def release_note(b: Body) -> None:
    b.p("{{ title }}", "Title")
    b.p("Release note", "Subtitle")
    b.p("Baseline: {{ baseline }} \u00b7 {{ date }}")
    b.p("{{ summary }}")
    b.tag("if not artefacts")
    b.note("No document changed since the baseline.")
    b.tag("endif")
    b.tag("for doc in artefacts")
    b.h("{{ doc.id }} {{ doc.title }}")
    b.p(
        "Version {{ doc.version_before }} \u2192 {{ doc.version_after }} \u00b7 {{ doc.counts }} \u00b7 red-lined: redline/{{ doc.id }}.docx"
    )
    b.table(
        [("Class", 2.5), ("Change", 10.5), ("Rule", 4.0)],
        "doc.changes",
        ["{{ row.klass }}", [("{{ row.what }}", ""), ("{{ row.reason }}", "detail")], "{{ row.rule }}"],
    )
    b.tag("if doc.resolved")
    b.h("Comments resolved", 2)
    b.table(
        [("Comment", 2.5), ("From", 4.0), ("Comment", 10.5)],
        "doc.resolved",
        ["{{ row.id }}", "{{ row.organisation }}", "{{ row.text }}"],
    )
    b.tag("endif")
    b.tag("endfor")


TEMPLATES = {
    "interface_spec.docx": interface_spec,
    "process_description.docx": process_description,
    "release_note.docx": release_note,
}


def build(path: Path, body) -> None:
    doc = Document()
    _drop_extras(doc)

    # defaults: our font for every script (incl. right-to-left and East Asian), British English
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr_default, FONT)
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")

    for name, (base, family, size, bold, italic, colour, before, after, keep) in STYLES.items():
        try:
            style = doc.styles[name]
        except KeyError:
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.hidden = False
        style.quick_style = True
        if base:
            style.base_style = doc.styles[base]
        font = style.font
        font.name = family
        _fonts(style.element.get_or_add_rPr(), family)
        font.size = Pt(size)
        font.bold = bold
        font.italic = italic
        font.color.rgb = colour if colour is not None else RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.0 if name.startswith(("Table", "Header", "Footer")) else 1.12
        fmt.keep_with_next = keep
        ppr = style.element.get_or_add_pPr()
        for old in [*ppr.findall(qn("w:pBdr")), *ppr.findall(qn("w:tabs"))]:  # Title's border, Header's tabs
            ppr.remove(old)
        if name == "Title":
            _border(ppr, "bottom")

    _drop_unused_styles(doc, {*STYLES, "List Bullet", "Table Grid", "Normal Table"})
    doc.styles.element.append(parse_xml(TABLE_STYLES))
    doc.styles.element.append(parse_xml(FACTS_STYLE))

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)
    text_width = section.page_width - section.left_margin - section.right_margin

    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    header.add_run("{{ header.document_id }}  {{ header.title }}")
    header.add_run("\t")
    header.add_run("{{ header.classification }}").bold = True
    _border(header._p.get_or_add_pPr(), "bottom")

    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(
        "Version {{ header.version }} \u00b7 {{ header.status }} \u00b7 Published {{ header.date }} \u00b7 {{ header.model }}\tPage "
    )
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")
    _border(footer._p.get_or_add_pPr(), "top")

    for child in list(doc.element.body):
        if child.tag != qn("w:sectPr"):
            doc.element.body.remove(child)
    body(Body(doc))

    props = doc.core_properties
    props.author = "mhhsarch"
    props.comments = ""
    props.title = "mhhsarch template: " + path.stem.replace("_", " ")
    props.last_modified_by = "mhhsarch"
    props.revision = 1

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    sys.path.insert(0, str(ROOT / "src"))
    from mhhsarch.render.reproducible import normalise_zip

    normalise_zip(path, TEMPLATE_EPOCH)


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else BUNDLED
    for name, body in TEMPLATES.items():
        build(folder / name, body)
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
