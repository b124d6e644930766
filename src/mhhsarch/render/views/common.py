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


def source_file(model: Model, entity: e.Entity) -> str:
    """The entity's file relative to the model folder: documents never show local paths."""
    if entity.origin is None:
        return "generated in memory"
    return Path(os.path.relpath(entity.origin.file_path, model.root)).as_posix()


def document_control(
    model: Model, info: DocumentInfo, entity: e.Entity, comments, tranche: int | None
) -> DocumentControl:
    tranche_entity = model.tranches.get(tranche) if tranche is not None else None
    review = NOT_STATED
    if tranche_entity and (tranche_entity.review_start or tranche_entity.review_end):
        review = f"{tranche_entity.review_start or '?'} to {tranche_entity.review_end or '?'}"
    facts = (
        Fact("Document", f"{info.document_id} {info.title}"),
        Fact("Owner", entity.owner_team or "MHHS design team"),
        Fact("Review period", review),
        Fact("Approval date", (tranche_entity.approval if tranche_entity else None) or NOT_STATED),
        Fact("Source", f"{source_file(model, entity)} in {info.model}"),
        Fact("Produced by", f"mhhsarch {__version__} on {info.date}; do not edit, change the model instead"),
    )
    history = (
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
