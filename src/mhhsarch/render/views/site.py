"""The review site's own small views: one page per role, data item, valid set, capability,
principle and logical entity, the pack index of each tranche and the search index.

Interface and process pages use the document views (interface_spec.py, process.py); the
views here cover what no document shows. Like every view they are plain data built from
the model only; `Link.href` is a path relative to the site folder (the writer makes it
relative to the page).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mhhsarch.model import entities as e
from mhhsarch.model.kinds import CATALOGUE_ARTEFACT, artefact_kind_of
from mhhsarch.model.model import Model
from mhhsarch.render.views.common import Fact, paragraphs
from mhhsarch.review.anchors import CATALOGUE_TITLE
from mhhsarch.review.tracker import STATUSES, TrackerReport

# kind -> (folder of its pages, heading of its index section)
PAGE_KINDS = {
    "process": ("processes", "Processes"),
    "interface": ("interfaces", "Interfaces"),
    "role": ("roles", "Roles"),
    "capability": ("capabilities", "Capabilities"),
    "data_item": ("data-items", "Data items"),
    "valid_set": ("valid-sets", "Valid sets"),
    "entity": ("entities", "Logical entities"),
    "principle": ("principles", "Principles"),
    "artefact": ("documents", "Registered documents"),
}
COMMENT_STATES = STATUSES  # accepted, action, rejected, clarification, open


def page_path(kind: str, entity_id) -> str:
    return f"{PAGE_KINDS[kind][0]}/{entity_id}.html"


@dataclass(frozen=True)
class Link:
    href: str | None  # None: the target has no page in this site (out of scope)
    id: str
    name: str


@dataclass(frozen=True)
class LinkSection:
    title: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class EntityPageView:
    kind: str
    kind_title: str
    id: str
    name: str
    description: tuple[str, ...]
    facts: tuple[Fact, ...]
    sections: tuple[LinkSection, ...]  # where-used and uses, both ways
    codes: tuple[Fact, ...]  # a valid set's codes (code, meaning)


@dataclass(frozen=True)
class PackRow:
    link: Link
    kind: str
    version: str
    status: str
    change: str  # since the baseline: "new", "changed", "unchanged" ("" without a baseline)
    comments: tuple[int, ...]  # per COMMENT_STATES


@dataclass(frozen=True)
class TrancheIndexView:
    number: str
    name: str
    facts: tuple[Fact, ...]
    baseline: str | None
    comment_states: tuple[str, ...]
    rows: tuple[PackRow, ...]


@dataclass(frozen=True)
class SearchEntry:
    id: str
    name: str
    kind: str
    text: str
    href: str


class Pages:
    """Which entities have a page, so that a link is only made to a page that exists."""

    def __init__(self, model: Model, processes, interfaces) -> None:
        self.model = model
        self.entities: dict[str, list] = {
            "process": list(processes),
            "interface": list(interfaces),
            "role": list(model.roles.values()),
            "capability": list(model.capabilities.values()),
            "data_item": list(model.data_items.values()),
            "valid_set": list(model.valid_sets.values()),
            "entity": list(model.entities.values()),
            "principle": list(model.principles.values()),
            "artefact": list(model.artefacts.values()),
        }
        self._ids = {kind: {str(x.id) for x in items} for kind, items in self.entities.items()}
        self._indexes: dict[tuple[str, str], dict[str, list[str]]] = {}

    def using(self, kind: str, field: str, target_id) -> list[str]:
        """The ids of the `kind` entities with a page whose `field` names `target_id`, in
        page order. `field` is an attribute holding an id or ids, or one of the nested
        references below. Indexed once per (kind, field): a page per data item that
        scanned every interface made the site quadratic in the model's size."""
        key = (kind, field)
        if key not in self._indexes:
            index: dict[str, list[str]] = {}
            for entity in self.entities[kind]:
                for ref in dict.fromkeys(_references(entity, field)):
                    index.setdefault(ref, []).append(str(entity.id))
            self._indexes[key] = index
        return self._indexes[key].get(str(target_id), [])

    def link(self, kind: str, entity_id) -> Link:
        entity_id = str(entity_id)
        entity = self.model.get(kind, entity_id)
        name = getattr(entity, "name", "") or getattr(entity, "title", "") or ""
        href = page_path(kind, entity_id) if entity_id in self._ids[kind] else None
        return Link(href, entity_id, name)

    def links(self, kind: str, ids) -> tuple[Link, ...]:
        return tuple(self.link(kind, i) for i in dict.fromkeys(str(i) for i in ids))

    def count(self) -> int:
        return sum(len(items) for items in self.entities.values())


def _references(entity, field: str) -> list[str]:
    if field == "data_items.ref":
        return [str(u.ref) for u in entity.data_items]
    if field == "relationships.to":
        return [str(r.to) for r in entity.relationships]
    value = getattr(entity, field)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _section(title: str, links: tuple[Link, ...]) -> tuple[LinkSection, ...]:
    return (LinkSection(title, links),) if links else ()


def role_page(pages: Pages, role: e.Role) -> EntityPageView:
    sends = pages.using("interface", "senders", role.id)
    receives = pages.using("interface", "receivers", role.id)
    takes_part = pages.using("process", "participants", role.id)
    capabilities = pages.using("capability", "roles", role.id)
    return EntityPageView(
        "role",
        "Role",
        role.id,
        role.name,
        paragraphs(role.description),
        (Fact("Category", role.category.capitalize()), Fact("Services", ", ".join(role.services) or "None")),
        _section("Sends", pages.links("interface", sends))
        + _section("Receives", pages.links("interface", receives))
        + _section("Takes part in", pages.links("process", takes_part))
        + _section("Capabilities", pages.links("capability", capabilities)),
        (),
    )


def capability_page(pages: Pages, capability: e.Capability) -> EntityPageView:
    children = pages.using("capability", "parent", capability.id)
    processes = pages.using("process", "capabilities", capability.id)
    return EntityPageView(
        "capability",
        "Capability",
        capability.id,
        capability.name,
        paragraphs(capability.description),
        (),
        _section("Part of", pages.links("capability", [capability.parent] if capability.parent else []))
        + _section("Parts", pages.links("capability", children))
        + _section("Roles", pages.links("role", capability.roles))
        + _section("Realised by processes", pages.links("process", processes)),
        (),
    )


def data_item_page(pages: Pages, item: e.DataItem) -> EntityPageView:
    used_by = pages.using("interface", "data_items.ref", item.id)
    facts = [Fact("Type", item.type)]
    for label, value in (
        ("Length", item.length),
        ("Format", item.format),
        ("Unit", item.unit),
        ("Classification", item.classification),
        ("DTC reference", item.dtc_ref),
    ):
        if value is not None:
            facts.append(Fact(label, str(value)))
    facts.append(Fact("Personal data", "Yes" if item.personal_data else "No"))
    return EntityPageView(
        "data_item",
        "Data item",
        item.id,
        item.name,
        paragraphs(item.description),
        tuple(facts),
        _section("Valid set", pages.links("valid_set", [item.valid_set] if item.valid_set else []))
        + _section("Logical entity", pages.links("entity", [item.entity] if item.entity else []))
        + _section("Owner", pages.links("role", [item.owner] if item.owner else []))
        + _section("Carried by interfaces", pages.links("interface", used_by)),
        (),
    )


def valid_set_page(pages: Pages, valid_set: e.ValidSet) -> EntityPageView:
    items = pages.using("data_item", "valid_set", valid_set.id)
    return EntityPageView(
        "valid_set",
        "Valid set",
        valid_set.id,
        valid_set.name,
        paragraphs(valid_set.description),
        (Fact("Codes", str(len(valid_set.values))),),
        _section("Used by data items", pages.links("data_item", items)),
        tuple(Fact(v.code, v.meaning) for v in valid_set.values),
    )


def entity_page(pages: Pages, entity: e.LogicalEntity) -> EntityPageView:
    items = pages.using("data_item", "entity", entity.id)
    referred_by = pages.using("entity", "relationships.to", entity.id)
    return EntityPageView(
        "entity",
        "Logical entity",
        entity.id,
        entity.name,
        paragraphs(entity.description),
        tuple(Fact(f"{r.name or 'relates to'} ({r.cardinality})", r.to) for r in entity.relationships),
        _section("Relates to", pages.links("entity", [r.to for r in entity.relationships]))
        + _section("Related from", pages.links("entity", referred_by))
        + _section("Data items", pages.links("data_item", items)),
        (),
    )


def principle_page(pages: Pages, principle: e.Principle) -> EntityPageView:
    processes = pages.using("process", "principles", principle.id)
    interfaces = pages.using("interface", "principles", principle.id)
    return EntityPageView(
        "principle",
        "Principle",
        principle.id,
        principle.title or principle.name,
        paragraphs(principle.text or principle.description),
        (Fact("Scope", principle.scope),) if principle.scope else (),
        _section("Applied by processes", pages.links("process", processes))
        + _section("Applied by interfaces", pages.links("interface", interfaces)),
        (),
    )


ARTEFACT_KINDS = {
    "requirements": "Requirements specification",
    "method-statement": "Method statement",
    "specification": "Specification",
    "design": "Design document",
    "guidance": "Guidance",
    "plan": "Plan",
    "other": "Document",
}


def artefact_page(pages: Pages, artefact: e.RegisteredArtefact) -> EntityPageView:
    """A document the model does not generate: what and where it is, and what comments it drew."""
    facts = [
        Fact("Kind", ARTEFACT_KINDS.get(artefact.artefact_kind, artefact.artefact_kind)),
        *((Fact("Tranche", str(artefact.tranche)),) if artefact.tranche is not None else ()),
        *((Fact("Owner", artefact.owner),) if artefact.owner else ()),
        Fact("Status", artefact.status or "draft"),
        *((Fact("Version", artefact.version),) if artefact.version else ()),
        *((Fact("Where to find it", artefact.link),) if artefact.link else ()),
    ]
    found = Counter(c.status for c in pages.model.comments.values() if c.artefact == artefact.id)
    if found:
        facts.append(Fact("Review comments", ", ".join(f"{found[s]} {s}" for s in STATUSES if found[s])))
    sections = _section("Sections", tuple(Link(None, str(s.id), s.title) for s in artefact.sections))
    return EntityPageView(
        "artefact",
        "Registered document",
        artefact.id,
        artefact.title,
        paragraphs(artefact.description),
        tuple(facts),
        sections,
        (),
    )


ENTITY_PAGES: dict[str, Callable[[Pages, Any], EntityPageView]] = {
    "role": role_page,
    "capability": capability_page,
    "data_item": data_item_page,
    "valid_set": valid_set_page,
    "entity": entity_page,
    "principle": principle_page,
    "artefact": artefact_page,
}


def _change(entity, baseline: Model | None) -> str:
    if baseline is None:
        return ""
    before = baseline.get(entity.kind, entity.id)
    if before is None:
        return "new"
    return "unchanged" if before == entity else "changed"


def tranche_index(
    pages: Pages, tranche: e.Tranche | None, number, baseline: Model | None, baseline_name: str | None
) -> TrancheIndexView:
    """The pack index of one tranche: its processes and interfaces with version, status,
    change since the baseline and comment counts by status."""
    counts: dict[str, Counter] = {}
    for comment in pages.model.comments.values():
        counts.setdefault(comment.artefact, Counter())[comment.status] += 1
    rows = []
    for kind in ("process", "interface", "artefact"):
        for entity in pages.entities[kind]:
            if entity.tranche != number:
                continue
            if kind == "artefact":
                version = entity.version or ""
                title = ARTEFACT_KINDS.get(entity.artefact_kind, entity.artefact_kind)
            else:
                version = getattr(entity, "version", None) or pages.model.config.version or "unversioned"
                title = "Process" if kind == "process" else "Interface"
            found = counts.get(entity.id, Counter())
            rows.append(
                PackRow(
                    pages.link(kind, entity.id),
                    title,
                    version,
                    entity.status or "draft",
                    _change(entity, baseline),
                    tuple(found[s] for s in COMMENT_STATES),
                )
            )
    facts = []
    if tranche is not None:
        rounds = [(f"Review round {r.round}", f"{r.start or '?'} to {r.end or '?'}") for r in tranche.reviews]
        for label, value in (*rounds, ("Approval", tranche.approval)):
            if value:
                facts.append(Fact(label, str(value)))
    return TrancheIndexView(
        str(number) if number is not None else "none",
        tranche.name if tranche is not None else "Not in a tranche",
        tuple(facts),
        baseline_name,
        COMMENT_STATES,
        tuple(rows),
    )


@dataclass(frozen=True)
class TrackerRow:
    link: Link
    status: str
    counts: tuple[int, ...]  # per COMMENT_STATES
    total: int


@dataclass(frozen=True)
class TrackerOpen:
    id: str
    artefact: Link
    anchor: str
    status: str
    source: str  # the organisation, else the constituency
    text: str


@dataclass(frozen=True)
class TrackerRound:
    anchor: str  # the HTML id of its section
    title: str
    facts: tuple[Fact, ...]
    rows: tuple[TrackerRow, ...]
    totals: tuple[int, ...]
    total: int
    constituencies: tuple[Fact, ...]  # name -> "N organisations, M comments" (those that commented)
    unresolved: tuple[TrackerOpen, ...]


@dataclass(frozen=True)
class TrackerPageView:
    comment_states: tuple[str, ...]
    rounds: tuple[TrackerRound, ...]


def tracker_page(pages: Pages, report: TrackerReport) -> TrackerPageView:
    """The Design Artefact Tracker (review/tracker.py) as a page: per tranche and round."""

    def link(artefact_id: str) -> Link:
        kind = artefact_kind_of(artefact_id)
        if kind is not None and pages.model.get(kind, artefact_id) is not None:
            return pages.link(kind, artefact_id)
        return Link(None, artefact_id, CATALOGUE_TITLE if artefact_id == CATALOGUE_ARTEFACT else "")

    rounds = []
    for n, r in enumerate(report.rounds, 1):
        facts = [Fact("Review window", f"{r.start} to {r.end or '?'}")] if r.start else []
        facts += [Fact("Approval", r.approval)] if r.approval else []
        facts.append(
            Fact("Comments", f"{r.totals.total} from {r.organisations} organisations, {r.totals.unresolved} unresolved")
        )
        heading = f"Round {r.round} of {r.tranche_name}" if r.round is not None else r.tranche_name
        rounds.append(
            TrackerRound(
                f"round-{n}",
                heading,
                tuple(facts),
                tuple(
                    TrackerRow(link(a.id), a.status or "", tuple(a.counts.get(s) for s in STATUSES), a.counts.total)
                    for a in r.artefacts
                ),
                tuple(r.totals.get(s) for s in STATUSES),
                r.totals.total,
                tuple(
                    Fact(c.name, f"{c.organisations} organisations, {c.comments} comments")
                    for c in r.constituencies
                    if c.comments
                ),
                tuple(
                    TrackerOpen(
                        u.id, link(u.artefact), u.anchor or "", u.status, u.organisation or u.constituency, u.text
                    )
                    for u in r.unresolved
                ),
            )
        )
    return TrackerPageView(STATUSES, tuple(rounds))


def search_entries(pages: Pages) -> tuple[SearchEntry, ...]:
    entries = []
    for kind, items in pages.entities.items():
        for entity in items:
            name = getattr(entity, "title", None) or entity.name
            text = " ".join((entity.description or "").split())[:300]
            entries.append(SearchEntry(str(entity.id), name, PAGE_KINDS[kind][1], text, page_path(kind, entity.id)))
    return tuple(entries)
