"""Build the bundled Word template `document.docx` (run from the repository root):

    .venv/bin/python src/mhhsarch/templates/make_templates.py

The template carries what every generated Word document shares: A4 pages, the
fonts (DejaVu Sans, so pages break the same on every machine that has
fonts-dejavu-core), the paragraph styles, the header (document id, title,
classification) and the footer (version, status, date, "Page x of y" as PAGE and
NUMPAGES fields). Renderers open it, drop its body and write their content; in the
header and footer they replace these tokens:

    {{document_id}} {{title}} {{version}} {{status}} {{classification}} {{date}} {{model}}

A user template (`mhhsarch render --template DIR`, file `interface_spec.docx`,
`process_description.docx` or `document.docx` in DIR) may restyle any of this; it
must define the paragraph styles named in STYLES below (Word keeps them when you
edit the file in Word).

The output is byte-identical from run to run (fixed zip times, no thumbnail).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
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


def build(path: Path) -> None:
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

    _drop_unused_styles(doc, {*STYLES, "List Bullet", "Table Grid"})

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)
    text_width = section.page_width - section.left_margin - section.right_margin

    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    header.add_run("{{document_id}}  {{title}}")
    header.add_run("\t")
    header.add_run("{{classification}}").bold = True
    _border(header._p.get_or_add_pPr(), "bottom")

    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run("Version {{version}} \u00b7 {{status}} \u00b7 {{date}} \u00b7 {{model}}\tPage ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")
    _border(footer._p.get_or_add_pPr(), "top")

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    doc.add_paragraph(
        "The body of this template is replaced by the generated content; only styles, "
        "page set-up, header and footer are used.",
        style="Note",
    )

    props = doc.core_properties
    props.author = "mhhsarch"
    props.comments = ""
    props.title = "mhhsarch document template"
    props.last_modified_by = "mhhsarch"
    props.revision = 1

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    sys.path.insert(0, str(HERE.parents[1]))
    from mhhsarch.render.reproducible import normalise_zip

    normalise_zip(path, TEMPLATE_EPOCH)


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


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "document.docx"
    build(target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
