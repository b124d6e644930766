"""The release note view: per document, its changes since the baseline with their
classification, the review comments the changes resolve, and the versions before and
after."""

from __future__ import annotations

from dataclasses import dataclass

from mhhsarch.change.diff import CLASSES, Change
from mhhsarch.model.model import Model
from mhhsarch.render.views.common import DocumentInfo, model_label, render_date


@dataclass(frozen=True)
class ChangeRow:
    klass: str
    what: str  # "data_items[DI-001].mandatory modified: true -> false"
    rule: str
    reason: str


@dataclass(frozen=True)
class ResolvedComment:
    id: str
    organisation: str
    text: str


@dataclass(frozen=True)
class ArtefactChanges:
    id: str
    title: str
    document: str
    version_before: str
    version_after: str
    counts: str  # "2 breaking, 1 editorial"
    changes: tuple[ChangeRow, ...]
    resolved: tuple[ResolvedComment, ...]


@dataclass(frozen=True)
class ReleaseNoteView:
    info: DocumentInfo
    title: str
    baseline: str
    model: str
    date: str
    summary: str
    artefacts: tuple[ArtefactChanges, ...]
    sources: tuple[str, ...]


def _short(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:59] + "\u2026"


def _what(change: Change) -> str:
    field = f" {change.field}" if change.field else ""
    if change.change == "modified":
        return f"{change.kind} {change.id}{field}: {_short(change.old)} \u2192 {_short(change.new)}"
    return f"{change.kind} {change.id}{field} {change.change}"


def release_note_view(base: Model, head: Model, baseline: str, changes: list[Change], epoch: int) -> ReleaseNoteView:
    documents: list[tuple[str, str, str, str, str]] = []  # id, title, path, before, after
    for i in head.interfaces.values():
        old = base.interfaces.get(i.id)
        documents.append(
            (
                i.id,
                i.name,
                f"specs/{i.id}.docx",
                (old.version or "unversioned") if old else "new",
                i.version or "unversioned",
            )
        )
    for p in head.processes.values():
        before = (base.config.version or "unversioned") if p.id in base.processes else "new"
        documents.append((p.id, p.name, f"processes/{p.id}.docx", before, head.config.version or "unversioned"))
    artefacts = []
    for entity_id, title, path, before, after in documents:
        mine = [c for c in changes if path in c.artefacts]
        if not mine:
            continue
        counts = {k: sum(1 for c in mine if c.klass == k) for k in CLASSES}
        resolved = tuple(
            ResolvedComment(c.id, c.organisation or c.constituency, c.text or "")
            for c in head.comments.values()
            if c.artefact == entity_id and c.status == "accepted"
        )
        artefacts.append(
            ArtefactChanges(
                entity_id,
                title,
                path,
                before,
                after,
                ", ".join(f"{n} {k}" for k, n in counts.items() if n),
                tuple(
                    ChangeRow(c.klass, _what(c), c.rule, c.reason)
                    for c in sorted(mine, key=lambda c: CLASSES.index(c.klass))
                ),
                resolved,
            )
        )
    totals = {k: sum(1 for c in changes if c.klass == k) for k in CLASSES}
    title = f"Release note: {model_label(head)}"
    return ReleaseNoteView(
        info=DocumentInfo(
            document_id="Release note",
            title=f"{model_label(head)} since {baseline}",
            version=head.config.version or "unversioned",
            status="issued",
            classification=getattr(head.config, "classification", None) or "public",
            date=render_date(epoch),
            model=model_label(head),
            subject="Release note",
        ),
        title=title,
        baseline=baseline,
        model=model_label(head),
        date=render_date(epoch),
        summary=f"{len(changes)} changes since {baseline}: " + ", ".join(f"{n} {k}" for k, n in totals.items() if n)
        if changes
        else f"No changes since {baseline}.",
        artefacts=tuple(artefacts),
        sources=tuple(dict.fromkeys(c.id for c in changes)),
    )
