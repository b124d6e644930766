"""View-models of the diagrams: what each diagram shows and in which order, built from the
typed model and nothing else. Pure and deterministic, so the writers (DOT, PlantUML,
Mermaid) only decide how things look, and tests can check content without a layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mhhsarch.model.entities import Interface, Process, Role, Step
from mhhsarch.model.model import Model
from mhhsarch.render.diagrams.common import category_order

# --------------------------------------------------------------------------- sequence


@dataclass(frozen=True)
class Lifeline:
    id: str
    name: str
    category: str


@dataclass(frozen=True)
class Message:
    """One arrow: a step sending an interface to one receiver."""

    step: int
    sender: str
    receiver: str
    interface: str
    name: str  # the interface's name
    transport: str | None
    repeat: bool = False  # the same step to a further receiver: labelled without the name

    @property
    def label(self) -> str:
        if self.repeat:
            return f"{self.step}. {self.interface}"
        return f"{self.step}. {self.interface} {self.name}".rstrip()


@dataclass(frozen=True)
class Note:
    """An internal step (no interface): a note on the actor's lifeline."""

    step: int
    actor: str
    text: str

    @property
    def label(self) -> str:
        return f"{self.step}. {self.text}".rstrip()


@dataclass(frozen=True)
class Branch:
    condition: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Fragment:
    """`opt` (one conditional run of steps) or `alt` (alternatives branching from one step)."""

    kind: str
    branches: tuple[Branch, ...]


Item = Message | Note | Fragment


@dataclass(frozen=True)
class SequenceView:
    id: str
    title: str
    lifelines: tuple[Lifeline, ...]
    items: tuple[Item, ...]

    def messages(self) -> list[Message]:
        """Every arrow, in the order drawn."""
        return [m for m in _flatten(self.items) if isinstance(m, Message)]

    def notes(self) -> list[Note]:
        return [n for n in _flatten(self.items) if isinstance(n, Note)]

    @property
    def transports(self) -> list[str]:
        return sorted({m.transport or "" for m in self.messages()})


def _flatten(items: Iterable[Item]):
    for item in items:
        if isinstance(item, Fragment):
            for branch in item.branches:
                yield from _flatten(branch.items)
        else:
            yield item


def lifelines(model: Model, process: Process) -> tuple[Lifeline, ...]:
    """The participants in the order the process lists them (authors choose the layout),
    then any step actor or receiver the list misses (only in models with errors)."""
    order = list(dict.fromkeys(process.participants))
    for step in process.steps:
        for role in (step.actor, *step_receivers(model, step)):
            if role not in order:
                order.append(role)
    return tuple(_lifeline(model, role) for role in order)


def _lifeline(model: Model, role_id: str) -> Lifeline:
    role = model.roles.get(role_id)
    return Lifeline(role_id, role.name if role else role_id, role.category if role else "other")


def step_receivers(model: Model, step: Step) -> tuple[str, ...]:
    """Where a step's message goes: its `to`, else every receiver of its interface."""
    if not step.interface:
        return ()
    if step.to:
        return tuple(dict.fromkeys(step.to))
    interface = model.interfaces.get(step.interface)
    return interface.receivers if interface else ()


def _step_items(model: Model, step: Step) -> list[Item]:
    receivers = step_receivers(model, step)
    if not step.interface or not receivers:
        text = step.name if not step.interface else f"{step.name} ({step.interface}: not defined)"
        return [Note(step.id, step.actor, text)]
    interface = model.interfaces.get(step.interface)
    return [
        Message(
            step.id,
            step.actor,
            receiver,
            step.interface,
            interface.name if interface else "",
            interface.transport if interface else None,
            index > 0,
        )
        for index, receiver in enumerate(receivers)
    ]


def sequence_view(model: Model, process: Process) -> SequenceView:
    """Steps in order; consecutive steps under the same condition form one `opt`;
    consecutive conditional runs that start at sibling steps (named together in one
    step's `next`) are the branches of one `alt`."""
    runs: list[tuple[str | None, list[Step]]] = []
    for step in process.steps:
        condition = " ".join(step.condition.split()) if step.condition else None
        if runs and condition is not None and runs[-1][0] == condition:
            runs[-1][1].append(step)
        else:
            runs.append((condition, [step]))

    siblings = [set(step.next) for step in process.steps if len(step.next) > 1]

    def alternatives(a: Step, b: Step) -> bool:
        return any(a.id in group and b.id in group for group in siblings)

    items: list[Item] = []
    pending: list[tuple[str, list[Step]]] = []  # conditional runs waiting to be closed

    def close() -> None:
        if pending:
            branches = tuple(
                Branch(cond, tuple(i for s in steps for i in _step_items(model, s))) for cond, steps in pending
            )
            items.append(Fragment("alt" if len(branches) > 1 else "opt", branches))
            pending.clear()

    for condition, steps in runs:
        if condition is None:
            close()
            items.extend(i for s in steps for i in _step_items(model, s))
        elif pending and alternatives(pending[0][1][0], steps[0]):
            pending.append((condition, steps))
        else:
            close()
            pending.append((condition, steps))
    close()
    return SequenceView(process.id, f"{process.id} {process.name}", lifelines(model, process), tuple(items))


# --------------------------------------------------------------------------- communication


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    category: str
    focus: bool = False


@dataclass(frozen=True)
class Edge:
    """All the interfaces one sender sends one receiver over one transport."""

    sender: str
    receiver: str
    transport: str | None
    labels: tuple[str, ...]  # one per interface (or per process step), with names
    interfaces: tuple[str, ...]
    short: tuple[str, ...] = ()  # the same without names ("IF-021", "2. IF-021")


@dataclass(frozen=True)
class CommunicationView:
    id: str  # "market", a process id or a role id: the file name
    title: str
    kind: str  # "market" | "process" | "context"
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    grouped: bool = False  # nodes drawn in one box per role category
    key: tuple[tuple[str, str], ...] = ()  # (interface id, name) when edges show ids only

    @property
    def transports(self) -> list[str]:
        return sorted({e.transport or "" for e in self.edges})

    @property
    def interfaces(self) -> tuple[str, ...]:
        return tuple(sorted({i for e in self.edges for i in e.interfaces}))


def _node(model: Model, role_id: str, focus: bool = False) -> Node:
    role: Role | None = model.roles.get(role_id)
    return Node(role_id, role.name if role else role_id, role.category if role else "other", focus)


def _by_category(model: Model, role_ids: Iterable[str]) -> list[str]:
    def key(role_id: str) -> tuple:
        role = model.roles.get(role_id)
        return (category_order(role.category if role else "other"), role_id)

    return sorted(set(role_ids), key=key)


def _edges(entries: Iterable[tuple[str, str, str | None, str, str, str]]) -> tuple[Edge, ...]:
    """(sender, receiver, transport, label, short label, interface) rows -> one edge per
    (sender, receiver, transport), labels in first-seen order, each once."""
    grouped: dict[tuple, tuple[dict, dict, dict]] = {}
    for sender, receiver, transport, label, short, interface in entries:
        labels, shorts, interfaces = grouped.setdefault((sender, receiver, transport), ({}, {}, {}))
        labels[label] = None
        shorts[short] = None
        interfaces[interface] = None
    return tuple(
        Edge(s, r, t, tuple(labels), tuple(interfaces), tuple(shorts))
        for (s, r, t), (labels, shorts, interfaces) in grouped.items()
    )


def _key(model: Model, interface_ids: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((i, model.interfaces[i].name if i in model.interfaces else "") for i in dict.fromkeys(interface_ids))


def market_view(model: Model, interfaces: Iterable[Interface], title: str) -> CommunicationView:
    interfaces = sorted(interfaces, key=lambda i: (i.sender, i.id))
    roles = _by_category(model, [r for i in interfaces for r in (i.sender, *i.receivers) if r in model.roles])
    rows = sorted(
        (
            (i.sender, r, i.transport, i.id, i.id, i.id)
            for i in interfaces
            for r in i.receivers
            if i.sender in model.roles and r in model.roles
        ),
        key=lambda row: (row[0], row[1], row[2] or "", row[3]),
    )
    return CommunicationView(
        "market", title, "market", tuple(_node(model, r) for r in roles), _edges(rows), grouped=True
    )


def process_view(model: Model, process: Process) -> CommunicationView:
    nodes = tuple(Node(l.id, l.name, l.category) for l in lifelines(model, process))
    messages = sequence_view(model, process).messages()
    rows = [
        (
            m.sender,
            m.receiver,
            m.transport,
            f"{m.step}. {m.interface} {m.name}".rstrip(),
            f"{m.step}. {m.interface}",
            m.interface,
        )
        for m in messages
    ]
    return CommunicationView(
        process.id,
        f"{process.id} {process.name}",
        "process",
        nodes,
        _edges(rows),
        key=_key(model, (m.interface for m in messages)),
    )


def context_view(model: Model, role: Role, interfaces: Iterable[Interface]) -> CommunicationView:
    mine = sorted((i for i in interfaces if i.sender == role.id or role.id in i.receivers), key=lambda i: i.id)
    rows = []
    for interface in mine:
        label = f"{interface.id} {interface.name}"
        if interface.sender == role.id:
            rows += [
                (role.id, r, interface.transport, label, interface.id, interface.id)
                for r in interface.receivers
                if r in model.roles
            ]
        elif interface.sender in model.roles:
            rows.append((interface.sender, role.id, interface.transport, label, interface.id, interface.id))
    rows.sort(key=lambda row: (row[0] != role.id, row[0], row[1], row[2] or "", row[5]))
    partners = [r for row in rows for r in row[:2] if r != role.id]
    nodes = (_node(model, role.id, focus=True), *(_node(model, r) for r in _by_category(model, partners)))
    return CommunicationView(
        role.id,
        f"{role.id} {role.name}: interfaces in and out",
        "context",
        nodes,
        _edges(rows),
        key=_key(model, (i.id for i in mine)),
    )
