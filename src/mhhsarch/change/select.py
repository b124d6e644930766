"""Selectors in the manner of dbt, and change impact: pure functions over the model graph.

    IF-021          the entity with that id (of any kind)
    IF-021+         it and everything that depends on it (transitively)
    +IF-021         it and everything it depends on
    kind:interface  every entity of a kind (singular or plural: interfaces)
    tranche:2       every process and interface of tranche 2
    role:SUP        every interface SUP sends or receives, and every process it takes part in
    state:modified  every entity changed against the baseline (needs one: --baseline)

Selectors separated by spaces (or given as several arguments) are a union; joined by
commas (`kind:interface,tranche:2`) an intersection.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from mhhsarch.graph import ModelGraph
from mhhsarch.model.kinds import KINDS, TOP_LEVEL_KEYS
from mhhsarch.model.model import Model

Node = tuple[str, object]


class SelectorError(Exception):
    """A selector that means nothing (a one-line message: exit 2)."""


def _by_id(model: Model, entity_id: str) -> list[Node]:
    found = []
    for kind in KINDS:
        entities = model.of_kind(kind)
        key: object = int(entity_id) if kind == "tranche" and entity_id.isdigit() else entity_id
        if key in entities:
            found.append((kind, key))
    return found


def _one(model: Model, graph: ModelGraph, selector: str, modified: set[Node] | None) -> set[Node]:
    method, _, value = selector.partition(":")
    if value and method in ("kind", "tranche", "role", "state"):
        if method == "kind":
            entry = TOP_LEVEL_KEYS.get(value)
            if entry is None:
                raise SelectorError(f"kind:{value}: no such kind (kinds: {', '.join(KINDS)})")
            kind = entry[0].name
            return {(kind, i) for i in model.of_kind(kind)}
        if method == "tranche":
            if not value.isdigit():
                raise SelectorError(f"tranche:{value}: a tranche is a number")
            number = int(value)
            return {("process", p.id) for p in model.processes.values() if p.tranche == number} | {
                ("interface", i.id) for i in model.interfaces.values() if i.tranche == number
            }
        if method == "role":
            if value not in model.roles:
                raise SelectorError(f"role:{value}: no such role")
            return {n for n in graph.referrers(("role", value)) if n[0] in ("interface", "process")}
        if value != "modified":
            raise SelectorError(f"state:{value}: only state:modified is known")
        if modified is None:
            raise SelectorError("state:modified needs a baseline to compare with (--baseline REF)")
        return set(modified)
    up = selector.endswith("+")
    down = selector.startswith("+")
    entity_id = selector.strip("+")
    nodes = _by_id(model, entity_id)
    if not nodes:
        raise SelectorError(f"{selector}: no entity has the id {entity_id}")
    selected = set(nodes)
    for node in nodes:
        if up:
            selected |= graph.dependants(node)
        if down:
            selected |= graph.depends_on(node)
    return selected


def select(model: Model, graph: ModelGraph, selectors: Iterable[str], modified: set[Node] | None = None) -> set[Node]:
    """The entities the selectors name: a union of space-separated selectors, each an
    intersection of comma-separated ones."""
    chosen: set[Node] = set()
    for group in (s for text in selectors for s in text.split()):
        parts = [p for p in group.split(",") if p]
        if not parts:
            continue
        result = _one(model, graph, parts[0], modified)
        for part in parts[1:]:
            result &= _one(model, graph, part, modified)
        chosen |= result
    return chosen


def impact_paths(graph: ModelGraph, start: Node) -> dict[Node, list[Node]]:
    """Everything that depends on `start`, each with the shortest path of references
    that leads from it to `start` (breadth first, so the path is a shortest one)."""
    paths: dict[Node, list[Node]] = {start: [start]}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for referrer in graph.referrers(node):
            if referrer not in paths:
                paths[referrer] = [referrer, *paths[node]]
                queue.append(referrer)
    del paths[start]
    return paths
