"""Hierarchies (defect class 6)."""

from collections.abc import Iterator

from mhhsarch.checks.rule import rule
from mhhsarch.diagnostics.core import Finding


@rule("H501", "capability-cycle")
def capability_cycle(model, graph) -> Iterator[Finding]:
    """Capability `parent` links form a cycle.

    Why: the capability model is a tree; a cycle has no root and cannot be drawn or
    rolled up.

    Bad:
        - {id: CAP-A, name: A, parent: CAP-B}
        - {id: CAP-B, name: B, parent: CAP-A}
    Good:
        - {id: CAP-A, name: A}
        - {id: CAP-B, name: B, parent: CAP-A}
    """
    for cycle in graph.cycles("parent"):
        ids = [node[1] for node in cycle]
        first = model.capabilities[ids[0]]
        yield Finding(
            "capability hierarchy has a cycle: " + " -> ".join(ids + [ids[0]]),
            first.span("parent"),
            first.id,
            related=tuple(model.capabilities[i].span("parent") for i in ids[1:]),
        )
