"""Red-lined Word documents: the same view rendered at two revisions, merged into one
document whose differences are Word's own tracked changes.

Why compare the two documents rather than derive marks from the field-level diff:
the template decides where (and whether) each field appears, so only the rendered
documents know which paragraphs and table rows a change touches; comparing them
needs no knowledge of any template, and "accept all" gives exactly the new document
and "reject all" exactly the old one — the oracle the tests use.

The comparison is by block: top-level paragraphs, and the rows of tables that both
documents have (a table is matched by its first row). A paragraph or row only in the
new document is inserted (`w:ins`, a row with `w:trPr/w:ins`), one only in the old
document deleted (`w:del` with `w:delText`, a row with `w:trPr/w:del`), and a changed
one is the old deleted followed by the new inserted. Pictures and the table of
contents are the new document's (a picture of the old revision does not exist in the
new package); a picture that only the old document had is deleted as a line of text.
"""

from __future__ import annotations

import copy
import difflib
import io
import zipfile
from collections.abc import Iterator

from lxml import etree

W_URI = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_URI}}}"
AUTHOR = "mhhsarch"


class _Marks:
    """Revision marks with unique ids, one author and one date."""

    def __init__(self, date: str):
        self.date = date
        self.next_id = 1

    def mark(self, tag: str) -> etree._Element:
        element = etree.Element(f"{W}{tag}")
        element.set(f"{W}id", str(self.next_id))
        element.set(f"{W}author", AUTHOR)
        element.set(f"{W}date", self.date)
        self.next_id += 1
        return element


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t", f"{W}delText"))


def _has_drawing(element: etree._Element) -> bool:
    return next(element.iter(f"{W}drawing"), None) is not None


def _is_field_part(paragraph: etree._Element) -> bool:
    """A paragraph of the table of contents (a field whose result the writer filled)."""
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    name = (style.get(f"{W}val") or "").lower() if style is not None else ""
    return name.startswith("toc") or next(paragraph.iter(f"{W}fldChar"), None) is not None


def _signature(block: etree._Element) -> tuple:
    if block.tag == f"{W}tbl":
        first = block.find(f"{W}tr")
        return ("tbl", _text(first) if first is not None else "")
    if _has_drawing(block):
        return ("drawing",)
    if _is_field_part(block):
        return ("field", _text(block))
    style = block.find(f"{W}pPr/{W}pStyle")
    return ("p", style.get(f"{W}val") if style is not None else "", _text(block))


def _inserted(block: etree._Element, marks: _Marks) -> etree._Element:
    """A copy of `block` (a paragraph or table row) marked as inserted."""
    block = copy.deepcopy(block)
    _mark_runs(block, marks, "ins")
    return block


def _deleted(block: etree._Element, marks: _Marks) -> etree._Element:
    """A copy of `block` (a paragraph or row of the old document) marked as deleted; a
    picture becomes a line of text (its image is not in the new document's package)."""
    block = copy.deepcopy(block)
    for drawing in list(block.iter(f"{W}drawing")):
        run = drawing.getparent()
        text = etree.SubElement(run, f"{W}t")
        text.text = "[diagram of the earlier version]"
        run.remove(drawing)
    _mark_runs(block, marks, "del")
    return block


def _mark_runs(block: etree._Element, marks: _Marks, how: str) -> None:
    for paragraph in [block] if block.tag == f"{W}p" else list(block.iter(f"{W}p")):
        for run in [r for r in paragraph if r.tag in (f"{W}r", f"{W}hyperlink")]:
            wrapper = marks.mark(how)
            run.addprevious(wrapper)
            wrapper.append(run)
            if how == "del":
                for t in run.iter(f"{W}t"):
                    t.tag = f"{W}delText"
        # the paragraph mark itself: a deleted one joins the paragraph to the next
        ppr = paragraph.find(f"{W}pPr")
        if ppr is None:
            ppr = etree.Element(f"{W}pPr")
            paragraph.insert(0, ppr)
        rpr = ppr.find(f"{W}rPr")
        if rpr is None:
            rpr = etree.SubElement(ppr, f"{W}rPr")
        rpr.insert(0, marks.mark(how))
    if block.tag == f"{W}tr":
        trpr = block.find(f"{W}trPr")
        if trpr is None:
            trpr = etree.Element(f"{W}trPr")
            block.insert(1 if block.find(f"{W}tblPrEx") is not None else 0, trpr)
        trpr.append(marks.mark(how))


def _rows(table: etree._Element) -> list[etree._Element]:
    return table.findall(f"{W}tr")


def _merge_tables(old: etree._Element, new: etree._Element, marks: _Marks) -> tuple[etree._Element, int]:
    """The new table with the old table's rows that differ, marked; and how many marks."""
    merged = copy.deepcopy(new)
    for row in _rows(merged):
        merged.remove(row)
    old_rows, new_rows = _rows(old), _rows(new)
    matcher = difflib.SequenceMatcher(a=[_text(r) for r in old_rows], b=[_text(r) for r in new_rows], autojunk=False)
    changed = 0
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            merged.extend(copy.deepcopy(r) for r in new_rows[b1:b2])
            continue
        for row in old_rows[a1:a2]:
            merged.append(_deleted(row, marks))
            changed += 1
        for row in new_rows[b1:b2]:
            merged.append(_inserted(row, marks))
            changed += 1
    return merged, changed


def _blocks(body: etree._Element) -> list[etree._Element]:
    return [b for b in body if b.tag in (f"{W}p", f"{W}tbl")]


def merge_bodies(old_body: etree._Element, new_body: etree._Element, date: str) -> tuple[etree._Element, int]:
    """The new body with the old body's differences as tracked changes; and how many
    blocks or rows changed."""
    marks = _Marks(date)
    merged = copy.deepcopy(new_body)
    for child in _blocks(merged):
        merged.remove(child)
    tail = [c for c in merged]  # sectPr and anything after the blocks
    for child in tail:
        merged.remove(child)
    old_blocks, new_blocks = _blocks(old_body), _blocks(new_body)
    matcher = difflib.SequenceMatcher(
        a=[_signature(b) for b in old_blocks], b=[_signature(b) for b in new_blocks], autojunk=False
    )
    changed = 0

    def emit(blocks: Iterator[etree._Element]) -> None:
        for block in blocks:
            merged.append(block)

    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for old, new in zip(old_blocks[a1:a2], new_blocks[b1:b2], strict=True):
                if new.tag == f"{W}tbl" and etree.tostring(old) != etree.tostring(new):
                    table, count = _merge_tables(old, new, marks)
                    merged.append(table)
                    changed += count
                else:
                    merged.append(copy.deepcopy(new))
            continue
        old_part, new_part = old_blocks[a1:a2], new_blocks[b1:b2]
        # a table in both runs of blocks (its first row changed): merge it row by row
        old_tables = [b for b in old_part if b.tag == f"{W}tbl"]
        new_tables = [b for b in new_part if b.tag == f"{W}tbl"]
        if len(old_tables) == len(new_tables) == 1 and len(old_part) == len(new_part) == 1:
            table, count = _merge_tables(old_tables[0], new_tables[0], marks)
            merged.append(table)
            changed += count
            continue
        for block in old_part:
            if block.tag == f"{W}tbl":
                table = copy.deepcopy(block)
                for row in _rows(table):
                    row.addprevious(_deleted(row, marks))
                    table.remove(row)
                merged.append(table)
            elif _is_field_part(block):
                continue  # the new document's contents stand for both
            else:
                merged.append(_deleted(block, marks))
            changed += 1
        for block in new_part:
            if block.tag == f"{W}tbl":
                table = copy.deepcopy(block)
                for row in _rows(table):
                    row.addprevious(_inserted(row, marks))
                    table.remove(row)
                merged.append(table)
            elif _is_field_part(block) or _has_drawing(block):
                merged.append(copy.deepcopy(block))
                continue
            else:
                merged.append(_inserted(block, marks))
            changed += 1
    emit(iter(tail))
    return merged, changed


def redline_docx(old_docx: bytes | None, new_docx: bytes, date: str) -> tuple[bytes, int]:
    """The new document with tracked changes from the old one (same template, two
    revisions; None: the document is new, everything is inserted); and how many blocks
    changed (0: the documents read the same)."""
    if old_docx is None:
        old_root = etree.fromstring(f'<w:document xmlns:w="{W_URI}"><w:body/></w:document>'.encode())
    else:
        with zipfile.ZipFile(io.BytesIO(old_docx)) as old_zip:
            old_root = etree.fromstring(old_zip.read("word/document.xml"))
    with zipfile.ZipFile(io.BytesIO(new_docx)) as new_zip:
        entries = [(info, new_zip.read(info.filename)) for info in new_zip.infolist()]
    new_document = next(data for info, data in entries if info.filename == "word/document.xml")
    new_root = etree.fromstring(new_document)
    body, changed = merge_bodies(old_root.find(f"{W}body"), new_root.find(f"{W}body"), date)
    new_root.replace(new_root.find(f"{W}body"), body)
    xml = etree.tostring(new_root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            target.writestr(info, xml if info.filename == "word/document.xml" else data)
    return out.getvalue(), changed


# --- the oracle: what Word's "accept all" and "reject all" do ------------------------------------


def _drop_marked_paragraphs(root: etree._Element, tag: str) -> None:
    """Paragraphs whose paragraph mark is marked `tag` (all of our marked paragraphs are
    wholly marked): accepting a deletion or rejecting an insertion removes them."""
    for paragraph in [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}{tag}") is not None]:
        if paragraph.getparent().tag != f"{W}tc" or len(paragraph.getparent().findall(f"{W}p")) > 1:
            paragraph.getparent().remove(paragraph)


def accept_all(document_xml: bytes) -> etree._Element:
    """The document as Word's "accept all changes" leaves it."""
    return _resolve(document_xml, keep="ins", drop="del")


def reject_all(document_xml: bytes) -> etree._Element:
    """The document as Word's "reject all changes" leaves it."""
    return _resolve(document_xml, keep="del", drop="ins")


def _resolve(document_xml: bytes, keep: str, drop: str) -> etree._Element:
    root = etree.fromstring(document_xml)
    _drop_marked_paragraphs(root, drop)
    for row in [r for r in root.iter(f"{W}tr") if r.find(f"{W}trPr/{W}{drop}") is not None]:
        row.getparent().remove(row)
    for element in list(root.iter(f"{W}{drop}")):
        parent = element.getparent()
        if parent is not None and parent.tag not in (f"{W}rPr", f"{W}trPr"):
            parent.remove(element)
    if keep == "del":
        for text in root.iter(f"{W}delText"):
            text.tag = f"{W}t"
    _unwrap(root, keep)
    return root


def _unwrap(root: etree._Element, tag: str) -> None:
    for element in list(root.iter(f"{W}{tag}")):
        parent = element.getparent()
        if parent is None:
            continue
        if parent.tag in (f"{W}rPr", f"{W}trPr"):
            parent.remove(element)
            continue
        for child in list(element):
            element.addprevious(child)
        parent.remove(element)
