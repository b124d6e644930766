"""Pieces every document view shares: the document's identity (header, footer,
properties), label/value facts, two-line cells, the document-control section, and
the reference material every document carries (provenance of assumed facts,
cross-references, the glossary of the abbreviations it uses)."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from mhhsarch import __version__
from mhhsarch.model import entities as e
from mhhsarch.model.entities import CLASSIFICATION_ORDER
from mhhsarch.model.model import Model
from mhhsarch.review.anchors import find_anchor

NOT_STATED = "not stated"
# A fact the design team supplied where the programme has published nothing
# (`x-source: assumed`, or a field named in an entity's `x-assumed` list) is printed
# with this mark after it; the document's legend and Assumptions section explain it.
ASSUMED_MARK = "\u2020"  # dagger
ASSUMED_LEGEND = (
    f"{ASSUMED_MARK} marks a fact the design team assumed where the programme has not published it "
    "(x-source: assumed in the model); it is to be confirmed in review. The Assumptions section lists them."
)
ILLUSTRATIVE_NOTE = (
    "Comments marked illustrative come from fictitious organisations: they show how the review works "
    "and are not comments made by industry."
)
# Document numbers: the programme's design-document prefix, the document type, the entity id.
DOCUMENT_NUMBER_PREFIX = "MHHS-DES"


@dataclass(frozen=True)
class DocumentInfo:
    """What identifies a document: its header and footer, and its file properties."""

    document_id: str
    title: str
    version: str
    status: str
    classification: str
    date: str
    model: str
    subject: str = ""
    keywords: str = ""
    number: str = ""  # the document number on the cover and in the properties


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Named:
    """A cell of a name (or code) with an optional second, lighter line under it."""

    text: str
    detail: str | None = None


@dataclass(frozen=True)
class VersionRow:
    version: str
    date: str
    status: str
    change: str


@dataclass(frozen=True)
class CommentRow:
    id: str
    constituency: str
    organisation: str | None
    text: str
    response: str | None
    status: str
    illustrative: bool = False  # from a fictitious organisation (`x-illustrative: true`)
    where: str | None = None  # the anchor, as people read it ("Step 5: Notify the distributor")
    round: int | None = None
    proposed_change: str | None = None


@dataclass(frozen=True)
class DocumentControl:
    facts: tuple[Fact, ...]
    history: tuple[VersionRow, ...]
    comments: tuple[CommentRow, ...]
    history_note: str = ""  # what the version history does and does not record
    comments_note: str | None = None  # says that illustrative comments are not real


@dataclass(frozen=True)
class AssumptionRow:
    """One assumed fact (or set of facts) a document shows, for its Assumptions section."""

    subject: str  # "IF-021 UTC Settlement Period Consumption Data"
    kind: str  # "interface", "data item", ...
    what: str  # "the whole entry", or the assumed fields


@dataclass(frozen=True)
class ReferenceRow:
    """A cross-reference: a principle the document follows, a related process or interface."""

    kind: str  # "Principle", "Process", "Interface"
    id: str
    title: str
    document: str  # where it is described: "processes/BP005.docx", "Principles section"


@dataclass(frozen=True)
class GlossaryRow:
    term: str
    meaning: str


@dataclass(frozen=True)
class PrincipleRow:
    id: str
    title: str
    text: str | None
    traced_from: str


def audience_text(model: Model, process: e.Process, step: e.Step) -> str:
    """What a step's `audience` means for its recipients, in words ("" for all of them)."""
    if step.audience == "appointed":
        return "Only those appointed to the metering point (its supplier and its appointed services)"
    if step.audience == "originator":
        answered = model.answered_step(process, step)
        if answered is None:
            return "Only the originator of the message it answers"
        return f"Only the originator: the sender of the step {answered.id} message ({answered.interface}) it answers"
    return ""


# How dates and times are written (ISO 8601); date-times are UTC unless the item says otherwise.
TIME_FORMATS = {
    ("date", None): "ISO 8601 date YYYY-MM-DD",
    ("datetime", "utc"): "ISO 8601 date-time in UTC YYYY-MM-DDThh:mm:ssZ",
    ("datetime", "uk-local"): "ISO 8601 date-time in UK local time (GMT or BST) YYYY-MM-DDThh:mm:ss+hh:mm",
    ("time", "utc"): "ISO 8601 time in UTC hh:mm:ssZ",
    ("time", "uk-local"): "ISO 8601 time in UK local time (GMT or BST) hh:mm:ss",
}
REPEATS = {"1": "Once", "0..1": "At most once", "1..*": "One or more", "0..*": "Any number"}


def time_format(item: e.DataItem) -> str | None:
    """How a date, datetime or time item is written; None for other types."""
    if item.type == "date":
        return TIME_FORMATS[("date", None)]
    if item.type in ("datetime", "time"):
        return TIME_FORMATS[(item.type, item.time_zone or "utc")]
    return None


def decimal_size(item: e.DataItem) -> str | None:
    """'10 digits, 3 after the point' for a decimal with a precision and a scale."""
    parts = []
    if item.precision is not None:
        parts.append(f"{item.precision} digits")
    if item.scale is not None:
        parts.append(f"{item.scale} after the point")
    return ", ".join(parts) or None


def cardinality(repeats: str) -> str:
    """`repeats` in words: "Once", "Exactly 48", "46 to 50", "Up to 48", "At least 2"."""
    if repeats in REPEATS:
        return REPEATS[repeats]
    least, sep, most = repeats.partition("..")
    if not sep:
        return f"Exactly {least}"
    if most == "*":
        return f"At least {least}"
    return f"Up to {most}" if least == "0" else f"{least} to {most}"


def item_size(item: e.DataItem) -> str:
    """Length, precision, date/time format, pattern and unit, one per line."""
    size = []
    if item.length is not None:
        size.append(f"max {item.length}")
    for text in (decimal_size(item), time_format(item), item.format):
        if text:
            size.append(text)
    if item.unit:
        size.append(f"unit {item.unit}")
    return "\n".join(size)


def render_date(epoch: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def document_number(document_type: str, entity_id: str) -> str:
    """`MHHS-DES-IFS-IF-021`: the prefix, the document type (IFS interface specification,
    BPD business process description) and the id of the entity it documents."""
    return f"{DOCUMENT_NUMBER_PREFIX}-{document_type}-{entity_id}"


# --- provenance -----------------------------------------------------------------------------


def assumed_fields(entity) -> tuple[str, ...]:
    """The fields an entity's `x-assumed` list names (a published entry whose listed
    fields the design team supplied)."""
    listed = entity.extra("x-assumed") if hasattr(entity, "extra") else None
    return tuple(str(f) for f in listed) if isinstance(listed, list) else ()


def is_assumed(entity, field: str | None = None) -> bool:
    """Whether `field` of `entity` (or, without `field`, anything of it) is assumed:
    named in its `x-assumed` list, or the whole entity is `x-source: assumed` and has
    no list saying which of its fields are."""
    if entity is None:
        return False
    listed = assumed_fields(entity)
    whole = getattr(entity, "assumed", False) and not listed
    if field is None:
        return whole or bool(listed)
    return whole or field in listed


def marked(text: str, assumed: bool) -> str:
    """`text` with the assumed mark after it when `assumed` (a no-break space keeps the
    mark on the line of the word it marks)."""
    return f"{text}\u00a0{ASSUMED_MARK}" if assumed and text else text


def assumption_row(entity, kind: str) -> AssumptionRow | None:
    """The Assumptions-section row of an entity that is assumed in whole or in part."""
    if not is_assumed(entity):
        return None
    listed = assumed_fields(entity)
    what = "its " + and_list([f.replace("_", " ") for f in listed]) if listed else "the whole entry"
    return AssumptionRow(f"{entity.id} {entity.name}".strip(), kind, what)


# --- version and status ---------------------------------------------------------------------


def version_row(model: Model, version: str, status: str, tranche: int | None) -> VersionRow:
    """The version the model holds, dated by what dates it: an approved or baselined
    artefact by its tranche's approval; anything else is not approved, and its row
    says so. The render date is never a version's date."""
    tranche_entity = model.tranches.get(tranche) if tranche is not None else None
    name = tranche_label(model, tranche) if tranche is not None else None
    approval = tranche_entity.approval if tranche_entity else None
    state = status.capitalize()
    if status in ("approved", "baselined"):
        if approval:
            return VersionRow(version, approval, state, f"Approved with {name}" if name else "Approved")
        return VersionRow(version, NOT_STATED, state, "Approved; the approval date is not recorded in the model")
    if status == "withdrawn":
        return VersionRow(version, "Not approved", state, "Withdrawn")
    if status == "review" and name:
        return VersionRow(version, "Not approved", state, f"Issued for review with {name}")
    return VersionRow(version, "Not approved", state, "Draft, not yet approved")


GIT_HISTORY_NOTE = "The history comes from the model's version control: each version with its latest change."
HISTORY_NOTE = (
    "The history shows the version the model holds and the date its tranche was approved; "
    "earlier versions are not recorded in the model."
)


def role_label(model: Model, role_id: str) -> str:
    """'Supplier (SUP)': the name a reviewer knows, with the code the tables use."""
    role = model.roles.get(role_id)
    return f"{role.name} ({role_id})" if role else role_id


def model_label(model: Model) -> str:
    config = model.config
    label = config.name + (f" {config.version}" if config.version else "")
    if not config.baseline:
        return label
    # "Tranche 1-4 baseline" already says what it is
    said = "baseline" in config.baseline.lower()
    return label + (f" ({config.baseline})" if said else f" (baseline {config.baseline})")


def tranche_label(model: Model, tranche: int | None) -> str:
    if tranche is None:
        return NOT_STATED
    found = model.tranches.get(tranche)
    return found.name if found and found.name else f"Tranche {tranche}"


def highest(classifications) -> str | None:
    ranked = [c for c in classifications if c in CLASSIFICATION_ORDER]
    return max(ranked, key=CLASSIFICATION_ORDER.index) if ranked else None


def paragraphs(text: str | None) -> tuple[str, ...]:
    """A description's paragraphs (blank lines separate them)."""
    if not text:
        return ()
    return tuple(p.strip() for p in text.strip().split("\n\n") if p.strip())


def and_list(items) -> str:
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _resolved(comments, version: str) -> str:
    ids = [c.id for c in comments if c.status == "accepted" and getattr(c, "resolved_in", None) == version]
    return f" (resolves {', '.join(ids)})" if ids else ""


def source_file(model: Model, entity: e.Entity) -> str:
    """The entity's file relative to the model folder: documents never show local paths."""
    if entity.origin is None:
        return "generated in memory"
    return Path(os.path.relpath(entity.origin.file_path, model.root)).as_posix()


def review_rounds(rounds) -> str:
    """'Round 1: 2022-02-14 to 2022-02-25; round 2: 2022-03-28 to 2022-04-08' (one round: its dates)."""
    if not rounds:
        return NOT_STATED
    windows = [f"{r.start or '?'} to {r.end or '?'}" for r in rounds]
    if len(rounds) == 1:
        return windows[0]
    return "; ".join(f"{'R' if n == 0 else 'r'}ound {r.round}: {w}" for n, (r, w) in enumerate(zip(rounds, windows)))


def document_control(
    model: Model, info: DocumentInfo, entity: e.Entity, comments, tranche: int | None, revisions=()
) -> DocumentControl:
    """The document-control section; `revisions` (change/history.py, newest first) fill
    the version history from git: a row per version, with the date of its latest commit,
    the subjects of the commits that made it and the comments it resolves."""
    tranche_entity = model.tranches.get(tranche) if tranche is not None else None
    rounds = [r for r in tranche_entity.reviews if r.covers(str(entity.id))] if tranche_entity else []
    facts = (
        Fact("Document", f"{info.document_id} {info.title}"),
        *((Fact("Document number", info.number),) if info.number else ()),
        Fact("Owner", entity.owner_team or "MHHS design team"),
        Fact("Review rounds" if len(rounds) > 1 else "Review period", review_rounds(rounds)),
        Fact("Approval date", (tranche_entity.approval if tranche_entity else None) or NOT_STATED),
        Fact("Classification", info.classification.capitalize()),
        Fact("Source", f"{source_file(model, entity)} in {info.model}"),
        Fact("Published", f"{info.date} by mhhsarch {__version__}; do not edit, change the model instead"),
    )
    history = tuple(
        VersionRow(
            info.version if revision.version == "unversioned" else revision.version,
            render_date(revision.date),
            info.status.capitalize() if n == 0 else "",
            "; ".join(dict.fromkeys(revision.subjects)) + _resolved(comments, revision.version),
        )
        for n, revision in enumerate(revisions)
    )
    history_note = GIT_HISTORY_NOTE if history else HISTORY_NOTE
    history = history or (version_row(model, info.version, info.status, tranche),)
    rows = tuple(
        CommentRow(
            c.id,
            c.constituency,
            f"{c.organisation} (illustrative)" if c.organisation and _illustrative(c) else c.organisation,
            c.text or "",
            c.response,
            c.status.capitalize(),
            _illustrative(c),
            _where(model, c),
            c.round,
            c.proposed_change,
        )
        for c in comments
    )
    note = ILLUSTRATIVE_NOTE if any(r.illustrative for r in rows) else None
    return DocumentControl(facts, history, rows, history_note, note)


def _where(model: Model, comment) -> str | None:
    if comment.anchor is None:
        return None
    anchor = find_anchor(model, comment.artefact, comment.anchor)
    if anchor is None:
        return comment.anchor
    return anchor.label if anchor.id.startswith(("step:", "section:")) else f"{anchor.id} {anchor.label}"


def _illustrative(comment) -> bool:
    """A comment the model flags as illustrative (`x-illustrative: true`): from a
    fictitious organisation, showing the workflow."""
    return comment.extra("x-illustrative") is True


# --- reference material ---------------------------------------------------------------------

GLOSSARY_FILE = Path(__file__).resolve().parents[2] / "glossary.yaml"


@cache
def programme_terms() -> tuple[tuple[str, str], ...]:
    """The programme's abbreviations (`mhhsarch/glossary.yaml`), as (term, meaning)."""
    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    return tuple((str(term), str(meaning)) for term, meaning in (data.get("terms") or {}).items())


def texts_of(value) -> list[str]:
    """Every string in a view's data (for finding the abbreviations a document uses)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts_of(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in texts_of(v)]
    return []


def glossary(model: Model, texts: list[str]) -> tuple[GlossaryRow, ...]:
    """The abbreviations the texts use: the programme's terms and the market roles' codes,
    each once, in alphabetical order. A term counts as used where it stands as a word of
    its own ("DIP" in "the DIP distributes", not in "DIPs" or "SDIP")."""
    words = set(re.findall(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?![\w])", " ".join(texts)))
    found: dict[str, str] = {}
    for term, meaning in programme_terms():
        if term in words:
            found[term] = meaning
    for role in model.roles.values():
        if role.id in words and role.id not in found:
            found[role.id] = f"{role.name} (market role)"
    return tuple(GlossaryRow(term, meaning) for term, meaning in sorted(found.items(), key=lambda t: t[0].lower()))
