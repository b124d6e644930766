"""The model graph: indexes agree with the networkx view, queries answer what the model says."""

import networkx as nx
import pytest

from conftest import VALID_MODEL
from mhhsarch.graph import _elementary_cycles
from mhhsarch.pipeline import check_model


@pytest.fixture(scope="module")
def checked():
    return check_model(VALID_MODEL)


def test_every_reference_is_an_edge(checked):
    graph = checked.graph
    references = {
        (r.source_kind, r.source_id, r.target_kind, r.target_id, r.label)
        for r in checked.model.references()
        if checked.model.get(r.target_kind, r.target_id)
    }
    assert graph.edge_count == len(references) > 0
    assert graph.node_count == sum(checked.model.count().values())


def test_referrers_and_targets(checked):
    graph, model = checked.graph, checked.model
    interface = model.interfaces["IF-021"]
    assert graph.targets(("interface", "IF-021"), "sent_by") == sorted(("role", r) for r in set(interface.senders))
    assert graph.targets(("interface", "IF-021"), "received_by") == sorted(
        ("role", r) for r in set(interface.receivers)
    )
    users = {("process", p.id) for p in model.processes.values() if any(s.interface == "IF-021" for s in p.steps)}
    assert set(graph.referrers(("interface", "IF-021"), "uses")) == users
    assert graph.is_referenced(("interface", "IF-021"), ["uses"]) == bool(users)
    assert graph.referrers(("role", "NOPE")) == []


def test_networkx_view_matches_the_indexes(checked):
    graph = checked.graph
    nxg = graph.networkx
    assert isinstance(nxg, nx.MultiDiGraph)
    assert nxg.number_of_edges() == graph.edge_count and nxg.number_of_nodes() == graph.node_count
    for node in nxg.nodes:
        assert sorted(set(nxg.successors(node))) == graph.targets(node)
        assert sorted(set(nxg.predecessors(node))) == graph.referrers(node)


def test_dependants_are_the_transitive_referrers(checked):
    # a data item's dependants include the interfaces carrying it and the processes using those
    graph, model = checked.graph, checked.model
    item = next(iter(model.data_items))
    impacted = graph.dependants(("data_item", item))
    carriers = {n for n in graph.referrers(("data_item", item), "carries")}
    assert carriers <= impacted
    for carrier in carriers:
        assert set(graph.referrers(carrier, "uses")) <= impacted


@pytest.mark.parametrize(
    "edges",
    [
        [(1, 2), (2, 3), (3, 1)],
        [(1, 2), (2, 1), (2, 3), (3, 2), (1, 3)],
        [(1, 1), (1, 2), (2, 3), (3, 4), (4, 2)],
        [(1, 2), (2, 3)],
        [(i, j) for i in range(5) for j in range(5) if i != j],
    ],
)
def test_elementary_cycles_agree_with_networkx(edges):
    successors = {}
    for u, v in edges:
        successors.setdefault(("n", u), []).append(("n", v))
    ours = sorted(tuple(c) for c in _elementary_cycles(successors))
    theirs = nx.simple_cycles(nx.DiGraph([(("n", u), ("n", v)) for u, v in edges]))
    normalised = []
    for cycle in theirs:
        start = cycle.index(min(cycle))
        normalised.append(tuple(cycle[start:] + cycle[:start]))
    assert ours == sorted(normalised)
