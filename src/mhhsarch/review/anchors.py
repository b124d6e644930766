"""What a review comment can be about: the commentable artefacts of the model and, in
each, the anchors a comment may name.

An anchor is text, a model id where there is one:

    step:3                  a process step (its id in the process)
    IF-021                  an interface a process uses, or a process an interface is used in
    DI-0012                 a data item (of an interface, or of the data catalogue)
    VS-READING-TYPE         a valid set
    VS-READING-TYPE:A       one code of a valid set
    ROLE:SUP                a participant, sender or receiver
    section:security        a section of the document (its heading, as a slug)

Comment forms offer an artefact's anchors as a drop-down; Word documents carry one
bookmark per anchor (`bookmark_name`) so that a comment made in Word is mapped back to
its anchor on import. The lists are computed from the model alone, so the form, the
bookmarks and the importer always agree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from mhhsarch.model.kinds import CATALOGUE_ARTEFACT, artefact_kind_of
from mhhsarch.model.model import Model

# The sections of the generated documents, as the bundled templates title them. A
# section's anchor is its slug, so an edited template that keeps a heading keeps its anchor.
INTERFACE_SECTIONS = (
    "Purpose and description",
    "Sender and receivers",
    "Trigger, frequency and transport",
    "Volumetrics",
    "Security",
    "Data items",
    "DTN flow structure",
    "Sequence diagrams",
    "Where used",
    "Principles",
    "Appendix A  Valid sets",
    "Appendix B  DIP CommonBlock header",
    "Appendix C  Sample message",
)
PROCESS_SECTIONS = (
    "Purpose",
    "Participants",
    "Capabilities",
    "Steps",
    "Diagrams",
    "Interfaces used",
    "Principles",
)
CATALOGUE_SECTIONS = ("Data items", "Valid sets", "Interface data items", "Role interfaces")

CATALOGUE_TITLE = "Data catalogue"


@dataclass(frozen=True)
class Anchor:
    id: str  # as a comment's `anchor` names it
    label: str  # for people: drop-downs, the tracker

    @property
    def choice(self) -> str:
        """How a comment form's drop-down shows it: the id first, so the importer can read it back."""
        return self.id if self.label == self.id else f"{self.id} \u2014 {self.label}"


@dataclass(frozen=True)
class CommentableArtefact:
    id: str
    title: str
    kind: str  # "process", "interface", "catalogue" or "artefact" (registered)
    tranche: int | None
    status: str | None
    version: str | None

    @property
    def choice(self) -> str:
        return f"{self.id} \u2014 {self.title}"


def section_anchor(title: str) -> str:
    """`Appendix A  Valid sets` -> `section:appendix-a-valid-sets`."""
    return "section:" + re.sub(r"[^a-z0-9.]+", "-", title.lower()).strip("-")


def artefacts(model: Model) -> list[CommentableArtefact]:
    """Every artefact a comment can be about, in id order within kind: processes,
    interfaces, the data catalogue, registered documents."""
    found = [_commentable(model, "process", p) for p in model.processes.values()]
    found += [_commentable(model, "interface", i) for i in model.interfaces.values()]
    found.append(_catalogue(model))
    found += [_commentable(model, "artefact", a) for a in model.artefacts.values()]
    return found


def artefact(model: Model, artefact_id) -> CommentableArtefact | None:
    if artefact_id == CATALOGUE_ARTEFACT:
        return _catalogue(model)
    kind = artefact_kind_of(artefact_id)
    entity = model.get(kind, artefact_id) if kind else None
    return _commentable(model, kind, entity) if kind and entity is not None else None


def _commentable(model: Model, kind: str, entity) -> CommentableArtefact:
    # a process has no version of its own: its document takes the model's
    version = model.config.version if kind == "process" else getattr(entity, "version", None)
    return CommentableArtefact(
        entity.id, entity.name, kind, getattr(entity, "tranche", None), getattr(entity, "status", None), version
    )


def _catalogue(model: Model) -> CommentableArtefact:
    return CommentableArtefact(CATALOGUE_ARTEFACT, CATALOGUE_TITLE, "catalogue", None, None, model.config.version)


def anchors(model: Model, artefact_id) -> tuple[Anchor, ...]:
    """The anchors of one artefact, in document order (none for an unknown artefact)."""
    return _anchors(model, artefact_id)


def find_anchor(model: Model, artefact_id, anchor_id: str) -> Anchor | None:
    wanted = anchor_id.strip()
    for anchor in _anchors(model, artefact_id):
        if anchor.id == wanted:
            return anchor
    return None


@lru_cache(maxsize=4096)
def _anchors(model: Model, artefact_id) -> tuple[Anchor, ...]:
    if artefact_id == CATALOGUE_ARTEFACT:
        return _sections(CATALOGUE_SECTIONS) + _catalogue_anchors(model)
    process = model.processes.get(artefact_id)
    if process is not None:
        found = list(_sections(PROCESS_SECTIONS))
        found += [Anchor(f"step:{s.id}", f"Step {s.id}: {s.name}") for s in process.steps]
        found += [Anchor(f"ROLE:{r}", model.role_name(r)) for r in process.participants]
        used = dict.fromkeys(s.interface for s in process.steps if s.interface)
        found += [Anchor(i, model.interfaces[i].name) for i in used if i in model.interfaces]
        return tuple(found)
    interface = model.interfaces.get(artefact_id)
    if interface is not None:
        found = list(_sections(INTERFACE_SECTIONS))
        found += [
            Anchor(f"ROLE:{r}", model.role_name(r)) for r in dict.fromkeys(interface.senders + interface.receivers)
        ]
        items = [model.data_items[u.ref] for u in interface.data_items if u.ref in model.data_items]
        found += [Anchor(d.id, d.name) for d in items]
        for set_id in dict.fromkeys(d.valid_set for d in items if d.valid_set):
            found += _valid_set_anchors(model, set_id)
        users = sorted({p.id for p in model.processes.values() for s in p.steps if s.interface == interface.id})
        found += [Anchor(p, model.processes[p].name) for p in users]
        return tuple(found)
    registered = model.artefacts.get(artefact_id)
    if registered is not None:
        return tuple(Anchor(f"section:{s.id}", s.title) for s in registered.sections)
    return ()


def _sections(titles) -> tuple[Anchor, ...]:
    return tuple(Anchor(section_anchor(t), t) for t in titles)


def _catalogue_anchors(model: Model) -> tuple[Anchor, ...]:
    found = [Anchor(d.id, d.name) for d in model.data_items.values()]
    for set_id in model.valid_sets:
        found += _valid_set_anchors(model, set_id)
    found += [Anchor(ent.id, ent.name) for ent in model.entities.values()]
    return tuple(found)


def _valid_set_anchors(model: Model, set_id: str) -> list[Anchor]:
    valid_set = model.valid_sets.get(set_id)
    if valid_set is None:
        return []
    found = [Anchor(valid_set.id, valid_set.name)]
    found += [Anchor(f"{valid_set.id}:{v.code}", v.meaning) for v in valid_set.values]
    return found


# --- Word bookmarks ------------------------------------------------------------------------

BOOKMARK_PREFIX = "mh_"
_BOOKMARK_LIMIT = 40  # Word's limit on a bookmark name


def bookmark_name(anchor_id: str) -> str:
    """The Word bookmark of an anchor: letters, digits and `_` only, at most 40 characters,
    starting with a letter (Word's rules): readable (`mh_step_3_...`, `mh_DI_0012_...`) and
    ending in a short hash of the anchor, so that two anchors never share a bookmark."""
    plain = re.sub(r"[^A-Za-z0-9]+", "_", anchor_id).strip("_")
    digest = hashlib.sha256(anchor_id.encode("utf-8")).hexdigest()[:8]
    return f"{BOOKMARK_PREFIX}{plain[: _BOOKMARK_LIMIT - len(BOOKMARK_PREFIX) - 9]}_{digest}"


def anchor_of_bookmark(model: Model, artefact_id, bookmark: str) -> Anchor | None:
    """The anchor a bookmark of an artefact's document stands for (None: not one of ours)."""
    if not bookmark.startswith(BOOKMARK_PREFIX):
        return None
    for anchor in _anchors(model, artefact_id):
        if bookmark_name(anchor.id) == bookmark:
            return anchor
    return None
