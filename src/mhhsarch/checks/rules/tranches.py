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
