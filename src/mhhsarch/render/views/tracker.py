"""The Design Artefact Tracker as a workbook view: a cover, then one sheet each of
artefacts, constituencies and unresolved comments, every row saying its tranche and round."""

from __future__ import annotations

from mhhsarch.render.views.catalogue import CatalogueView, Column, Sheet
from mhhsarch.render.views.common import Fact
from mhhsarch.review.tracker import STATUS_MEANINGS, STATUS_TITLES, STATUSES, TrackerReport

TITLE = "Design Artefact Tracker"


def tracker_view(report: TrackerReport, classification: str = "public") -> CatalogueView:
    where = [Column("Tranche", 9), Column("Round", 8)]
    artefacts = Sheet(
        "Artefacts",
        (
            *where,
            Column("Artefact", 11),
            Column("Title", 40),
            Column("Kind", 12),
            Column("Status", 11),
            Column("Version", 9),
            *[Column(STATUS_TITLES[s], 12) for s in STATUSES],
            Column("Total", 8),
            Column("Expected approval", 12),
        ),
        tuple(
            (
                r.tranche,
                r.round,
                a.id,
                a.title,
                a.kind,
                a.status,
                a.version,
                *[a.counts.get(s) for s in STATUSES],
                a.counts.total,
                a.approval,
            )
            for r in report.rounds
            for a in r.artefacts
        ),
        repeat_columns=3,
    )
    constituencies = Sheet(
        "Constituencies",
        (*where, Column("Constituency", 36), Column("Organisations", 14), Column("Comments", 11)),
        tuple(
            (r.tranche, r.round, c.name, c.organisations, c.comments) for r in report.rounds for c in r.constituencies
        ),
    )
    unresolved = Sheet(
        "Unresolved",
        (
            *where,
            Column("Comment", 10),
            Column("Artefact", 11),
            Column("Anchor", 18),
            Column("Status", 13, tuple(STATUSES)),
            Column("Organisation", 22),
            Column("Constituency", 26),
            Column("Comment text", 70),
        ),
        tuple(
            (r.tranche, r.round, u.id, u.artefact, u.anchor, u.status, u.organisation, u.constituency, u.text)
            for r in report.rounds
            for u in r.unresolved
        ),
    )
    rounds = "; ".join(
        f"{r.title}: {r.totals.total} comments from {r.organisations} organisations, {r.totals.unresolved} unresolved"
        for r in report.rounds
    )
    return CatalogueView(
        title=TITLE,
        document_title=f"{report.model_name} {TITLE}",
        facts=(
            Fact("Model", report.model_name),
            Fact("Version", report.version or "unversioned"),
            Fact("Rounds", rounds or "none"),
        ),
        legend=(
            Fact("Artefacts", "Per tranche, round and artefact: its comments by status and in total."),
            Fact("Constituencies", "Per constituency: the organisations that commented and their comments."),
            Fact("Unresolved", "Comments still in action, requiring further clarification, or open."),
            *[Fact(STATUS_TITLES[s], STATUS_MEANINGS[s]) for s in STATUSES],
        ),
        sheets=(artefacts, constituencies, unresolved),
        sources=(),
        classification=classification,
    )
