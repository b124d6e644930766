"""The model graph: entities as nodes, every resolved reference as a labelled edge.

Built once per run from `Model.references()`. Callers use the queries here and
never touch networkx directly, so the backing store can change without them.
Nodes are `(kind, id)` pairs; edge keys are the reference labels of `kinds.py`
("sent_by", "received_by", "uses", "carries", "parent", ...).
"""

from __future__ import annotations

from typing import Iterable

import networkx as nx

from mhhsarch.model.model import Model

Node = tuple[str, object]


class ModelGraph:
    def __init__(self, model: Model):
        graph = nx.MultiDiGraph()
        for entity in model.all_entities():
            graph.add_node((entity.kind, entity.id))
        edges = [
            ((ref.source_kind, ref.source_id), (ref.target_kind, ref.target_id), ref.label)
            for ref in model.references()
            if ref.target_id in model.of_kind(ref.target_kind)
        ]
        graph.add_edges_from(edges)
        self._graph = graph

    def __contains__(self, node: Node) -> bool:
        return node in self._graph

    @property
    def node_count(self) -> int:
        return self._graph.number_of_nodes()

    @property
    def edge_count(self) -> int:
        return self._graph.number_of_edges()

    def referrers(self, node: Node, label: str | None = None, kind: str | None = None) -> list[Node]:
        """Entities that reference `node` (optionally through one label, from one kind), sorted, once each."""
        if node not in self._graph:
            return []
        found = {
            source
            for source, _, key in self._graph.in_edges(node, keys=True)
            if (label is None or key == label) and (kind is None or source[0] == kind)
        }
        return sorted(found, key=_node_key)

    def targets(self, node: Node, label: str | None = None, kind: str | None = None) -> list[Node]:
        """Entities that `node` references, sorted, once each."""
        if node not in self._graph:
            return []
        found = {
            target
            for _, target, key in self._graph.out_edges(node, keys=True)
            if (label is None or key == label) and (kind is None or target[0] == kind)
        }
        return sorted(found, key=_node_key)

    def is_referenced(self, node: Node, labels: Iterable[str] | None = None) -> bool:
        wanted = None if labels is None else set(labels)
        return any(wanted is None or key in wanted for _, _, key in self._graph.in_edges(node, keys=True))

    def cycles(self, label: str) -> list[list[Node]]:
        """Every elementary cycle formed by edges of one label, each rotated to start
        at its smallest node, sorted."""
        sub = nx.DiGraph((u, v) for u, v, key in self._graph.edges(keys=True) if key == label)
        found = []
        for cycle in nx.simple_cycles(sub):
            start = min(range(len(cycle)), key=lambda i: _node_key(cycle[i]))
            found.append(cycle[start:] + cycle[:start])
        return sorted(found, key=lambda c: [_node_key(n) for n in c])

    def depends_on(self, node: Node) -> set[Node]:
        """Everything `node` references, transitively."""
        return nx.descendants(self._graph, node) if node in self._graph else set()

    def dependants(self, node: Node) -> set[Node]:
        """Everything that depends on `node`, transitively (change impact)."""
        return nx.ancestors(self._graph, node) if node in self._graph else set()


def _node_key(node: Node) -> tuple:
    kind, entity_id = node
    return (kind, isinstance(entity_id, str), str(entity_id).zfill(4) if isinstance(entity_id, int) else entity_id)
