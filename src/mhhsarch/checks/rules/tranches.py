"""Tranche coherence (defect class 8)."""

from collections.abc import Iterator

from mhhsarch.checks.rule import rule
from mhhsarch.diagnostics.core import Finding


@rule("T701", "interface-from-later-tranche")
def interface_from_later_tranche(model, graph) -> Iterator[Finding]:
    """A process in tranche N uses an interface that is published in a later tranche.

    Why: reviewers of tranche N would read a process whose interface specification
    they cannot see yet.

    Bad:
        process: {id: BP005, tranche: 1, steps: [{..., interface: IF-031}]}   # IF-031 is tranche 2
    Good:
        process: {id: BP005, tranche: 2, ...}
    """
    for process in model.processes.values():
        if process.tranche is None:
            continue
        for step in process.steps:
            interface = model.interfaces.get(step.interface) if step.interface else None
            if interface is not None and interface.tranche is not None and interface.tranche > process.tranche:
                yield Finding(
                    f"{process.id} (tranche {process.tranche}) step {step.id} uses {interface.id}, "
                    f"which is in tranche {interface.tranche}",
                    step.span("interface"),
                    process.id,
                )


@rule("T702", "review-rounds-out-of-order")
def review_rounds_out_of_order(model, graph) -> Iterator[Finding]:
    """A tranche's review rounds are not numbered 1, 2, ... in order, a round ends before
    it starts, or a round starts before the previous one ended.

    Why: the document control of every artefact of the tranche prints its rounds; a
    round 2 before round 1 or a window that ends before it opens tells reviewers when
    to comment with dates that cannot be right.

    Bad:
        reviews: [{round: 1, start: 2022-03-28, end: 2022-04-08}, {round: 2, start: 2022-02-14, end: 2022-02-25}]
    Good:
        reviews: [{round: 1, start: 2022-02-14, end: 2022-02-25}, {round: 2, start: 2022-03-28, end: 2022-04-08}]
    """
    for tranche in model.tranches.values():
        previous = None
        for n, review in enumerate(tranche.reviews):
            if review.round != n + 1:
                yield Finding(
                    f"tranche {tranche.id}: review round {review.round} is its review number {n + 1}; "
                    "number the rounds 1, 2, ... in order",
                    tranche.span("reviews", n, "round"),
                    str(tranche.id),
                )
            if review.end and review.start and review.end < review.start:
                yield Finding(
                    f"tranche {tranche.id}: review round {review.round} ends ({review.end}) before it starts "
                    f"({review.start})",
                    tranche.span("reviews", n, "end"),
                    str(tranche.id),
                )
            if previous is not None and previous.end and review.start and review.start <= previous.end:
                yield Finding(
                    f"tranche {tranche.id}: review round {review.round} starts ({review.start}) before round "
                    f"{previous.round} ended ({previous.end})",
                    tranche.span("reviews", n, "start"),
                    str(tranche.id),
                )
            previous = review
