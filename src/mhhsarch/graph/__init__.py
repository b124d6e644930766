"""The model graph: entities as nodes, every resolved reference as a labelled edge.

Built once per run from `Model.references()`. Callers use the queries here and
never touch the storage directly, so it can change without them.
Nodes are `(kind, id)` pairs; edge labels are the reference labels of `kinds.py`
("sent_by", "received_by", "uses", "carries", "parent", ...).

Two views of the same edges:

* adjacency indexes (node -> label -> neighbours), built in one pass: the
  questions rules and renderers ask on every run (who references this? what does
  it reference?) are dictionary look-ups;
* a networkx MultiDiGraph for graph algorithms (transitive impact, all paths),
  built on first use. Validation never needs it, so `mhhsarch validate` does not
  pay for importing networkx or copying thousands of edges into it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

from mhhsarch.model.model import Model

Node = tuple[str, object]


class ModelGraph:
    def __init__(self, model: Model):
        self._nodes: set[Node] = {(entity.kind, entity.id) for entity in model.all_entities()}
        self._out: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self._in: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
        edges = []
        for ref in model.references():
            target = (ref.target_kind, ref.target_id)
            if target not in self._nodes:
                continue  # dangling: reported by rule R302, not an edge
            source = (ref.source_kind, ref.source_id)
            self._out[source][ref.label].append(target)
            self._in[target][ref.label].append(source)
            edges.append((source, target, ref.label))
        # One edge per (source, target, label): a process using an interface in
        # three steps references it once.
        self._edges = list(dict.fromkeys(edges))

    def __contains__(self, node: Node) -> bool:
        return node in self._nodes

    @property
    def node_count(self) -> int:
        return len(self._nodes)

    @property
    def edge_count(self) -> int:
        return len(self._edges)

    def referrers(self, node: Node, label: str | None = None, kind: str | None = None) -> list[Node]:
        """Entities that reference `node` (optionally through one label, from one kind), sorted, once each."""
        return _select(self._in.get(node), label, kind)

    def targets(self, node: Node, label: str | None = None, kind: str | None = None) -> list[Node]:
        """Entities that `node` references, sorted, once each."""
        return _select(self._out.get(node), label, kind)

    def is_referenced(self, node: Node, labels: Iterable[str] | None = None) -> bool:
        by_label = self._in.get(node)
        if not by_label:
            return False
        if labels is None:
            return True
        return any(by_label.get(label) for label in labels)

    def cycles(self, label: str) -> list[list[Node]]:
        """Every elementary cycle formed by edges of one label, each rotated to start
        at its smallest node, sorted."""
        successors = {
            node: sorted(set(by_label[label]), key=_node_key)
            for node, by_label in self._out.items()
            if by_label.get(label)
        }
        found = []
        for cycle in _elementary_cycles(successors):
            start = min(range(len(cycle)), key=lambda i: _node_key(cycle[i]))
            found.append(cycle[start:] + cycle[:start])
        return sorted(found, key=lambda c: [_node_key(n) for n in c])

    def depends_on(self, node: Node) -> set[Node]:
        """Everything `node` references, transitively."""
        import networkx as nx

        return nx.descendants(self.networkx, node) if node in self._nodes else set()

    def dependants(self, node: Node) -> set[Node]:
        """Everything that depends on `node`, transitively (change impact)."""
        import networkx as nx

        return nx.ancestors(self.networkx, node) if node in self._nodes else set()

    @cached_property
    def networkx(self):
        """The graph as a networkx MultiDiGraph (edge keys are the labels), for algorithms."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        graph.add_nodes_from(sorted(self._nodes, key=_node_key))
        graph.add_edges_from(self._edges)
        return graph


def _select(by_label: dict[str, list[Node]] | None, label: str | None, kind: str | None) -> list[Node]:
    if not by_label:
        return []
    lists = [by_label.get(label, [])] if label is not None else by_label.values()
    found = {node for nodes in lists for node in nodes if kind is None or node[0] == kind}
    return sorted(found, key=_node_key)


def _elementary_cycles(successors: dict[Node, list[Node]]) -> list[list[Node]]:
    """Elementary cycles of a small directed graph: a depth-first search from each
    node that only visits nodes ordered after it, so every cycle is found once,
    from its smallest node. Reference graphs of one label (a capability's parent)
    have a handful of edges per node; no need for Johnson's algorithm here."""
    order = {node: i for i, node in enumerate(sorted(successors, key=_node_key))}
    cycles = []
    for start in order:
        rank = order[start]
        stack = [(start, iter(successors.get(start, ())))]
        path = [start]
        on_path = {start}
        while stack:
            node, children = stack[-1]
            advanced = False
            for child in children:
                if child == start:
                    cycles.append(list(path))
                elif child not in on_path and order.get(child, -1) > rank:
                    stack.append((child, iter(successors.get(child, ()))))
                    path.append(child)
                    on_path.add(child)
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                on_path.discard(path.pop())
    return cycles


def _node_key(node: Node) -> tuple:
    kind, entity_id = node
    return (kind, isinstance(entity_id, str), str(entity_id).zfill(4) if isinstance(entity_id, int) else entity_id)
