"""`mhhsarch comments import`: returned comment forms (XLSX) and reviewed Word documents
(DOCX with Word comments) into `model/reviews/`.

What it promises:

* **nothing a reviewer sent is lost.** A row or Word comment that names a known
  artefact becomes a comment of the model. One whose anchor is not an anchor of the
  artefact keeps the artefact, gets `anchor: null`, status `open`, and the anchor as
  written in `x-anchor-as-written`. One that cannot be a valid comment at all (no
  artefact or an unknown one, no constituency or one mhhsarch.yaml does not list) is
  kept in `reviews/.unplaced-comments.yaml` beside the comments, with every field as
  written and the problems: the loader skips hidden files, so validation stays clean,
  and a later import of the same row or comment that can be placed (a corrected
  form, `--constituency` given) takes it out of there. Every problem is reported with
  the file, sheet, row and column (or the Word comment's id and text).
* **idempotent.** Each comment keeps its source (`source: {file, sheet, row | comment,
  reviewer, digest}`); the digest is the sha256 of what the reviewer wrote. A row or
  comment whose file name, place and digest are already in the model (or kept
  unplaced) is not added again.
* **text stays text.** Cells are read as written (a formula's text, never its value);
  text that a spreadsheet would run as a formula is kept as text and reported.
* **stable output.** New comments are appended to the end of the target file
  (ids C-NNNN after the highest in the model), written by a YAML emitter with every
  string quoted (or a literal block), and the result is read back and compared
  before it replaces the file.

Word documents: the document's artefact is its core property `identifier` (the
generated documents carry their id there), else the id its file name starts with,
else the artefact whose bookmarks it holds. A comment's anchor is the innermost of our
bookmarks (`anchors.bookmark_name`) around where the comment's range starts, else the
first one inside its range; none (a comment on a part without an anchor, such as the
glossary) is a comment on the document as a whole. The reviewer is the comment's
author; organisation and constituency come from `--organisation` / `--constituency`,
else from the document's custom properties `Organisation` / `Constituency`, else (the
organisation only) from its `Company` property.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mhhsarch.model.model import Model
from mhhsarch.review import anchors
from mhhsarch.review import form as f
from mhhsarch.review.constituencies import closest_constituency, same_constituency

UNPLACED_FILE = ".unplaced-comments.yaml"
# A returned file is checked before anything is inflated (the same care as for Word
# templates): a form of 10,000 rows is about 1 MB zipped and 10 MB unpacked.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 10000
MAX_HEADER_COLUMNS = 200  # where the form's column titles are looked for
FORMULA_LIKE = re.compile(r"^(?:[=+@\t\r]|-[^\s\d-])")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"
HEADER = """\
# Comments imported by `mhhsarch comments import` from returned comment forms and reviewed
# Word documents: `source` says which file, row or Word comment each came from (a second
# import of the same file adds nothing). The design team answers here: set `status` and
# `response` (and `resolved_in` once a version answers it).
"""
UNPLACED_HEADER = """\
# Comments `mhhsarch comments import` could not place in the model (no artefact or an
# unknown one, no constituency or one mhhsarch.yaml does not list): kept here as the
# reviewer wrote them, with the problems. Not a model file (hidden files are not read).
# Correct the returned file (or give --constituency) and import it again: the comment
# then moves into the model and out of this file. Or copy it into a reviews file by hand.
"""


class Unreadable(Exception):
    """A file that cannot be read as a returned form or a Word document (one line)."""


@dataclass(frozen=True)
class Problem:
    where: str  # file, sheet, row and column, or the Word comment
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Entry:
    """One comment read from a returned file, before it is given an id."""

    fields: dict[str, Any]  # artefact, anchor, round, organisation, constituency, status, text, ...
    source: dict[str, Any]  # file, sheet, row | comment, reviewer, digest
    tranche: int | None  # where it is filed (reviews/imported-tranche-N.yaml)
    placed: bool = True
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        s = self.source
        return (s.get("file"), s.get("sheet"), s.get("row"), _text(s.get("comment")), s.get("digest"))

    @property
    def place(self) -> tuple:
        s = self.source
        return (s.get("file"), s.get("sheet"), s.get("row"), _text(s.get("comment")))


@dataclass(frozen=True)
class Options:
    organisation: str | None = None
    constituency: str | None = None
    round: int | None = None  # the round of Word comments (default: the last that issued the document)


@dataclass
class Result:
    added: dict[Path, list[dict]]  # target file -> the comments added to it
    unplaced: list[dict]
    unplaced_file: Path
    already: int  # rows or comments imported before
    problems: list[Problem]
    released: int = 0  # entries taken out of the unplaced file, now placed


def _text(value) -> str | None:
    return None if value is None else str(value)


# --- resolving what a reviewer wrote -------------------------------------------------------


class Resolver:
    """Artefacts, anchors and constituencies of the model, looked up fast (a 10,000-row
    form resolves each row in a few dictionary look-ups)."""

    def __init__(self, model: Model):
        self.model = model
        self.artefacts = {a.id: a for a in anchors.artefacts(model)}
        self._artefact_keys: dict[str, str] = {}
        for a in self.artefacts.values():
            for key in (a.id, a.choice, a.id.replace("-", "")):
                self._artefact_keys.setdefault(key.casefold(), a.id)
        self._anchors: dict[str, dict[str, str]] = {}
        self.constituencies = tuple(model.config.constituencies)

    def artefact(self, written: str) -> str | None:
        text = written.strip()
        for key in (text, f.choice_id(text)):
            found = self._artefact_keys.get(key.casefold())
            if found:
                return found
        return None

    def anchor(self, artefact_id: str, written: str) -> str | None:
        keys = self._anchors.get(artefact_id)
        if keys is None:
            keys = self._anchors[artefact_id] = {}
            listed = anchors.anchors(self.model, artefact_id)
            for anchor in listed:
                keys.setdefault(anchor.choice, anchor.id)
                keys.setdefault(anchor.id, anchor.id)
            for anchor in listed:
                keys.setdefault(anchor.id.casefold(), anchor.id)
                keys.setdefault(anchor.label.casefold(), anchor.id)
                if anchor.id.startswith("step:"):
                    keys.setdefault(anchor.id[5:], anchor.id)  # a bare step number
        text = " ".join(written.split())
        for key in (written.strip(), text, f.choice_id(text), text.casefold(), f.choice_id(text).casefold()):
            if key in keys:
                return keys[key]
        return None

    def constituency(self, written: str) -> str | None:
        return same_constituency(written, self.constituencies)

    def closest_constituency(self, written: str) -> str | None:
        return closest_constituency(written, self.constituencies)


def _digest(values: Iterable) -> str:
    return hashlib.sha256(json.dumps(list(values), ensure_ascii=False).encode("utf-8")).hexdigest()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _place(
    resolver: Resolver,
    raw: dict[str, str],
    where,  # column -> location text
    round_number: int | None,
    tranche: int | None,
    source: dict,
    form_artefacts: frozenset[str] | None = None,
) -> Entry:
    """An entry from what a reviewer wrote (`raw`: the form's keys, values as text)."""
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    placed = True
    for key, value in raw.items():
        if value and FORMULA_LIKE.match(value):
            problems.append(Problem(where(key), f"{value[:40]!r} looks like a formula: kept as text, never run"))
    artefact_written = raw.get("artefact", "")
    artefact_id = resolver.artefact(artefact_written) if artefact_written else None
    if not artefact_written:
        placed = False
        problems.append(Problem(where("artefact"), "no artefact: kept unplaced"))
    elif artefact_id is None:
        placed = False
        problems.append(Problem(where("artefact"), f"{artefact_written[:60]!r} is not an artefact: kept unplaced"))
    fields["artefact"] = artefact_id if artefact_id else artefact_written or None
    anchor_written = raw.get("anchor", "")
    status = "open"
    if anchor_written and artefact_id:
        fields["anchor"] = resolver.anchor(artefact_id, anchor_written)
        if fields["anchor"] is None:
            problems.append(
                Problem(
                    where("anchor"),
                    f"{anchor_written[:60]!r} is not an anchor of {artefact_id}: kept without an anchor, status open "
                    f"(`mhhsarch comments anchors {artefact_id}` lists them)",
                )
            )
    elif anchor_written:
        fields["anchor"] = anchor_written
    if artefact_id and round_number is not None and form_artefacts is not None and artefact_id not in form_artefacts:
        problems.append(
            Problem(where("artefact"), f"round {round_number} did not issue {artefact_id}: kept without a round")
        )
        round_number = None
    if artefact_id and round_number is not None and form_artefacts is None:
        covered = _round_covering(resolver.model, artefact_id, round_number)
        if covered is None:
            problems.append(
                Problem(where("artefact"), f"round {round_number} did not issue {artefact_id}: kept without a round")
            )
        round_number = covered
    if round_number is not None:
        fields["round"] = round_number
    if raw.get("organisation"):
        fields["organisation"] = raw["organisation"]
    written = raw.get("constituency", "")
    constituency = resolver.constituency(written) if written else None
    if not written:
        placed = False
        problems.append(Problem(where("constituency"), "no constituency: kept unplaced"))
    elif constituency is None:
        placed = False
        close = resolver.closest_constituency(written)
        hint = f" (did you mean {close!r}?)" if close else ""
        problems.append(
            Problem(
                where("constituency"),
                f"{written[:60]!r} is not one of mhhsarch.yaml's constituencies{hint}: kept unplaced",
            )
        )
    fields["constituency"] = constituency or written or None
    status_written = raw.get("status", "")
    if status_written:
        found = f.status_of(status_written)
        if found is None:
            problems.append(Problem(where("status"), f"{status_written[:40]!r} is not a status: kept as open"))
        else:
            status = found
    unplaced_anchor = "anchor" in fields and fields["anchor"] is None
    fields["status"] = "open" if unplaced_anchor else status
    for key in ("text", "proposed_change", "response"):
        if raw.get(key):
            fields[key] = raw[key]
    if unplaced_anchor:
        fields["x-anchor-as-written"] = anchor_written
    if not placed:
        fields = {k: v for k, v in fields.items() if v is not None}
    return Entry(
        fields, source, tranche if tranche is not None else _tranche_of(resolver, artefact_id), placed, problems
    )


def _tranche_of(resolver: Resolver, artefact_id: str | None) -> int | None:
    found = resolver.artefacts.get(artefact_id) if artefact_id else None
    return found.tranche if found else None


def _round_covering(model: Model, artefact_id: str, round_number: int) -> int | None:
    artefact = anchors.artefact(model, artefact_id)
    tranche = model.tranches.get(artefact.tranche) if artefact and artefact.tranche is not None else None
    if tranche is None:
        return round_number if artefact and artefact.tranche is None else None
    review = next((r for r in tranche.reviews if r.round == round_number), None)
    return round_number if review is not None and review.covers(artefact_id) else None


def _last_round(model: Model, artefact_id: str) -> int | None:
    artefact = anchors.artefact(model, artefact_id)
    tranche = model.tranches.get(artefact.tranche) if artefact and artefact.tranche is not None else None
    if tranche is None:
        return None
    covering = [r.round for r in tranche.reviews if r.covers(artefact_id)]
    return covering[-1] if covering else None


# --- reading files ------------------------------------------------------------------------


def check_zip(path: Path) -> bytes:
    """The file's bytes, refused (Unreadable) when too big, not a zip, or saying it
    unpacks to too much, from its size and zip directory alone."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Unreadable(f"it is {size / 2**20:.0f} MB (at most {MAX_FILE_BYTES // 2**20} MB)")
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except OSError as error:
        raise Unreadable(error.strerror or str(error)) from None
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise Unreadable(f"it is not an Excel or Word (zip) file: {error}") from None
    if len(entries) > MAX_ENTRIES:
        raise Unreadable(f"it has {len(entries):,} entries (at most {MAX_ENTRIES:,})")
    unpacked = sum(info.file_size for info in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise Unreadable(f"it unpacks to {unpacked / 2**20:,.0f} MB (at most {MAX_UNPACKED_BYTES // 2**20} MB)")
    return data


def read_file(resolver: Resolver, path: Path, options: Options) -> tuple[list[Entry], list[Problem]]:
    """The entries of one returned file and the problems of the file as a whole."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".docx", ".docm"):
        raise Unreadable("not a returned form (.xlsx) or a Word document (.docx)")
    data = check_zip(path)
    try:
        if suffix in (".xlsx", ".xlsm"):
            return read_form(resolver, path.name, data)
        return read_word(resolver, path.name, data, options)
    except Unreadable:
        raise
    except Exception as error:  # openpyxl and lxml report a damaged file in many ways
        raise Unreadable(f"it is damaged or not what its name says ({type(error).__name__}: {error})") from None


def read_form(resolver: Resolver, name: str, data: bytes) -> tuple[list[Entry], list[Problem]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        tranche, round_number = _form_facts(wb, name)
        sheet, columns, header_row = _comments_sheet(wb)
        issued = None
        problems = []
        if tranche is not None and round_number is not None:
            found = resolver.model.tranches.get(tranche)
            review = next((r for r in found.reviews if r.round == round_number), None) if found else None
            if review is not None and found is not None:
                issued = frozenset(a.id for a in f.round_artefacts(resolver.model, found, review))
            else:
                problems.append(
                    Problem(
                        name,
                        f"a form for tranche {tranche}, round {round_number}, which the model does not have: "
                        "its comments are kept without a round",
                    )
                )
                round_number = None
        titles = {key: title for title, (key, _) in columns.items()}
        letters = {key: letter for _, (key, letter) in columns.items()}
        entries = []
        # the cells as the file holds them, whatever size its dimension claims (a
        # "1,048,576 rows by XFD" sheet would otherwise be read as that many empty cells)
        sheet.reset_dimensions()
        width = max(_column_index(letter) for letter in letters.values()) + 1
        rows = sheet.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)
        for r, row in enumerate(rows, header_row + 1):
            raw = {}
            for key, _title in titles.items():
                index = _column_index(letters[key])
                raw[key] = _cell_text(row[index]).strip() if index < len(row) else ""
            if not any(raw.get(k) for k in f.REVIEWER_KEYS):
                continue  # an empty row is not a comment
            source: dict[str, Any] = {"file": name, "sheet": sheet.title, "row": r}
            if raw.get("reviewer"):
                source["reviewer"] = raw["reviewer"]
            source["digest"] = _digest(raw.get(k, "") for k in f.REVIEWER_KEYS)

            def where(key, r=r) -> str:
                if key in letters:
                    return f"{name}: sheet {sheet.title}, row {r}, column {letters[key]} ({titles[key]})"
                return f"{name}: sheet {sheet.title}, row {r}"

            raw.pop("reviewer", None)
            entries.append(_place(resolver, raw, where, round_number, tranche, source, issued))
        return entries, problems
    finally:
        wb.close()


def _column_index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter) - 1


def _form_facts(wb, name: str) -> tuple[int | None, int | None]:
    """The tranche and round a form is for: its hidden Form sheet, else its file name."""
    if f.FORM_FACTS_SHEET in wb.sheetnames:
        rows = list(wb[f.FORM_FACTS_SHEET].iter_rows(min_row=1, max_row=5, max_col=2, values_only=True))
        if rows and rows[0] and rows[0][0] == f.FORM_MARK:
            facts = {str(k): v for k, v in (row[:2] for row in rows[1:] if len(row) >= 2)}
            tranche, round_number = facts.get("tranche"), facts.get("round")
            if isinstance(tranche, int) and isinstance(round_number, int):
                return tranche, round_number
    found = re.search(r"tranche-(\d+)-round-(\d+)", name, re.IGNORECASE)
    return (int(found.group(1)), int(found.group(2))) if found else (None, None)


def _comments_sheet(wb):
    """The sheet of comments (`Comments`, else the first with the form's columns), its
    columns by title ({title: (key, letter)}) and its header row."""
    from openpyxl.utils import get_column_letter

    by_title = {c.title.casefold(): c.key for c in f.COLUMNS}
    names = [f.FORM_SHEET] if f.FORM_SHEET in wb.sheetnames else []
    names += [n for n in wb.sheetnames if n != f.FORM_SHEET]
    for sheet_name in names:
        sheet = wb[sheet_name]
        if not hasattr(sheet, "reset_dimensions"):
            continue  # a chart sheet
        sheet.reset_dimensions()
        for r, row in enumerate(sheet.iter_rows(min_row=1, max_row=5, max_col=MAX_HEADER_COLUMNS, values_only=True), 1):
            columns = {}
            for c, value in enumerate(row, 1):
                key = by_title.get(" ".join(_cell_text(value).split()).casefold())
                if key and key not in {k for k, _ in columns.values()}:
                    columns[_cell_text(value).strip()] = (key, get_column_letter(c))
            keys = {k for k, _ in columns.values()}
            if {"artefact", "text"} <= keys:
                return sheet, columns, r
    raise Unreadable("no sheet with the comment form's columns (Artefact, Comment, ...)")


def _xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)


def _read_entry(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    with archive.open(info) as entry:
        return b"".join(iter(lambda: entry.read(1 << 20), b""))


def read_word(resolver: Resolver, name: str, data: bytes, options: Options) -> tuple[list[Entry], list[Problem]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = _read_entry(archive, "word/document.xml")
        if document is None:
            raise Unreadable("it is not a Word document (no word/document.xml)")
        comments_xml = _read_entry(archive, "word/comments.xml")
        core = _read_entry(archive, "docProps/core.xml")
        app = _read_entry(archive, "docProps/app.xml")
        custom = _read_entry(archive, "docProps/custom.xml")
    if comments_xml is None:
        return [], []
    body = _xml(document)
    properties = _properties(core, app, custom)
    bookmarks: list[str] = [b.get(W + "name") or "" for b in body.iter(W + "bookmarkStart")]
    ours = {b for b in bookmarks if b.startswith(anchors.BOOKMARK_PREFIX)}
    artefact_id, how = _document_artefact(resolver, name, properties.get("identifier"), ours)
    problems = []
    if artefact_id is None:
        problems.append(
            Problem(name, "the document's artefact is not known (no identifier, file name or bookmarks of ours)")
        )
    positions = _comment_positions(body)
    organisation = options.organisation or properties.get("organisation") or properties.get("company") or ""
    constituency = options.constituency or properties.get("constituency") or ""
    round_number = options.round
    if round_number is None and artefact_id is not None:
        round_number = _last_round(resolver.model, artefact_id)
    entries = []
    for comment in _xml(comments_xml).iter(W + "comment"):
        comment_id = comment.get(W + "id") or ""
        text = "\n".join("".join(t.text or "" for t in p.iter(W + "t")) for p in comment.iter(W + "p")).strip()
        if not text:
            continue  # an empty Word comment says nothing
        author = comment.get(W + "author") or ""
        bookmark = positions.get(comment_id)
        anchor = anchors.anchor_of_bookmark(resolver.model, artefact_id, bookmark) if artefact_id and bookmark else None
        raw = {
            "artefact": artefact_id or "",
            "anchor": anchor.id if anchor else "",
            "organisation": organisation,
            "constituency": constituency,
            "text": text,
        }
        source: dict[str, Any] = {"file": name, "comment": comment_id}
        if author:
            source["reviewer"] = author
        source["digest"] = _digest(
            [artefact_id or "", anchor.id if anchor else "", author, comment.get(W + "date") or "", text]
        )
        short = " ".join(text.split())[:50]

        def where(key, comment_id=comment_id, short=short) -> str:
            return f"{name}: Word comment {comment_id} ({short!r})"

        entry = _place(resolver, raw, where, round_number, None, source)
        if artefact_id is None:
            entry.problems = [p for p in entry.problems if "no artefact" not in p.message]
            entry.problems.append(Problem(where("artefact"), "the document's artefact is not known: kept unplaced"))
        if bookmark is None and artefact_id is not None:
            entry.problems.append(
                Problem(
                    where("anchor"), f"not on a bookmarked part of {artefact_id}: a comment on the document as a whole"
                )
            )
        entries.append(entry)
    return entries, problems


def _properties(core: bytes | None, app: bytes | None, custom: bytes | None) -> dict[str, str]:
    """identifier (core), company (app), and the custom properties, names in lower case."""
    found: dict[str, str] = {}
    if core:
        for element in _xml(core):
            if element.tag == "{http://purl.org/dc/elements/1.1/}identifier" and element.text:
                found["identifier"] = element.text.strip()
    if app:
        for element in _xml(app):
            if str(element.tag).endswith("}Company") and element.text and element.text.strip() != "mhhsarch":
                found["company"] = element.text.strip()
    if custom:
        for prop in _xml(custom):
            name = (prop.get("name") or "").strip().casefold().replace("organization", "organisation")
            value = "".join(prop.itertext()).strip()
            if name in ("organisation", "constituency", "reviewer organisation", "reviewer constituency") and value:
                found[name.replace("reviewer ", "")] = value
    return found


def _document_artefact(resolver: Resolver, name: str, identifier: str | None, ours: set[str]) -> tuple[str | None, str]:
    if identifier and identifier in resolver.artefacts:
        return identifier, "identifier"
    match = re.match(r"(BP\d{3}[A-Z]?|(?:IF|PUB)-\d{3}[A-Z]?|[A-Z]{2,6}\d{3}[A-Z]?|CATALOGUE)", name, re.IGNORECASE)
    if match:
        found = resolver.artefact(match.group(1))
        if found:
            return found, "file name"
    best, score = None, 0
    if ours:
        for artefact_id in resolver.artefacts:
            count = sum(1 for a in anchors.anchors(resolver.model, artefact_id) if anchors.bookmark_name(a.id) in ours)
            if count > score:
                best, score = artefact_id, count
    return best, "bookmarks"


def _comment_positions(body) -> dict[str, str]:
    """Word comment id -> the bookmark of ours it is anchored in: the innermost open
    where its range starts (or its reference, without a range), else the first that
    starts inside its range."""
    open_marks: dict[str, str] = {}  # bookmark id -> name, in the order opened
    started: dict[str, str | None] = {}
    inside: dict[str, list[str]] = {}
    ranges: set[str] = set()
    for element in body.iter(
        W + "bookmarkStart", W + "bookmarkEnd", W + "commentRangeStart", W + "commentRangeEnd", W + "commentReference"
    ):
        tag = element.tag[len(W) :]
        mark = element.get(W + "id") or ""
        if tag == "bookmarkStart":
            name = element.get(W + "name") or ""
            if name.startswith(anchors.BOOKMARK_PREFIX):
                open_marks[mark] = name
                for comment in ranges:
                    inside[comment].append(name)
        elif tag == "bookmarkEnd":
            open_marks.pop(mark, None)
        elif tag == "commentRangeStart":
            started[mark] = next(reversed(open_marks.values()), None) if open_marks else None
            ranges.add(mark)
            inside[mark] = []
        elif tag == "commentRangeEnd":
            ranges.discard(mark)
        elif tag == "commentReference" and mark not in started:
            started[mark] = next(reversed(open_marks.values()), None) if open_marks else None
            inside[mark] = []
    positions = {}
    for comment, bookmark in started.items():
        chosen = bookmark or next(iter(inside.get(comment, ())), None)
        if chosen:
            positions[comment] = chosen
    return positions


# --- writing -----------------------------------------------------------------------------


# The YAML is made as nodes and emitted by libyaml's emitter when there is one (a
# 10,000-comment file in about a second): every string double-quoted, or a literal
# block when it has lines, so that no reader takes a reviewer's `yes`, `1e3` or
# `2022-01-01` for anything but text; keys plain.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"


def _node(value) -> yaml.Node:
    if isinstance(value, dict):
        return yaml.MappingNode(
            _TAG + "map",
            [(yaml.ScalarNode(_TAG + "str", str(k)), _node(v)) for k, v in value.items()],
            flow_style=False,
        )
    if isinstance(value, (list, tuple)):
        return yaml.SequenceNode(_TAG + "seq", [_node(v) for v in value], flow_style=False)
    if value is None:
        return yaml.ScalarNode(_TAG + "null", "null")
    if isinstance(value, bool):
        return yaml.ScalarNode(_TAG + "bool", "true" if value else "false")
    if isinstance(value, int):
        return yaml.ScalarNode(_TAG + "int", str(value))
    text = str(value)
    style = "|" if "\n" in text and text == text.strip() else '"'
    return yaml.ScalarNode(_TAG + "str", text, style=style)


def _emit(nodes: list) -> str:
    sequence = yaml.SequenceNode(_TAG + "seq", nodes, flow_style=False)
    return yaml.serialize(sequence, Dumper=_DUMPER, allow_unicode=True, width=1_000_000)


def dump(items: list[dict]) -> str:
    """`items` as a YAML block list."""
    return _emit([_node(i) for i in items])


def _same(a, b) -> bool:
    """Whether two YAML nodes say the same (tags and values; styles aside)."""
    if type(a) is not type(b) or a.tag != b.tag:
        return False
    if isinstance(a, yaml.ScalarNode):
        return a.value == b.value
    if len(a.value) != len(b.value):
        return False
    if isinstance(a, yaml.MappingNode):
        return all(_same(ka, kb) and _same(va, vb) for (ka, va), (kb, vb) in zip(a.value, b.value))
    return all(_same(x, y) for x, y in zip(a.value, b.value))


def _compose(text: str):
    return yaml.compose(text, Loader=_LOADER)


class WriteProblem(Exception):
    """A target file that cannot be appended to safely."""


def appended(path: Path, key: str, items: list[dict], header: str) -> str:
    """The text of `path` with `items` appended to its top-level list `key`, checked by
    reading it back (the file as it was stays untouched if that fails)."""
    nodes = [_node(i) for i in items]
    block = _emit(nodes)
    old_nodes: list = []
    if not path.exists():
        text = header + f"\n{key}:\n" + _indent(block, "  ")
    else:
        try:
            old = path.read_text(encoding="utf-8")
            root = _compose(old) if old.strip() else None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise WriteProblem(f"cannot read {path}: {error}") from None
        pairs = root.value if isinstance(root, yaml.MappingNode) else []
        if root is not None and not isinstance(root, yaml.MappingNode):
            raise WriteProblem(f"{path} is not a mapping of kinds; name another file with --into")
        last = pairs[-1] if pairs else None
        if last is not None and (last[0].value != key or not isinstance(last[1], (yaml.SequenceNode, yaml.ScalarNode))):
            raise WriteProblem(f"{path} does not end with a `{key}:` list; name another file with --into")
        if any(k.value == key for k, _ in pairs[:-1]):
            raise WriteProblem(f"{path} has `{key}:` twice; name another file with --into")
        old_nodes = list(last[1].value) if last is not None and isinstance(last[1], yaml.SequenceNode) else []
        if last is None:
            text = (old.rstrip("\n") + "\n\n" if old.strip() else header + "\n") + f"{key}:\n" + _indent(block, "  ")
        elif not old_nodes:  # `comments:` or `comments: []`, the last thing in the file
            start = last[0].start_mark.index
            text = old[:start] + f"{key}:\n" + _indent(block, "  ")
        else:
            if last[1].flow_style:
                raise WriteProblem(f"{path}: its `{key}:` list is not a block list; name another file with --into")
            first = old_nodes[0].start_mark
            line_start = old.rfind("\n", 0, first.index) + 1
            prefix = old[line_start : first.index]
            indent = prefix[: len(prefix) - len(prefix.lstrip(" "))]
            text = old.rstrip("\n") + "\n" + _indent(block, indent)
    try:
        back = _compose(text)
    except yaml.YAMLError as error:
        raise WriteProblem(
            f"appending to {path} would not read back ({error}); name another file with --into"
        ) from None
    written = back.value[-1][1].value if isinstance(back, yaml.MappingNode) and back.value else []
    expected = old_nodes + nodes
    if len(written) != len(expected) or not all(_same(a, b) for a, b in zip(written, expected)):
        raise WriteProblem(f"appending to {path} would not read back as written; name another file with --into")
    return text


def _indent(block: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in block.splitlines(keepends=True))


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


# --- the import ---------------------------------------------------------------------------


def _known_sources(model: Model) -> tuple[set[tuple], set[tuple]]:
    keys, places = set(), set()
    for comment in model.comments.values():
        s = comment.source
        if s is None:
            continue
        keys.add((s.file, s.sheet, s.row, _text(s.comment_id), s.digest))
        places.add((s.file, s.sheet, s.row, _text(s.comment_id)))
    return keys, places


def _source_key(source: dict) -> tuple:
    return (
        source.get("file"),
        source.get("sheet"),
        source.get("row"),
        _text(source.get("comment")),
        source.get("digest"),
    )


def _next_ids(model: Model, extra: Iterable[str]):
    highest = 0
    for comment_id in list(model.declared.get("comment", {})) + list(model.comments) + list(extra):
        found = re.fullmatch(r"C-(\d+)", str(comment_id))
        if found:
            highest = max(highest, int(found.group(1)))
    while True:
        highest += 1
        yield f"C-{highest:04d}"


def _ids_in(path: Path) -> list[str]:
    if not path.exists():
        return []
    return re.findall(r"(?m)^\s*-?\s*id:\s*[\"']?(C-\d+)", path.read_text(encoding="utf-8", errors="replace"))


def _read_unplaced(path: Path) -> list[tuple[yaml.Node, dict]]:
    """The entries kept unplaced before, as YAML nodes (written back as they are) with
    their `source` (read from the nodes: thousands of entries in a fraction of a second)."""
    if not path.exists():
        return []
    try:
        root = _compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise WriteProblem(f"cannot read {path}: {error}") from None
    pairs = dict((k.value, v) for k, v in root.value) if isinstance(root, yaml.MappingNode) else {}
    listed = pairs.get("unplaced")
    found = []
    for item in listed.value if isinstance(listed, yaml.SequenceNode) else []:
        if not isinstance(item, yaml.MappingNode):
            continue
        source = next((v for k, v in item.value if k.value == "source"), None)
        values = {}
        if isinstance(source, yaml.MappingNode):
            for k, v in source.value:
                if isinstance(v, yaml.ScalarNode):
                    values[k.value] = int(v.value) if v.tag == _TAG + "int" and v.value.isdigit() else v.value
        found.append((item, values))
    return found


def run_import(
    model: Model,
    model_dir: Path,
    paths: list[Path],
    into: Path | None = None,
    dry_run: bool = False,
    options: Options | None = None,
) -> Result:
    """Import `paths` into the model's reviews (raises Unreadable naming the file, or
    WriteProblem; nothing is written then)."""
    options = options or Options()
    resolver = Resolver(model)
    entries: list[Entry] = []
    problems: list[Problem] = []
    unreadable = []
    for path in paths:
        try:
            found, file_problems = read_file(resolver, path, options)
        except Unreadable as error:
            unreadable.append(f"cannot read {path}: {error}")
            continue
        entries += found
        problems += file_problems
    if unreadable:
        raise Unreadable("; ".join(unreadable))
    reviews = into.parent if into is not None else model_dir / "reviews"
    unplaced_file = reviews / UNPLACED_FILE
    kept = _read_unplaced(unplaced_file)
    known, _ = _known_sources(model)
    # kept unplaced before: still unplaced, it is not added again; placed now, it moves
    # into the model (--constituency given, the form corrected)
    known_unplaced = {_source_key(source) for _, source in kept}
    targets: dict[Path, list[Entry]] = {}
    unplaced: list[Entry] = []
    already = 0
    seen: set[tuple] = set()
    for entry in entries:
        if entry.key in known or entry.key in seen or (entry.key in known_unplaced and not entry.placed):
            already += 1  # imported before: its problems were reported then
            continue
        problems += entry.problems
        seen.add(entry.key)
        if not entry.placed:
            unplaced.append(entry)
            continue
        target = into or reviews / (
            f"imported-tranche-{entry.tranche}.yaml" if entry.tranche is not None else "imported.yaml"
        )
        targets.setdefault(target, []).append(entry)
    ids = _next_ids(model, [i for t in targets for i in _ids_in(t)])
    added: dict[Path, list[dict]] = {}
    for target in sorted(targets):
        added[target] = [{"id": next(ids), **entry.fields, "source": entry.source} for entry in targets[target]]
    placed_now = {e.place for es in targets.values() for e in es}
    remaining = [node for node, source in kept if _place_of(source) not in placed_now]
    released = len(kept) - len(remaining)
    new_unplaced = [{"problems": [str(p) for p in e.problems], **e.fields, "source": e.source} for e in unplaced]
    texts = {target: appended(target, "comments", items, HEADER) for target, items in added.items()}
    if new_unplaced or released:
        everything = remaining + [_node(item) for item in new_unplaced]
        listed = "unplaced:\n" + _indent(_emit(everything), "  ") if everything else "unplaced: []\n"
        texts[unplaced_file] = UNPLACED_HEADER + "\n" + listed
    if not dry_run:
        for target, text in texts.items():
            _write_atomically(target, text)
    return Result(added, new_unplaced, unplaced_file, already, problems, released)


def _place_of(s: dict) -> tuple:
    return (s.get("file"), s.get("sheet"), s.get("row"), _text(s.get("comment")))
