"""The Design Artefact Tracker: where every tranche's review stands, per round.

Per artefact the comments by status and in total; per constituency the organisations
and comments; the unresolved comments; the expected approval date. `mhhsarch tracker`
prints it (text, json) or writes it as a workbook; `render` publishes the workbook and
a page of the review site from the same report.

Which comments count where: a comment belongs to the tranche of its artefact (the data
catalogue, which has no tranche, to every tranche whose round issued CATALOGUE) and to
its `round`. A comment without a round counts in the round whose window holds nothing
we know of, so it is placed in the tranche's latest round that issued the artefact: the
round in which the design team is answering it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from mhhsarch.diagnostics.core import printable
from mhhsarch.model import entities as e
from mhhsarch.model.kinds import CATALOGUE_ARTEFACT
from mhhsarch.model.model import Model
from mhhsarch.review import anchors
from mhhsarch.review.form import STATUSES as STATUS_DEFINITIONS
from mhhsarch.review.form import round_artefacts

# The order the tracker counts in (the programme's comment log), and the statuses'
# titles and meanings as the comment form explains them.
STATUSES = ("accepted", "action", "rejected", "clarification", "open")
SHORT_TITLES = {s: s.title() for s in STATUSES}
STATUS_TITLES = {status: title for status, title, _ in STATUS_DEFINITIONS}
STATUS_MEANINGS = {status: meaning for status, _, meaning in STATUS_DEFINITIONS}


@dataclass(frozen=True)
class Counts:
    by_status: tuple[tuple[str, int], ...]  # in STATUSES order

    @classmethod
    def of(cls, comments) -> Counts:
        found = Counter(c.status for c in comments)
        return cls(tuple((s, found.get(s, 0)) for s in STATUSES))

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_status)

    @property
    def unresolved(self) -> int:
        return sum(n for s, n in self.by_status if s in ("action", "clarification", "open"))

    def get(self, status: str) -> int:
        return dict(self.by_status)[status]

    def as_data(self) -> dict:
        return dict(self.by_status) | {"total": self.total}


@dataclass(frozen=True)
class ArtefactLine:
    id: str
    title: str
    kind: str  # process, interface, catalogue, artefact
    status: str | None
    version: str | None
    counts: Counts
    approval: str | None  # the expected (or actual) approval date: the tranche's


@dataclass(frozen=True)
class ConstituencyLine:
    name: str
    organisations: int
    comments: int


@dataclass(frozen=True)
class Unresolved:
    id: str
    artefact: str
    anchor: str | None
    status: str
    organisation: str | None
    constituency: str
    text: str


@dataclass(frozen=True)
class RoundReport:
    tranche: int | None  # None: comments on artefacts of no tranche
    tranche_name: str
    round: int | None
    start: str | None
    end: str | None
    approval: str | None
    artefacts: tuple[ArtefactLine, ...]
    constituencies: tuple[ConstituencyLine, ...]
    unresolved: tuple[Unresolved, ...]
    totals: Counts
    organisations: int

    @property
    def title(self) -> str:
        where = f"Tranche {self.tranche}" if self.tranche is not None else "Whole model"
        return f"{where}, round {self.round}" if self.round is not None else where


@dataclass(frozen=True)
class TrackerReport:
    model_name: str
    version: str | None
    rounds: tuple[RoundReport, ...]


def tracker(model: Model, tranche: int | None = None, round_number: int | None = None) -> TrackerReport:
    """The tracker of every tranche and round, or of the one asked for."""
    placed = _placed_comments(model)
    reports = []
    for t in model.tranches.values():
        if tranche is not None and t.id != tranche:
            continue
        rounds: list[e.Review | None] = list(t.reviews) or [None]
        for review in rounds:
            number = review.round if review else None
            if round_number is not None and number != round_number:
                continue
            comments = placed.get((t.id, number), [])
            reports.append(_round_report(model, t, review, comments))
    orphans = placed.get((None, None), [])
    if orphans and tranche is None and round_number is None:
        reports.append(_round_report(model, None, None, orphans))
    return TrackerReport(model.config.name, model.config.version, tuple(reports))


def _issued(model: Model, tranche: e.Tranche, review: e.Review | None) -> list[str]:
    """What a round issued (as its comment form offers it); no round: the tranche's artefacts."""
    if review is not None:
        return [a.id for a in round_artefacts(model, tranche, review)]
    return [a.id for a in anchors.artefacts(model) if a.tranche == tranche.id]


def _placed_comments(model: Model) -> dict[tuple, list[e.Comment]]:
    """(tranche, round) -> the comments counted there."""
    placed: dict[tuple, list[e.Comment]] = {}
    for comment in model.comments.values():
        for key in _places(model, comment):
            placed.setdefault(key, []).append(comment)
    return placed


def _places(model: Model, comment: e.Comment) -> list[tuple]:
    target = anchors.artefact(model, comment.artefact)
    if target is None:
        return [(None, None)]
    if comment.artefact == CATALOGUE_ARTEFACT:
        tranches = [
            t
            for t in model.tranches.values()
            if any(CATALOGUE_ARTEFACT in r.artefacts for r in t.reviews if comment.round in (None, r.round))
        ]
    else:
        tranches = [model.tranches[target.tranche]] if target.tranche in model.tranches else []
    if not tranches:
        return [(None, None)]
    places: list[tuple] = []
    for t in tranches:
        if not t.reviews:
            places.append((t.id, None))
        elif comment.round is not None and any(r.round == comment.round for r in t.reviews):
            places.append((t.id, comment.round))
        else:
            covering = [r for r in t.reviews if r.covers(comment.artefact)] or list(t.reviews)
            places.append((t.id, covering[-1].round))
    return places


def _round_report(model: Model, tranche: e.Tranche | None, review: e.Review | None, comments) -> RoundReport:
    ids = _issued(model, tranche, review) if tranche is not None else []
    ids += [c.artefact for c in comments if c.artefact not in ids]
    by_artefact: dict[str, list[e.Comment]] = {}
    for comment in comments:
        by_artefact.setdefault(comment.artefact, []).append(comment)
    approval = tranche.approval if tranche else None
    lines = []
    for artefact_id in ids:
        target = anchors.artefact(model, artefact_id)
        lines.append(
            ArtefactLine(
                artefact_id,
                target.title if target else "(not in the model)",
                target.kind if target else "unknown",
                target.status if target else None,
                target.version if target else None,
                Counts.of(by_artefact.get(artefact_id, ())),
                approval,
            )
        )
    return RoundReport(
        tranche=tranche.id if tranche else None,
        tranche_name=tranche.name if tranche else "Comments on artefacts of no tranche",
        round=review.round if review else None,
        start=review.start if review else None,
        end=review.end if review else None,
        approval=approval,
        artefacts=tuple(lines),
        constituencies=_constituencies(model, comments),
        unresolved=tuple(
            Unresolved(
                c.id, c.artefact, c.anchor, c.status, c.organisation, c.constituency, " ".join((c.text or "").split())
            )
            for c in comments
            if not c.resolved
        ),
        totals=Counts.of(comments),
        organisations=len({c.organisation for c in comments if c.organisation}),
    )


def _constituencies(model: Model, comments) -> tuple[ConstituencyLine, ...]:
    """Every configured constituency in its configured order (the Design Advisory Group
    sees who did not comment too), then any other name a comment used."""
    names = list(model.config.constituencies)
    names += sorted({c.constituency for c in comments} - set(names))
    lines = []
    for name in names:
        theirs = [c for c in comments if c.constituency == name]
        lines.append(ConstituencyLine(name, len({c.organisation for c in theirs if c.organisation}), len(theirs)))
    return tuple(lines)


# --- as data and as text -----------------------------------------------------------------


def as_json(report: TrackerReport) -> dict:
    return {
        "model": report.model_name,
        "version": report.version,
        "tranches": [
            {
                "tranche": r.tranche,
                "name": r.tranche_name,
                "round": r.round,
                "start": r.start,
                "end": r.end,
                "approval": r.approval,
                "artefacts": [
                    {
                        "id": a.id,
                        "title": a.title,
                        "kind": a.kind,
                        "status": a.status,
                        "version": a.version,
                        "approval": a.approval,
                        "counts": a.counts.as_data(),
                    }
                    for a in r.artefacts
                ],
                "constituencies": [
                    {"name": c.name, "organisations": c.organisations, "comments": c.comments} for c in r.constituencies
                ],
                "unresolved": [
                    {
                        "id": u.id,
                        "artefact": u.artefact,
                        "anchor": u.anchor,
                        "status": u.status,
                        "organisation": u.organisation,
                        "constituency": u.constituency,
                        "text": u.text,
                    }
                    for u in r.unresolved
                ],
                "totals": r.totals.as_data() | {"organisations": r.organisations},
            }
            for r in report.rounds
        ],
    }


def as_text(report: TrackerReport) -> str:
    """Plain text tables (what a terminal and a CI log show)."""
    out = [f"Design Artefact Tracker: {report.model_name} {report.version or ''}".rstrip()]
    if not report.rounds:
        out.append("No tranche matches.")
    for r in report.rounds:
        window = f" ({r.start} to {r.end})" if r.start and r.end else ""
        approval = f", approval {r.approval}" if r.approval else ""
        heading = f"Round {r.round} of {r.tranche_name}" if r.round is not None else r.tranche_name
        out += ["", f"{heading}{window}{approval}"]
        header = ["Artefact", "Status", *[SHORT_TITLES[s] for s in STATUSES], "Total"]
        rows = [
            [a.id, a.status or "", *[str(a.counts.get(s)) for s in STATUSES], str(a.counts.total)] for a in r.artefacts
        ]
        rows.append(["Total", "", *[str(r.totals.get(s)) for s in STATUSES], str(r.totals.total)])
        out += _table(header, rows, left=2)
        used = [c for c in r.constituencies if c.comments]
        if used:
            out += [
                "",
                *_table(
                    ["Constituency", "Organisations", "Comments"],
                    [[c.name, str(c.organisations), str(c.comments)] for c in used],
                    left=1,
                ),
            ]
        if r.unresolved:
            out += ["", f"Unresolved ({len(r.unresolved)}):"]
            for u in r.unresolved:
                where = f" {u.anchor}" if u.anchor else ""
                text = u.text if len(u.text) <= 80 else u.text[:79] + "\u2026"
                out.append(f"  {u.id} {u.artefact}{where} [{u.status}] {u.organisation or u.constituency}: {text}")
    return printable("\n".join(out), keep="\n") + "\n"


def _table(header: list[str], rows: list[list[str]], left: int) -> list[str]:
    """Columns padded to their widest cell: the first `left` aligned left, numbers right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *[line(row) for row in rows]]
