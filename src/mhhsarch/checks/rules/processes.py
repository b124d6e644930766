"""Process coherence (defect class 5): steps agree with participants and interfaces."""

from collections.abc import Iterator

from mhhsarch.checks.rule import rule
from mhhsarch.diagnostics.core import Finding
from mhhsarch.model.entities import Step


@rule("P401", "step-role-not-participant")
def step_role_not_participant(model, graph) -> Iterator[Finding]:
    """A step's actor or recipient is not among the process's participants.

    Why: the swim-lanes of the process diagram are its participants; a step outside
    them has no lane, and the participant list under-states who is involved.

    Bad:
        participants: [SUP, REGS]
        steps: [{id: 1, name: Appoint, actor: SDS}]
    Good:
        participants: [SUP, REGS, SDS]
    """
    for process in model.processes.values():
        participants = set(process.participants)
        for step in process.steps:
            if step.actor not in participants:
                yield Finding(
                    f"{process.id} step {step.id}: actor {step.actor} is not a participant of the process",
                    step.span("actor"),
                    process.id,
                )
            for i, role in enumerate(step.to):
                if role not in participants:
                    yield Finding(
                        f"{process.id} step {step.id}: recipient {role} is not a participant of the process",
                        step.span("to", i),
                        process.id,
                    )
            if step.interface and not step.to:
                interface = model.interfaces.get(step.interface)
                missing = [r for r in interface.receivers if r not in participants] if interface else []
                if missing:
                    yield Finding(
                        f"{process.id} step {step.id}: {step.interface} goes to all its receivers, but "
                        f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not a participant; "
                        "add them or name the recipients with `to`",
                        step.span("interface"),
                        process.id,
                    )


@rule("P402", "actor-not-sender")
def actor_not_sender(model, graph) -> Iterator[Finding]:
    """A step sends an interface, but its actor is not one of that interface's senders.

    Why: the sequence diagram would show a message coming from the wrong party, and
    the interface specification would contradict the process.

    Bad:
        steps: [{id: 1, name: Send consumption, actor: SUP, interface: IF-021}]   # IF-021 senders: [SDS, ADS]
    Good:
        steps: [{id: 1, name: Send consumption, actor: ADS, interface: IF-021}]
    """
    for process in model.processes.values():
        for step in process.steps:
            interface = model.interfaces.get(step.interface) if step.interface else None
            if interface is not None and interface.senders and step.actor not in interface.senders:
                senders = ", ".join(interface.senders)
                yield Finding(
                    f"{process.id} step {step.id}: actor {step.actor} sends {interface.id}, "
                    f"but {step.actor} is not among its senders ({senders}); "
                    f"add {step.actor} to the interface's senders or change the actor",
                    step.span("actor"),
                    process.id,
                )


@rule("P403", "recipient-not-receiver")
def recipient_not_receiver(model, graph) -> Iterator[Finding]:
    """A step sends an interface to a role that is not one of the interface's receivers.

    Why: the DIP routes a message only to the receivers its specification names.

    Bad:
        steps: [{id: 2, name: Notify, actor: REGS, interface: IF-035, to: [LDSO]}]   # IF-035 receivers: [SUP]
    Good:
        steps: [{id: 2, name: Notify, actor: REGS, interface: IF-035, to: [SUP]}]
    """
    for process in model.processes.values():
        for step in process.steps:
            interface = model.interfaces.get(step.interface) if step.interface else None
            if interface is None:
                continue
            for i, role in enumerate(step.to):
                if role not in interface.receivers:
                    yield Finding(
                        f"{process.id} step {step.id}: {role} is not a receiver of {interface.id} "
                        f"(receivers: {', '.join(interface.receivers)})",
                        step.span("to", i),
                        process.id,
                    )


@rule("P404", "duplicate-step-id")
def duplicate_step_id(model, graph) -> Iterator[Finding]:
    """Two steps of one process share an id.

    Why: step numbers label the arrows of the sequence diagram and are what `next`
    and reviewers' comments point at.

    Bad:
        steps: [{id: 1, ...}, {id: 1, ...}]
    Good:
        steps: [{id: 1, ...}, {id: 2, ...}]
    """
    for process in model.processes.values():
        first: dict[int, Step] = {}
        for step in process.steps:
            if step.id in first:
                yield Finding(
                    f"{process.id}: step id {step.id} is used twice",
                    step.span("id"),
                    process.id,
                    related=(first[step.id].span("id"),),
                )
            else:
                first[step.id] = step


@rule("P405", "next-step-missing")
def next_step_missing(model, graph) -> Iterator[Finding]:
    """A step's `next` names a step that the process does not have.

    Why: the process flow would jump to nowhere.

    Bad:
        steps: [{id: 1, ..., next: [7]}]
    Good:
        steps: [{id: 1, ..., next: [2]}, {id: 2, ...}]
    """
    for process in model.processes.values():
        ids = {step.id for step in process.steps}
        for step in process.steps:
            for i, target in enumerate(step.next):
                if target not in ids:
                    yield Finding(
                        f"{process.id} step {step.id}: next step {target} does not exist",
                        step.span("next", i),
                        process.id,
                    )


@rule("P406", "originator-without-message")
def originator_without_message(model, graph) -> Iterator[Finding]:
    """A step goes back to the originator (`audience: originator`), but answers no message.

    Why: "back to the originator" means the sender of the message the step answers, as
    a rejection goes to the data service whose submission failed. Without an earlier
    step that sends a message to this step's actor, or with that message's sender not
    among the recipients, nobody can tell who gets it.

    Bad:
        steps:
          - {id: 1, name: Validate, actor: MDS}
          - {id: 2, name: Reject, actor: MDS, interface: IF-014, audience: originator}
    Good:
        steps:
          - {id: 1, name: Submit, actor: SDS, interface: IF-021, to: [MDS]}
          - {id: 2, name: Reject, actor: MDS, interface: IF-014, audience: originator}
    """
    for process in model.processes.values():
        for step in process.steps:
            if step.audience != "originator":
                continue
            if not step.interface:
                yield Finding(
                    f"{process.id} step {step.id}: `audience: originator` on a step that sends no interface",
                    step.span("audience"),
                    process.id,
                )
                continue
            answered = model.answered_step(process, step)
            if answered is None:
                yield Finding(
                    f"{process.id} step {step.id}: goes back to the originator, but no earlier step sends "
                    f"{step.actor} a message to answer",
                    step.span("audience"),
                    process.id,
                )
            elif step.interface in model.interfaces and answered.actor not in model.step_recipients(step):
                yield Finding(
                    f"{process.id} step {step.id}: goes back to the originator {answered.actor} "
                    f"(step {answered.id}), which is not among its recipients "
                    f"({', '.join(model.step_recipients(step))})",
                    step.span("audience"),
                    process.id,
                )
