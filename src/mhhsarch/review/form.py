"""The comment form's contract: its columns, the statuses, what a round issues.

The form renderer (render/views/comment_form.py, render/writers/xlsx.py) writes these
columns and the importer (review/importer.py) reads them back by their titles, so a
reviewer who moves a column, or a form from an earlier version, still imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mhhsarch.model import entities as e
from mhhsarch.model.model import Model
from mhhsarch.review import anchors

FORM_SHEET = "Comments"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
FORM_FACTS_SHEET = "Form"  # hidden: which tranche and round the form is for
FORM_MARK = "mhhsarch comment form"  # the Form sheet's A1: how the importer knows its own forms
ROWS = 1000  # rows prepared with drop-downs (a reviewer may write below them: they import too)


@dataclass(frozen=True)
class Column:
    key: str  # the comment field it fills
    title: str  # the header, as the form shows it and the importer finds it
    width: float
    help: str
    team: bool = False  # filled by the design team, not the reviewer


COLUMNS = (
    Column("artefact", "Artefact", 42, "Choose the document the comment is about (drop-down)."),
    Column(
        "anchor",
        "Anchor",
        46,
        "Choose where in it: a section, step, data item, valid-set code or role (drop-down for the artefact "
        "chosen; leave empty for the document as a whole).",
    ),
    Column("organisation", "Organisation", 24, "Your organisation."),
    Column("constituency", "Constituency", 30, "Your organisation's constituency (drop-down)."),
    Column("reviewer", "Reviewer", 20, "Your name, for questions about the comment."),
    Column("text", "Comment", 60, "What you found: the problem, the question or the gap."),
    Column("proposed_change", "Proposed change", 50, "The change you propose (optional)."),
    Column("status", "Status", 20, "Design team: the status of its answer (drop-down).", team=True),
    Column("response", "Response", 50, "Design team: the answer.", team=True),
)
REVIEWER_KEYS = tuple(c.key for c in COLUMNS if not c.team)

# The statuses of a comment, as the comment log names them, and what each means.
STATUSES = (
    ("open", "Open", "Not answered yet (every comment starts here)."),
    ("accepted", "Accepted", "The artefact is changed as proposed, or as the response says."),
    ("action", "Action", "A change is agreed and still to be made."),
    ("rejected", "Rejected", "No change; the response says why."),
    ("clarification", "Requires Further Clarification", "A question answered, or more information needed."),
)


def status_of(label: str) -> str | None:
    """`Accepted`, `accepted`, `Requires Further Clarification` -> the status id (None: not one)."""
    folded = " ".join(label.split()).casefold()
    for status, title, _ in STATUSES:
        if folded in (status, title.casefold()):
            return status
    return None


def round_artefacts(model: Model, tranche: e.Tranche, review: e.Review) -> list[anchors.CommentableArtefact]:
    """What a review round issued, in the order of `anchors.artefacts`: the artefacts it
    lists, or (none listed) every process, interface (but withdrawn ones) and registered
    document of the tranche. The data catalogue belongs to no tranche: a round issues it
    when it lists `CATALOGUE` (as rule C903 reads a catalogue comment's round)."""
    found = []
    for artefact in anchors.artefacts(model):
        if review.artefacts:
            if artefact.id in review.artefacts:
                found.append(artefact)
        elif artefact.kind != "catalogue" and artefact.tranche == tranche.id and artefact.status != "withdrawn":
            found.append(artefact)
    return found


_CHOICE = re.compile(r"\s+[\u2014\u2013|]\s+|\s+-\s+")


def choice_id(text: str) -> str:
    """The id in a drop-down choice (`IF-021 — UTC Settlement ...` -> `IF-021`), or the
    text itself when it is not a choice."""
    return _CHOICE.split(text.strip(), maxsplit=1)[0].strip()


def form_path(tranche: int, round_number: int) -> str:
    return f"forms/tranche-{tranche}-round-{round_number}-comments.xlsx"


def defined_name(artefact_id: str) -> str:
    """The workbook name of an artefact's anchor list: `IF-021` -> `A_IF_021` (never a cell
    reference such as `BP005`)."""
    return "A_" + re.sub(r"[^A-Za-z0-9]", "_", artefact_id)
