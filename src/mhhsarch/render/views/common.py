"""Pieces every document view shares: the document's identity (header, footer,
properties), label/value facts, two-line cells, and the document-control section."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from mhhsarch import __version__
from mhhsarch.model import entities as e
from mhhsarch.model.entities import CLASSIFICATION_ORDER
from mhhsarch.model.model import Model

NOT_STATED = "not stated"


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


@dataclass(frozen=True)
class DocumentControl:
    facts: tuple[Fact, ...]
    history: tuple[VersionRow, ...]
    comments: tuple[CommentRow, ...]


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


def role_label(model: Model, role_id: str) -> str:
    """'Supplier (SUP)': the name a reviewer knows, with the code the tables use."""
    role = model.roles.get(role_id)
    return f"{role.name} ({role_id})" if role else role_id


def model_label(model: Model) -> str:
    config = model.config
    label = config.name + (f" {config.version}" if config.version else "")
    return label + (f" (baseline {config.baseline})" if config.baseline else "")


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
        Fact("Owner", entity.owner_team or "MHHS design team"),
        Fact("Review rounds" if len(rounds) > 1 else "Review period", review_rounds(rounds)),
        Fact("Approval date", (tranche_entity.approval if tranche_entity else None) or NOT_STATED),
        Fact("Source", f"{source_file(model, entity)} in {info.model}"),
        Fact("Produced by", f"mhhsarch {__version__} on {info.date}; do not edit, change the model instead"),
    )
    history = tuple(
        VersionRow(
            info.version if revision.version == "unversioned" else revision.version,
            render_date(revision.date),
            info.status.capitalize() if n == 0 else "",
            "; ".join(dict.fromkeys(revision.subjects)) + _resolved(comments, revision.version),
        )
        for n, revision in enumerate(revisions)
    ) or (
        VersionRow(
            info.version,
            info.date,
            info.status.capitalize(),
            f"Issued from {info.model}" + (f" for {tranche_label(model, tranche)}" if tranche else ""),
        ),
    )
    rows = tuple(
        CommentRow(c.id, c.constituency, c.organisation, c.text or "", c.response, c.status.capitalize())
        for c in comments
    )
    return DocumentControl(facts, history, rows)
