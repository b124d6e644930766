"""The registry of kinds: top-level keys, id patterns, schemas, builders and references.

This is the one table to extend when the metamodel grows: a new kind is a new
`Kind(...)` entry here, an entity type in `entities.py` and a schema file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from mhhsarch.model import entities as e


@dataclass(frozen=True)
class Reference:
    """One reference from an entity to another: what it names and where it is written."""

    source_kind: str
    source_id: object
    target_kind: str
    target_id: object
    label: str  # the edge label in the graph, e.g. "sends", "participant"
    path: tuple  # path of the referring value inside the entity (for locating it)


def schema_pattern(*forms: str) -> str:
    """The JSON Schema `pattern` for ids of one of the given forms. JSON Schema
    patterns are ECMA-262 regular expressions searched anywhere in the text, so the
    form is anchored; in ECMA-262 `$` is the end of the text (unlike Python's `$`,
    which also matches before a trailing newline)."""
    return "^(?:" + "|".join(forms) + ")$" if len(forms) > 1 else f"^{forms[0]}$"


@dataclass(frozen=True)
class Kind:
    name: str
    plural: str
    # The id's form as a regular expression without anchors, in the common subset of
    # Python and ECMA-262 syntax, ASCII only ([0-9], never \d): the one source of the
    # id patterns in the JSON Schemas (tests/test_input_safety.py keeps them equal).
    # No `|` outside a group: schema_pattern anchors the form without wrapping it.
    id_form: str
    title: str
    build: Callable[[dict, e.Origin | None], e.Entity]
    references: Callable[[Any], Iterator[Reference]]  # given an entity of this kind

    @property
    def singular(self) -> str:
        return self.name

    @property
    def schema_file(self) -> str:
        return f"{self.name}.schema.json"

    @property
    def id_pattern(self) -> str:
        """The id pattern as the JSON Schemas write it."""
        return schema_pattern(self.id_form)

    def id_matches(self, value) -> bool:
        """Whether `value` is an id of this kind: the whole text, ASCII only (no
        trailing newline, no look-alike digits such as '٠')."""
        if self.name == "tranche":
            return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 99
        return isinstance(value, str) and _compiled(self.id_form).fullmatch(value) is not None


@cache
def _compiled(form: str) -> re.Pattern:
    return re.compile(form, re.ASCII)


# --- builders: raw dict (already schema-valid) -> frozen entity ----------------


def _common(raw: dict, origin) -> dict:
    return {
        "id": raw["id"],
        "name": raw.get("name", ""),
        "description": raw.get("description"),
        "notes": raw.get("notes"),
        "tags": tuple(raw.get("tags", ())),
        "owner_team": raw.get("owner_team"),
        "extras": tuple((k, v) for k, v in raw.items() if isinstance(k, str) and k.startswith("x-")),
        "origin": origin,
    }


def _child(origin, *path):
    return origin.child(*path) if origin is not None else None


def _ids(raw: dict, key: str) -> tuple:
    return tuple(raw.get(key, ()))


def _build_segment(raw, origin):
    return e.Segment(**_common(raw, origin))


def _build_role(raw, origin):
    return e.Role(
        **_common(raw, origin), category=raw["category"], segments=_ids(raw, "segments"), services=_ids(raw, "services")
    )


def _build_service(raw, origin):
    return e.Service(**_common(raw, origin), segments=_ids(raw, "segments"))


def _build_capability(raw, origin):
    return e.Capability(**_common(raw, origin), roles=_ids(raw, "roles"), parent=raw.get("parent"))


def _build_step(raw, origin):
    return e.Step(
        id=raw["id"],
        name=raw["name"],
        actor=raw["actor"],
        interface=raw.get("interface"),
        to=_ids(raw, "to"),
        audience=raw.get("audience", "all"),
        condition=raw.get("condition"),
        next=_ids(raw, "next"),
        description=raw.get("description"),
        extras=tuple((k, v) for k, v in raw.items() if isinstance(k, str) and k.startswith("x-")),
        origin=origin,
    )


def _build_process(raw, origin):
    return e.Process(
        **_common(raw, origin),
        level=raw.get("level", 0),
        tranche=raw.get("tranche"),
        status=raw.get("status"),
        capabilities=_ids(raw, "capabilities"),
        segments=_ids(raw, "segments"),
        participants=_ids(raw, "participants"),
        principles=_ids(raw, "principles"),
        steps=tuple(_build_step(s, _child(origin, "steps", i)) for i, s in enumerate(raw["steps"])),
    )


def _build_interface(raw, origin):
    volumes = raw.get("volumetrics", {})
    payload = volumes.get("payload_bytes", {})
    security = raw.get("security", {})
    return e.Interface(
        **_common(raw, origin),
        version=raw.get("version"),
        status=raw.get("status"),
        tranche=raw.get("tranche"),
        senders=_ids(raw, "senders"),
        receivers=_ids(raw, "receivers"),
        transport=raw["transport"],
        pattern=raw.get("pattern"),
        trigger=raw.get("trigger"),
        frequency=raw.get("frequency"),
        volumetrics=e.Volumetrics(
            volumes.get("messages_per_day"),
            volumes.get("peak_per_hour"),
            payload.get("typical"),
            payload.get("max"),
            assumed=volumes.get("x-source") == "assumed",
        ),
        classification=security.get("classification"),
        personal_data=security.get("personal_data"),
        principles=_ids(raw, "principles"),
        dtc_flow=_build_dtc_flow(raw.get("dtc_flow")),
        data_items=tuple(
            e.DataItemUse(
                ref=d["ref"],
                mandatory=d.get("mandatory", "conditional" if "condition" in d else True) is True,
                condition=d.get("condition"),
                repeats=str(d.get("repeats", "1")),
                group=d.get("group"),
                description=d.get("description"),
                origin=_child(origin, "data_items", i),
            )
            for i, d in enumerate(raw["data_items"])
        ),
    )


def _build_dtc_flow(raw) -> e.DtcFlow | None:
    if raw is None:
        return None
    return e.DtcFlow(
        ref=raw["ref"],
        version=raw["version"],
        groups=tuple(
            e.DtcGroup(g["id"], g["name"], g.get("level", 1), str(g.get("repeats", "1")), g.get("description"))
            for g in raw["groups"]
        ),
    )


def _build_data_item(raw, origin):
    dtc = raw.get("dtc_ref")
    return e.DataItem(
        **_common(raw, origin),
        type=raw["type"],
        length=raw.get("length"),
        precision=raw.get("precision"),
        scale=raw.get("scale"),
        format=raw.get("format"),
        time_zone=raw.get("time_zone"),
        valid_set=raw.get("valid_set"),
        unit=raw.get("unit"),
        owner=raw.get("owner"),
        classification=raw.get("classification"),
        personal_data=raw.get("personal_data"),
        entity=raw.get("entity"),
        dtc_ref=None if dtc is None else str(dtc),
        block=raw.get("block", "custom"),
        populated_by=raw.get("populated_by", "sender"),
    )


def _build_valid_set(raw, origin):
    return e.ValidSet(
        **_common(raw, origin),
        values=tuple(e.ValidValue(str(v["code"]), v["meaning"], v.get("description")) for v in raw["values"]),
    )


def _build_entity(raw, origin):
    return e.LogicalEntity(
        **_common(raw, origin),
        relationships=tuple(
            e.Relationship(r["to"], r["cardinality"], r.get("name")) for r in raw.get("relationships", ())
        ),
    )


def _build_principle(raw, origin):
    common = _common(raw, origin)
    common["name"] = raw["title"]
    return e.Principle(**common, text=raw.get("text"), scope=raw.get("scope"))


def _build_tranche(raw, origin):
    if "reviews" in raw:
        reviews = tuple(
            e.Review(r["round"], r["start"], r.get("end"), tuple(r.get("artefacts", ()))) for r in raw["reviews"]
        )
    elif "review_start" in raw or "review_end" in raw:
        # the older form of one review round, still read
        reviews = (e.Review(1, raw.get("review_start", ""), raw.get("review_end")),)
    else:
        reviews = ()
    return e.Tranche(**_common(raw, origin), reviews=reviews, approval=raw.get("approval"))


def _build_artefact(raw, origin):
    common = _common(raw, origin)
    common["name"] = raw["title"]
    return e.RegisteredArtefact(
        **common,
        artefact_kind=raw.get("kind", "other"),
        tranche=raw.get("tranche"),
        owner=raw.get("owner"),
        status=raw.get("status"),
        version=None if raw.get("version") is None else str(raw["version"]),
        link=raw.get("link"),
        sections=tuple(e.Section(str(s["id"]), s["title"]) for s in raw.get("sections", ())),
    )


def _build_comment(raw, origin):
    common = _common(raw, origin)
    common["name"] = f"Comment on {raw['artefact']}"
    source = raw.get("source")
    return e.Comment(
        **common,
        artefact=raw["artefact"],
        constituency=raw["constituency"],
        status=raw["status"],
        anchor=None if raw.get("anchor") is None else str(raw["anchor"]),
        round=raw.get("round"),
        organisation=raw.get("organisation"),
        text=raw.get("text"),
        proposed_change=raw.get("proposed_change"),
        response=raw.get("response"),
        resolved_in=None if raw.get("resolved_in") is None else str(raw["resolved_in"]),
        source=None
        if source is None
        else e.CommentSource(
            file=source["file"],
            sheet=source.get("sheet"),
            row=source.get("row"),
            comment_id=None if source.get("comment") is None else str(source["comment"]),
            reviewer=source.get("reviewer"),
            digest=source.get("digest"),
        ),
    )


# --- references: every reference field of DESIGN section 1 -----------------------


def _each(entity, target: str, label: str, field: str) -> Iterator[Reference]:
    for i, target_id in enumerate(getattr(entity, field)):
        yield Reference(entity.kind, entity.id, target, target_id, label, (field, i))


def _one(entity, target: str, label: str, field: str, path: tuple | None = None) -> Iterator[Reference]:
    value = getattr(entity, field)
    if value is not None:
        yield Reference(entity.kind, entity.id, target, value, label, path or (field,))


def _refs_role(r: e.Role):
    yield from _each(r, "segment", "serves", "segments")
    yield from _each(r, "service", "performs", "services")


def _refs_service(s: e.Service):
    yield from _each(s, "segment", "serves", "segments")


def _refs_capability(c: e.Capability):
    yield from _each(c, "role", "needed_by", "roles")
    yield from _one(c, "capability", "parent", "parent")


def _refs_process(p: e.Process):
    yield from _one(p, "tranche", "in_tranche", "tranche")
    yield from _each(p, "capability", "realises", "capabilities")
    yield from _each(p, "segment", "serves", "segments")
    yield from _each(p, "role", "participant", "participants")
    yield from _each(p, "principle", "honours", "principles")
    for i, step in enumerate(p.steps):
        yield Reference("process", p.id, "role", step.actor, "step_actor", ("steps", i, "actor"))
        if step.interface is not None:
            yield Reference("process", p.id, "interface", step.interface, "uses", ("steps", i, "interface"))
        for j, role in enumerate(step.to):
            yield Reference("process", p.id, "role", role, "step_to", ("steps", i, "to", j))


def _refs_interface(i: e.Interface):
    yield from _one(i, "tranche", "in_tranche", "tranche")
    yield from _each(i, "role", "sent_by", "senders")
    yield from _each(i, "role", "received_by", "receivers")
    yield from _each(i, "principle", "honours", "principles")
    for n, use in enumerate(i.data_items):
        yield Reference("interface", i.id, "data_item", use.ref, "carries", ("data_items", n, "ref"))


def _refs_data_item(d: e.DataItem):
    yield from _one(d, "valid_set", "valued_from", "valid_set")
    yield from _one(d, "role", "mastered_by", "owner")
    yield from _one(d, "entity", "attribute_of", "entity")


def _refs_entity(ent: e.LogicalEntity):
    for n, rel in enumerate(ent.relationships):
        yield Reference("entity", ent.id, "entity", rel.to, "related_to", ("relationships", n, "to"))


# What a comment or a review round may name: the generated artefacts (a process's
# description, an interface specification, the data catalogue) and the registered ones.
CATALOGUE_ARTEFACT = "CATALOGUE"


def artefact_kind_of(artefact_id) -> str | None:
    """The kind of entity an artefact id names, by its form (None: the data catalogue,
    or not an artefact id at all)."""
    for kind in ("process", "interface", "artefact"):
        if KINDS[kind].id_matches(artefact_id):
            return kind
    return None


def _refs_tranche(t: e.Tranche):
    """A review round names the artefacts it issued: processes, interfaces and registered documents."""
    for n, review in enumerate(t.reviews):
        for j, artefact in enumerate(review.artefacts):
            kind = artefact_kind_of(artefact)
            if kind is not None:
                yield Reference("tranche", t.id, kind, artefact, "reviews", ("reviews", n, "artefacts", j))


def _refs_artefact(a: e.RegisteredArtefact):
    yield from _one(a, "tranche", "in_tranche", "tranche")


def _refs_comment(c: e.Comment):
    kind = artefact_kind_of(c.artefact)
    if kind is not None:
        yield Reference("comment", c.id, kind, c.artefact, "comments_on", ("artefact",))


def _no_refs(_entity):
    return iter(())


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("segment", "segments", r"[A-Z][A-Z0-9_]{1,19}", "Market segment", _build_segment, _no_refs),
        Kind("role", "roles", r"[A-Z][A-Z0-9_]{1,15}", "Market role", _build_role, _refs_role),
        Kind("service", "services", r"SVC-[A-Z0-9-]{2,30}", "TOM service", _build_service, _refs_service),
        Kind("capability", "capabilities", r"CAP-[A-Z0-9-]{2,30}", "Capability", _build_capability, _refs_capability),
        Kind("process", "processes", r"BP[0-9]{3}[A-Z]?", "Business process", _build_process, _refs_process),
        Kind("interface", "interfaces", r"(IF|PUB)-[0-9]{3}[A-Z]?", "Interface", _build_interface, _refs_interface),
        Kind("data_item", "data_items", r"DI-[0-9]{3,4}", "Data item", _build_data_item, _refs_data_item),
        Kind("valid_set", "valid_sets", r"VS-[A-Z0-9-]{2,40}", "Valid set", _build_valid_set, _no_refs),
        Kind("entity", "entities", r"ENT-[A-Z0-9-]{2,40}", "Logical entity", _build_entity, _refs_entity),
        Kind("principle", "principles", r"[A-Z]{2,4}-[0-9]{2,3}", "Principle", _build_principle, _no_refs),
        Kind("tranche", "tranches", r"[0-9]{1,2}", "Tranche", _build_tranche, _refs_tranche),
        # BRS007, METH005; never a process id (BP001 names the generated process description)
        Kind(
            "artefact",
            "artefacts",
            r"(?!BP[0-9])[A-Z]{2,6}[0-9]{3}[A-Z]?",
            "Registered artefact",
            _build_artefact,
            _refs_artefact,
        ),
        Kind("comment", "comments", r"C-[0-9]{4,6}", "Review comment", _build_comment, _refs_comment),
    )
}

# Top-level key -> (kind, holds a list?)
TOP_LEVEL_KEYS: dict[str, tuple[Kind, bool]] = {}
for _kind in KINDS.values():
    TOP_LEVEL_KEYS[_kind.plural] = (_kind, True)
    TOP_LEVEL_KEYS[_kind.singular] = (_kind, False)
