"""The comment form view: what `forms/tranche-N-round-R-comments.xlsx` holds, one per
review round of a tranche.

The instructions (the round's window, what to fill, the statuses), the columns of the
Comments sheet (review/form.py), and the lists its drop-downs offer: the artefacts the
round issued (`CommentableArtefact.choice`), for each the anchors a comment may name
(`Anchor.choice`), the constituencies of mhhsarch.yaml and the statuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from mhhsarch import __version__
from mhhsarch.model import entities as e
from mhhsarch.model.model import Model
from mhhsarch.render.views.common import Fact, model_label, render_date
from mhhsarch.review import anchors
from mhhsarch.review import form as f


@dataclass(frozen=True)
class FormArtefact:
    id: str
    choice: str  # as the Artefact drop-down shows it
    name: str  # the workbook name of its anchor list (f.defined_name)
    anchors: tuple[str, ...]  # the Anchor drop-down's choices for it


@dataclass(frozen=True)
class FormColumn:
    title: str
    width: float
    help: str
    team: bool
    key: str


@dataclass(frozen=True)
class CommentFormView:
    path: str
    title: str
    document_title: str
    tranche: int
    round: int
    facts: tuple[Fact, ...]  # the round, its window, the model
    steps: tuple[Fact, ...]  # how to fill it in and return it
    columns: tuple[FormColumn, ...]
    statuses: tuple[Fact, ...]
    artefacts: tuple[FormArtefact, ...]
    constituencies: tuple[str, ...]
    rows: int
    sources: tuple[str, ...]
    classification: str = "public"


def comment_form_views(model: Model, tranche_id: int | None, epoch: int) -> list[CommentFormView]:
    """One view per review round of each tranche (of `tranche_id` only, when given)."""
    views = []
    for tranche in model.tranches.values():
        if tranche_id is not None and tranche.id != tranche_id:
            continue
        for review in tranche.reviews:
            views.append(comment_form_view(model, tranche, review, epoch))
    return views


def comment_form_view(model: Model, tranche: e.Tranche, review: e.Review, epoch: int) -> CommentFormView:
    issued = f.round_artefacts(model, tranche, review)
    window = review.start + (f" to {review.end}" if review.end else " (no end date set)")
    statuses = tuple(Fact(title, meaning) for _, title, meaning in f.STATUSES)
    columns = tuple(FormColumn(c.title, c.width, c.help, c.team, c.key) for c in f.COLUMNS)
    title = f"Tranche {tranche.id} review, round {review.round}: comment form"
    deadline = f"by {review.end}" if review.end else "by the end of the review window"
    return CommentFormView(
        path=f.form_path(tranche.id, review.round),
        title=title,
        document_title=f"{title} ({model_label(model)})",
        tranche=tranche.id,
        round=review.round,
        facts=(
            Fact("Tranche", tranche.name or f"Tranche {tranche.id}"),
            Fact("Review round", str(review.round)),
            Fact("Comment window", window),
            Fact("Artefacts issued", f"{len(issued)} (the Artefact drop-down lists them)"),
            Fact("Model", model_label(model)),
            Fact("Form produced", f"{render_date(epoch)} by mhhsarch {__version__}"),
        ),
        steps=(
            Fact(
                "1. One row per comment",
                "Write each comment on its own row of the Comments sheet. Choose the artefact first, then "
                "the anchor: the Anchor drop-down lists the sections, steps, data items, valid-set codes "
                "and roles of the artefact chosen. Leave the anchor empty for the document as a whole.",
            ),
            Fact(
                "2. Who you are",
                "Fill Organisation, Constituency (drop-down) and Reviewer on every row; you may copy them down.",
            ),
            Fact(
                "3. What you propose",
                "Say what you found in Comment and, if you can, the change you propose in Proposed change. "
                "Write text only: a cell starting with = + - or @ is kept as text, never calculated.",
            ),
            Fact(
                "4. Leave the design team's columns",
                "Status and Response are for the design team's answer; leave them empty.",
            ),
            Fact(
                "5. Return it",
                f"Save the workbook (keep the sheets as they are; rename the file with your organisation if "
                f"you like) and return it to the design team {deadline}. Comments in the Word documents "
                "are welcome too: the design team imports both.",
            ),
        ),
        columns=columns,
        statuses=statuses,
        artefacts=tuple(
            FormArtefact(
                a.id,
                a.choice,
                f.defined_name(a.id),
                tuple(anchor.choice for anchor in anchors.anchors(model, a.id)),
            )
            for a in issued
        ),
        constituencies=tuple(model.config.constituencies),
        rows=f.ROWS,
        sources=tuple(a.id for a in issued if a.kind != "catalogue"),
        classification=model.config.classification,
    )
