"""The classified semantic diff of two models: entity- and field-level changes, each with
the rule that classifies it, and the artefacts it alters.

Entities are compared as plain records (their dataclass fields; the source position
left out). Lists of keyed records are compared by key, so a reordering is no change
and a path names the record: `data_items[DI-0101].mandatory`, `steps[3].name`,
`values[A].meaning`; lists of ids element by element: `receivers[SUP]`. A renamed id
is a removal and an addition.

Every change is classified by the first rule of `RULES` that matches it, in the
manner of `buf breaking` and `oasdiff`: each rule has a stable id, a class
(breaking, non-breaking, editorial) and the reason it is that class, which
`mhhsarch diff` prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mhhsarch.graph import ModelGraph
from mhhsarch.model.kinds import KINDS
from mhhsarch.model.model import Model

BREAKING, NON_BREAKING, EDITORIAL = "breaking", "non-breaking", "editorial"
CLASSES = (BREAKING, NON_BREAKING, EDITORIAL)
ADDED, REMOVED, MODIFIED = "added", "removed", "modified"
# Keys of records in lists (the first field a record has)
RECORD_KEYS = ("id", "ref", "code", "to", "round")
EDITORIAL_FIELDS = {"name", "title", "description", "notes", "tags", "owner_team", "extras", "text", "meaning"}
REFERENCE_FIELDS = {"principles", "capabilities", "services", "segments", "owner", "entity", "dtc_ref", "parent"}


@dataclass(frozen=True)
class Change:
    kind: str
    id: str
    field: str | None  # dotted path inside the entity; None: the whole entity
    change: str  # added, removed, modified
    old: Any
    new: Any
    klass: str = EDITORIAL
    rule: str = ""
    reason: str = ""
    artefacts: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "field": self.field,
            "change": self.change,
            "class": self.klass,
            "rule": self.rule,
            "reason": self.reason,
            "old": self.old,
            "new": self.new,
            "artefacts": list(self.artefacts),
        }


@dataclass(frozen=True)
class DiffRule:
    id: str
    klass: str
    reason: str
    matches: Callable[[Change], bool]


def _leaf(change: Change) -> str:
    """The field's last name, without a record key: `data_items[DI-1].mandatory` -> mandatory."""
    field = change.field or ""
    last = field.rsplit(".", 1)[-1]
    return last.split("[", 1)[0]


def _in_list(change: Change, name: str) -> bool:
    """The change adds or removes one element of the list `name` (`receivers[SUP]`)."""
    field = change.field or ""
    return field.startswith(f"{name}[") and "." not in field


def _narrowed(change: Change) -> bool:
    old, new = change.old, change.new
    return new is not None and (old is None or (isinstance(old, int) and isinstance(new, int) and new < old))


def _item_is(change: Change, mandatory: bool) -> bool:
    record = change.new if change.change == ADDED else change.old
    return isinstance(record, dict) and bool(record.get("mandatory", True)) is mandatory


RULES: tuple[DiffRule, ...] = (
    # whole entities
    DiffRule(
        "INTERFACE_REMOVED",
        BREAKING,
        "implementers of the interface lose it",
        lambda c: c.kind == "interface" and c.field is None and c.change == REMOVED,
    ),
    DiffRule(
        "DATA_ITEM_REMOVED",
        BREAKING,
        "interfaces carrying the item lose it",
        lambda c: c.kind == "data_item" and c.field is None and c.change == REMOVED,
    ),
    DiffRule(
        "VALID_SET_REMOVED",
        BREAKING,
        "items taking codes from it lose their codes",
        lambda c: c.kind == "valid_set" and c.field is None and c.change == REMOVED,
    ),
    DiffRule(
        "ENTITY_ADDED",
        NON_BREAKING,
        "something new: nothing built before depends on it",
        lambda c: c.field is None and c.change == ADDED,
    ),
    DiffRule(
        "ENTITY_REMOVED",
        NON_BREAKING,
        "no message format depends on it",
        lambda c: c.field is None and c.change == REMOVED,
    ),
    # interfaces
    DiffRule(
        "SENDER_REMOVED",
        BREAKING,
        "a receiver stops getting the message from that role",
        lambda c: (
            c.kind == "interface"
            and (_in_list(c, "senders") or c.field == "sender")
            and c.change in (REMOVED, MODIFIED)
        ),
    ),
    DiffRule(
        "SENDER_ADDED",
        NON_BREAKING,
        "receivers get the same message from one more role",
        lambda c: c.kind == "interface" and _in_list(c, "senders") and c.change == ADDED,
    ),
    DiffRule(
        "RECEIVER_REMOVED",
        BREAKING,
        "a role that consumed the message no longer gets it",
        lambda c: c.kind == "interface" and _in_list(c, "receivers") and c.change == REMOVED,
    ),
    DiffRule(
        "RECEIVER_ADDED",
        NON_BREAKING,
        "one more role gets the message; the format is the same",
        lambda c: c.kind == "interface" and _in_list(c, "receivers") and c.change == ADDED,
    ),
    DiffRule(
        "MANDATORY_ITEM_ADDED",
        BREAKING,
        "senders must now send it and receivers read it",
        lambda c: c.kind == "interface" and _in_list(c, "data_items") and c.change == ADDED and _item_is(c, True),
    ),
    DiffRule(
        "OPTIONAL_ITEM_ADDED",
        NON_BREAKING,
        "an optional item may be ignored by receivers",
        lambda c: c.kind == "interface" and _in_list(c, "data_items") and c.change == ADDED,
    ),
    DiffRule(
        "MANDATORY_ITEM_REMOVED",
        BREAKING,
        "receivers relying on the item no longer get it",
        lambda c: c.kind == "interface" and _in_list(c, "data_items") and c.change == REMOVED and _item_is(c, True),
    ),
    DiffRule(
        "OPTIONAL_ITEM_REMOVED",
        BREAKING,
        "receivers reading the item no longer get it",
        lambda c: c.kind == "interface" and _in_list(c, "data_items") and c.change == REMOVED,
    ),
    DiffRule(
        "ITEM_MADE_MANDATORY",
        BREAKING,
        "senders that left it out now fail validation",
        lambda c: c.kind == "interface" and _leaf(c) == "mandatory" and c.new is True,
    ),
    DiffRule(
        "ITEM_MADE_OPTIONAL",
        NON_BREAKING,
        "senders may still send it; receivers must allow it to be absent",
        lambda c: c.kind == "interface" and _leaf(c) == "mandatory",
    ),
    DiffRule(
        "CARDINALITY_CHANGED",
        BREAKING,
        "the number of repetitions a parser expects changed",
        lambda c: c.kind == "interface" and _leaf(c) == "repeats",
    ),
    DiffRule(
        "TRANSPORT_CHANGED",
        BREAKING,
        "implementers connect differently",
        lambda c: c.kind == "interface" and c.field == "transport",
    ),
    DiffRule(
        "PATTERN_CHANGED",
        BREAKING,
        "the exchange (publish, request, response) changed",
        lambda c: c.kind == "interface" and c.field == "pattern",
    ),
    # data items
    DiffRule(
        "TYPE_CHANGED",
        BREAKING,
        "values of the old type no longer parse",
        lambda c: c.kind == "data_item" and c.field == "type",
    ),
    DiffRule(
        "LENGTH_NARROWED",
        BREAKING,
        "values that fitted may no longer fit",
        lambda c: c.kind == "data_item" and c.field in ("length", "precision", "scale") and _narrowed(c),
    ),
    DiffRule(
        "LENGTH_WIDENED",
        NON_BREAKING,
        "every value that fitted still fits",
        lambda c: c.kind == "data_item" and c.field in ("length", "precision", "scale"),
    ),
    DiffRule(
        "FORMAT_CHANGED",
        BREAKING,
        "values of the old format may be rejected (a pattern cannot be proved wider)",
        lambda c: c.kind == "data_item" and c.field == "format" and c.new is not None,
    ),
    DiffRule(
        "FORMAT_REMOVED",
        NON_BREAKING,
        "every value is still accepted",
        lambda c: c.kind == "data_item" and c.field == "format",
    ),
    DiffRule(
        "VALID_SET_CHANGED",
        BREAKING,
        "the item takes its codes from another set",
        lambda c: c.kind == "data_item" and c.field == "valid_set",
    ),
    DiffRule(
        "UNIT_CHANGED",
        BREAKING,
        "the same number means something else",
        lambda c: c.kind == "data_item" and c.field == "unit",
    ),
    # valid sets
    DiffRule(
        "CODE_REMOVED",
        BREAKING,
        "senders of the code are now invalid",
        lambda c: c.kind == "valid_set" and _in_list(c, "values") and c.change == REMOVED,
    ),
    DiffRule(
        "CODE_ADDED",
        NON_BREAKING,
        "receivers must accept one more code",
        lambda c: c.kind == "valid_set" and _in_list(c, "values") and c.change == ADDED,
    ),
    # the rest
    DiffRule(
        "WORDING",
        EDITORIAL,
        "names, descriptions and notes: the meaning is the same",
        lambda c: _leaf(c) in EDITORIAL_FIELDS or _leaf(c).startswith("x-"),
    ),
    DiffRule(
        "REFERENCE",
        EDITORIAL,
        "traceability (principles, capabilities, owners)",
        lambda c: (c.field or "").split("[")[0].split(".")[0] in REFERENCE_FIELDS,
    ),
    DiffRule(
        "OTHER",
        NON_BREAKING,
        "a change of behaviour or lifecycle that leaves message formats as they are",
        lambda c: True,
    ),
)


def classify(change: Change) -> Change:
    for rule in RULES:
        if rule.matches(change):
            return dataclasses.replace(change, klass=rule.klass, rule=rule.id, reason=rule.reason)
    raise AssertionError("the last rule matches every change")


# --- comparing records ---------------------------------------------------------------------


def record(value: Any) -> Any:
    """An entity (or part of one) as plain data, without its source position."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            if f.name == "origin":
                continue
            item = getattr(value, f.name)
            if f.name == "extras":
                out.update({k: record(v) for k, v in item})
            else:
                out[f.name] = record(item)
        return out
    if isinstance(value, (list, tuple)):
        return [record(v) for v in value]
    return value


def _key_of(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in RECORD_KEYS:
            if key in item and item[key] is not None:
                return str(item[key])
    return None


def _compare(path: str, old: Any, new: Any) -> Iterator[tuple[str, str, Any, Any]]:
    """(field path, change, old, new) for every difference between two plain values."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for name in dict.fromkeys([*old, *new]):
            sub = f"{path}.{name}" if path else name
            if name not in new:
                yield sub, REMOVED, old[name], None
            elif name not in old:
                yield sub, ADDED, None, new[name]
            else:
                yield from _compare(sub, old[name], new[name])
        return
    if isinstance(old, list) and isinstance(new, list):
        keyed_old = {_key_of(v): v for v in old}
        keyed_new = {_key_of(v): v for v in new}
        if (
            None not in keyed_old
            and None not in keyed_new
            and len(keyed_old) == len(old)
            and len(keyed_new) == len(new)
        ):
            for key in dict.fromkeys([*keyed_old, *keyed_new]):
                sub = f"{path}[{key}]"
                if key not in keyed_new:
                    yield sub, REMOVED, keyed_old[key], None
                elif key not in keyed_old:
                    yield sub, ADDED, None, keyed_new[key]
                else:
                    yield from _compare(sub, keyed_old[key], keyed_new[key])
            return
        if (
            all(isinstance(v, (str, int)) for v in [*old, *new])
            and len(set(old)) == len(old)
            and len(set(new)) == len(new)
        ):
            for value in old:
                if value not in new:
                    yield f"{path}[{value}]", REMOVED, value, None
            for value in new:
                if value not in old:
                    yield f"{path}[{value}]", ADDED, None, value
            if [v for v in old if v in new] != [v for v in new if v in old]:
                yield path, MODIFIED, old, new  # the same elements in another order
            return
    yield path, MODIFIED, old, new


def diff_models(
    base: Model, head: Model, head_graph: ModelGraph | None = None, base_graph: ModelGraph | None = None
) -> list[Change]:
    """Every change from `base` to `head`, classified, with the artefacts it alters."""
    head_graph = head_graph or ModelGraph(head)
    base_graph = base_graph or ModelGraph(base)
    changes: list[Change] = []
    for kind in KINDS:
        old_entities, new_entities = base.of_kind(kind), head.of_kind(kind)
        for entity_id in sorted(dict.fromkeys([*old_entities, *new_entities]), key=str):
            old, new = old_entities.get(entity_id), new_entities.get(entity_id)
            if old is None:
                found = [Change(kind, str(entity_id), None, ADDED, None, record(new))]
            elif new is None:
                found = [Change(kind, str(entity_id), None, REMOVED, record(old), None)]
            else:
                found = [
                    Change(kind, str(entity_id), path, change, a, b)
                    for path, change, a, b in _compare("", record(old), record(new))
                ]
            model, graph = (base, base_graph) if new is None else (head, head_graph)
            paths = artefacts_of(model, graph, kind, entity_id)
            changes += [dataclasses.replace(classify(c), artefacts=paths) for c in found]
    return changes


def version_warnings(base: Model, head: Model, changes: list[Change]) -> list[str]:
    """Interfaces that changed (beyond wording) since the baseline but kept their version."""
    changed = {c.id for c in changes if c.kind == "interface" and c.field is not None and c.klass != EDITORIAL}
    found = []
    for interface_id in sorted(changed):
        old, new = base.interfaces.get(interface_id), head.interfaces.get(interface_id)
        if old is not None and new is not None and old.version == new.version:
            found.append(f"{interface_id} changed since the baseline but its version is still {new.version or 'unset'}")
    return found


# --- the artefacts a change alters -----------------------------------------------------------


def artefacts_of(model: Model, graph: ModelGraph, kind: str, entity_id: Any) -> tuple[str, ...]:
    """The output files that show the entity (the paths `mhhsarch render` writes)."""
    paths: list[str] = []

    def spec(i: str) -> None:
        paths.extend((f"specs/{i}.docx", f"markdown/specs/{i}.md", f"views/interfaces/{i}.json"))

    def process(p: str) -> None:
        paths.extend((f"processes/{p}.docx", f"markdown/processes/{p}.md", f"views/processes/{p}.json"))
        paths.extend(f"diagrams/{d}/{p}.{e}" for d in ("sequence", "communication") for e in ("svg", "png", "mmd"))

    def referrers(node_kind: str, node_id: Any, of_kind: str) -> list[str]:
        return [str(i) for _, i in graph.referrers((node_kind, node_id), kind=of_kind)]

    if kind == "interface":
        spec(entity_id)
        for p in referrers("interface", entity_id, "process"):
            process(p)
        paths += [f"diagrams/communication/market.{e}" for e in ("svg", "mmd")]
        interface = model.interfaces.get(entity_id)
        roles = (
            [
                *getattr(interface, "senders", ()),
                *([interface.sender] if hasattr(interface, "sender") else []),
                *interface.receivers,
            ]
            if interface
            else []
        )
        paths += [f"diagrams/context/{r}.{e}" for r in dict.fromkeys(roles) for e in ("svg", "mmd")]
        paths.append("catalogue/data_catalogue.xlsx")
    elif kind == "process":
        process(entity_id)
        for _, i in graph.targets(("process", entity_id), kind="interface"):
            spec(str(i))
        paths.append("catalogue/data_catalogue.xlsx")
    elif kind == "data_item":
        for i in referrers("data_item", entity_id, "interface"):
            spec(i)
        paths.append("catalogue/data_catalogue.xlsx")
    elif kind == "valid_set":
        for d in referrers("valid_set", entity_id, "data_item"):
            for i in referrers("data_item", d, "interface"):
                spec(i)
        paths.append("catalogue/data_catalogue.xlsx")
    elif kind == "role":
        paths += [f"diagrams/context/{entity_id}.{e}" for e in ("svg", "mmd")]
        for i in referrers("role", entity_id, "interface"):
            spec(i)
        for p in referrers("role", entity_id, "process"):
            process(p)
    elif kind == "principle":
        for i in referrers("principle", entity_id, "interface"):
            spec(i)
        for p in referrers("principle", entity_id, "process"):
            process(p)
    elif kind == "comment":
        comment = model.comments.get(entity_id)
        target = comment.artefact if comment else None
        if target in model.interfaces:
            spec(target)
        elif target in model.processes:
            process(target)
    return tuple(sorted(dict.fromkeys(paths)))
