"""Views of the diagrams: what each diagram shows and in which order, built from the
typed model and nothing else. Pure and deterministic, so the writers (DOT, PlantUML,
Mermaid) only decide how things look, and tests can check content without a layout.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from mhhsarch.model.entities import Interface, Process, Role, Step
from mhhsarch.model.model import Model
from mhhsarch.render.diagrams.common import SEQUENCE_DIR, category_heading, category_order, wrap

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
    audience: str = "all"  # the step's `audience`: said on the arrow unless it is "all"

    @property
    def label(self) -> str:
        if self.repeat:
            return f"{self.step}. {self.interface}"
        return f"{self.step}. {self.interface} {self.name}".rstrip() + audience_suffix(self.audience)


# How an arrow says who among its recipients gets the message (`audience` of a step).
AUDIENCE_ON_ARROWS = {"appointed": "to those appointed", "originator": "to the originator"}


def audience_suffix(audience: str) -> str:
    """' (to the originator)' after an arrow's label, or nothing for "all"."""
    return f" ({AUDIENCE_ON_ARROWS[audience]})" if audience in AUDIENCE_ON_ARROWS else ""


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
    return model.step_recipients(step)


def drawn_receivers(model: Model, process: Process, step: Step) -> tuple[str, ...]:
    """The lifelines a step's arrows go to: its recipients, or for a step back to the
    originator only the sender of the message it answers (when that is a recipient)."""
    receivers = step_receivers(model, step)
    if step.audience == "originator":
        answered = model.answered_step(process, step)
        if answered is not None and answered.actor in receivers:
            return (answered.actor,)
    return receivers


def _step_items(model: Model, process: Process, step: Step) -> list[Item]:
    receivers = drawn_receivers(model, process, step)
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
            step.audience,
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
                Branch(cond, tuple(i for s in steps for i in _step_items(model, process, s))) for cond, steps in pending
            )
            items.append(Fragment("alt" if len(branches) > 1 else "opt", branches))
            pending.clear()

    for condition, steps in runs:
        if condition is None:
            close()
            items.extend(i for s in steps for i in _step_items(model, process, s))
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
    """Every in-scope interface as edges from each of its senders to each receiver."""
    interfaces = sorted(interfaces, key=lambda i: i.id)
    roles = _by_category(model, [r for i in interfaces for r in (*i.senders, *i.receivers) if r in model.roles])
    rows = sorted(
        (
            (s, r, i.transport, i.id, i.id, i.id)
            for i in interfaces
            for s in i.senders
            for r in i.receivers
            if s in model.roles and r in model.roles
        ),
        key=lambda row: (row[0], row[1], row[2] or "", row[3]),
    )
    return CommunicationView(
        "market", title, "market", tuple(_node(model, r) for r in roles), _edges(rows), grouped=True
    )


# Past this many roles (or sender-receiver edges) one flat market-wide picture is neither
# legible nor quick to lay out (measured: 180 roles and 1,900 edges took dot over a minute,
# and the picture is a thicket). The market diagram then shows the role categories, one
# box each, with the interfaces between them counted; and each category gets drill-down
# diagrams of its own roles (at most MARKET_PART_ROLES a picture), every role outside the
# picture folded into its category's box.
MARKET_FLAT_ROLES = 60
MARKET_FLAT_EDGES = 400
MARKET_PART_ROLES = 12


def market_views(model: Model, interfaces: Iterable[Interface], title: str) -> list[CommunicationView]:
    """The market-wide diagram(s): the flat market view while the market is small, else
    the categories' view and the drill-downs (`market-<category>`, or `market-<category>-N`
    when a category has more roles than one picture holds)."""
    interfaces = list(interfaces)
    flat = market_view(model, interfaces, title)
    if len(flat.nodes) <= MARKET_FLAT_ROLES and len(flat.edges) <= MARKET_FLAT_EDGES:
        return [flat]
    category = {r.id: r.category for r in model.roles.values()}
    categories = sorted({category[n.id] for n in flat.nodes}, key=category_order)
    counts = {c: sum(1 for n in flat.nodes if category[n.id] == c) for c in categories}
    pairs = [
        (s, r, i)
        for i in sorted(interfaces, key=lambda i: i.id)
        for s in i.senders
        for r in i.receivers
        if s in category and r in category
    ]

    def box(c: str, drawn: int = 0) -> Node:
        """A category as one box; `drawn`: how many of its roles the picture shows apart."""
        if drawn:
            return Node(c, f"{category_heading(c)}: the other {counts[c] - drawn} roles", c)
        return Node(c, f"{category_heading(c)}: {counts[c]} roles", c)

    views = [
        CommunicationView(
            "market",
            f"{title}: {len(flat.nodes)} roles in {len(categories)} categories, the interfaces between them "
            "counted (each category drawn in market-CATEGORY)",
            "market",
            tuple(box(c) for c in categories),
            _counted((category[s], category[r], i) for s, r, i in pairs),
            grouped=True,
        )
    ]
    for c in categories:
        members = [n for n in flat.nodes if category[n.id] == c]
        chunks = [members[k : k + MARKET_PART_ROLES] for k in range(0, len(members), MARKET_PART_ROLES)]
        for number, chunk in enumerate(chunks, start=1):
            inside = {n.id for n in chunk}

            def end(role: str, inside=inside) -> str:
                return role if role in inside else category[role]

            rows = [(end(s), end(r), i) for s, r, i in pairs if s in inside or r in inside]
            others = sorted({x for row in rows for x in row[:2] if x not in inside}, key=category_order)
            part = f" part {number} of {len(chunks)}," if len(chunks) > 1 else ""
            views.append(
                CommunicationView(
                    f"market-{c}" + (f"-{number}" if len(chunks) > 1 else ""),
                    f"{title}: {category_heading(c)} ({len(members)} roles,{part} the others as one box a category)",
                    "market",
                    (*chunk, *(box(o, len(chunk) if o == c else 0) for o in others)),
                    _counted(rows),
                    grouped=True,
                )
            )
    return views


def _counted(rows: Iterable[tuple[str, str, Interface]]) -> tuple[Edge, ...]:
    """(sender, receiver, interface) -> one edge per (sender, receiver), labelled with how
    many interfaces it stands for and over which transports; drawn in the transport's
    style when they all use one."""
    grouped: dict[tuple[str, str], dict[str, str | None]] = {}
    for sender, receiver, interface in rows:
        grouped.setdefault((sender, receiver), {})[interface.id] = interface.transport
    edges = []
    for (s, r), found in grouped.items():
        transports = sorted({t or "" for t in found.values()})
        by = ", ".join(f"{sum(1 for t in found.values() if (t or '') == x)} {x or 'other'}" for x in transports)
        label = f"{len(found)} interface{'s' if len(found) != 1 else ''}" + (f" ({by})" if len(transports) > 1 else "")
        transport = transports[0] or None if len(transports) == 1 else "mixed"
        edges.append(Edge(s, r, transport, (label,), tuple(found), (label,)))
    return tuple(edges)


def process_view(model: Model, process: Process) -> CommunicationView:
    nodes = tuple(Node(l.id, l.name, l.category) for l in lifelines(model, process))
    messages = sequence_view(model, process).messages()
    rows = [
        (
            m.sender,
            m.receiver,
            m.transport,
            f"{m.step}. {m.interface} {m.name}".rstrip() + audience_suffix(m.audience),
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
    """The role's interfaces: out to every receiver of those it sends, in from every
    other sender of those it receives."""
    mine = sorted((i for i in interfaces if role.id in i.senders or role.id in i.receivers), key=lambda i: i.id)
    rows = []
    for interface in mine:
        label = f"{interface.id} {interface.name}"
        if role.id in interface.senders:
            rows += [
                (role.id, r, interface.transport, label, interface.id, interface.id)
                for r in interface.receivers
                if r in model.roles
            ]
        if role.id in interface.receivers:
            rows += [
                (s, role.id, interface.transport, label, interface.id, interface.id)
                for s in interface.senders
                if s in model.roles and s != role.id  # the role's own sends are drawn above
            ]
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


# --------------------------------------------------------------------------- long processes in parts
# A long sequence diagram is drawn in parts: which items go on which part is decided here,
# from an estimate of the height PlantUML draws, so that the diagram writer and the
# documents that embed the parts agree on them.

# Wrapping (characters a line, lines): message labels, notes, fragment conditions,
# participant names. Narrow on purpose: a sequence diagram must print on an A4 page
# with no text below 7 points, so its width in font sizes is what counts. With these
# widths (and the writer's condensed font and small paddings) the shipped model's
# widest diagram, 13 participants, is about 1,200 px of 12 px text: at 7 points it is
# 25 cm wide, within an A4 landscape page.
MESSAGE_WIDTH, MESSAGE_LINES = 24, 6
NOTE_WIDTH, NOTE_LINES = 20, 9
PARTICIPANT_WIDTH, PARTICIPANT_LINES = 12, 4


CONDITION_WIDTH, CONDITION_LINES = 44, 3


# The height (px) a part of a long diagram may reach by estimate: a part is drawn to
# fit an A4 landscape page with its headings and caption at 7 points (12 px text at
# 7 pt: 0.58 pt a pixel; the page keeps 366 pt for the picture: 627 px). A long process
# is drawn in parts of a page each rather than in one picture that no page can hold
# legibly. The estimate errs on the tall side: HEADS is the most the part's title, the
# transport legend, the participants' boxes (four lines of name) and the foot took in
# the shipped model's 42 parts (PlantUML 1.2020, DejaVu Sans Condensed 12), and the
# rows' estimate is within a few per cent of what PlantUML draws.
PART_HEIGHT = 600


TEXT_LINE, ARROW, NOTE, FRAGMENT_HEAD, FRAGMENT_FOOT, HEADS = 14, 16, 19, 18, 12, 220


@dataclass(frozen=True)
class _Row:
    """One message or note, with the fragment branch it is drawn in (if any)."""

    item: Message | Note
    fragment: int | None = None  # index of the fragment among the diagram's items
    kind: str = ""
    branch: int = 0
    condition: str = ""
    opens_branch: bool = False  # the branch's first item


def _rows(items: tuple[Item, ...]) -> list[_Row]:
    rows = []
    for index, item in enumerate(items):
        if isinstance(item, Fragment):
            for number, branch in enumerate(item.branches):
                for position, inner in enumerate(branch.items):
                    assert not isinstance(inner, Fragment), "sequence_view does not nest fragments"
                    rows.append(_Row(inner, index, item.kind, number, branch.condition, position == 0))
        else:
            rows.append(_Row(item))
    return rows


def _height(row: _Row, previous: _Row | None) -> int:
    """The estimated height of `row` drawn after `previous` on the same part."""
    item = row.item
    if isinstance(item, Message):
        height = ARROW + TEXT_LINE * len(wrap(item.label, MESSAGE_WIDTH, MESSAGE_LINES))
    else:
        height = NOTE + TEXT_LINE * len(wrap(item.label, NOTE_WIDTH, NOTE_LINES))
    if row.fragment is not None:
        if previous is None or (previous.fragment, previous.branch) != (row.fragment, row.branch):
            height += FRAGMENT_HEAD + TEXT_LINE * len(wrap(row.condition, CONDITION_WIDTH, CONDITION_LINES))
        if previous is None or previous.fragment != row.fragment:
            height += FRAGMENT_FOOT
    return height


def _unit_height(rows: list[_Row], previous: _Row | None) -> int:
    total = 0
    for row in rows:
        total += _height(row, previous)
        previous = row
    return total


def _items_of(rows: list[_Row]) -> tuple[Item, ...]:
    """The rows of one part as items again; a fragment split between parts is drawn on
    each with its condition, marked "(continued)" where a branch goes on from a part before."""
    items: list[Item] = []
    index = 0
    while index < len(rows):
        row = rows[index]
        if row.fragment is None:
            items.append(row.item)
            index += 1
            continue
        branches = []
        while index < len(rows) and rows[index].fragment == row.fragment:
            first = rows[index]
            inner = []
            while index < len(rows) and (rows[index].fragment, rows[index].branch) == (first.fragment, first.branch):
                inner.append(rows[index].item)
                index += 1
            condition = first.condition if first.opens_branch else f"{first.condition} (continued)"
            branches.append(Branch(condition, tuple(inner)))
        items.append(Fragment(row.kind, tuple(branches)))
    return tuple(items)


def paginate(view: SequenceView, part_height: int = PART_HEIGHT) -> tuple[SequenceView, ...]:
    """`view` as the parts it is drawn in: itself when it fits in one, else parts of
    consecutive items, each within `part_height` by estimate, titled "(part k of n)"."""
    # one step's arrows to several receivers stay on one part (the later ones are
    # labelled without the interface's name)
    units: list[list[_Row]] = []
    for row in _rows(view.items):
        if units and isinstance(row.item, Message) and row.item.repeat:
            units[-1].append(row)
        else:
            units.append([row])
    pages: list[list[_Row]] = [[]]
    used = HEADS
    for unit in units:
        height = _unit_height(unit, pages[-1][-1] if pages[-1] else None)
        if pages[-1] and used + height > part_height:
            pages.append([])
            used = HEADS
            height = _unit_height(unit, None)
        pages[-1].extend(unit)
        used += height
    if len(pages) == 1:
        return (view,)
    return tuple(
        SequenceView(view.id, f"{view.title} (part {n} of {len(pages)})", view.lifelines, _items_of(rows))
        for n, rows in enumerate(pages, 1)
    )


def part_stems(process_id: str, count: int) -> list[str]:
    """The file names (without extension) PlantUML gives the parts: BP001, BP001_001, ..."""
    return [process_id] + [f"{process_id}_{n:03d}" for n in range(1, count)]


_PARTS: weakref.WeakKeyDictionary[Model, dict[str, list[tuple[str, SequenceView]]]] = weakref.WeakKeyDictionary()


def parts(model: Model, process: Process) -> list[tuple[str, SequenceView]]:
    """(PNG path below the output folder, what it shows) for each part of the process's
    sequence diagram, as the renderer writes them (for the documents that embed them).
    Remembered per model (a model does not change once loaded): every interface a
    process sends asks for the same parts, and paginating is the costly part of the
    interface views."""
    known = _PARTS.setdefault(model, {})
    key = str(process.id)
    if key not in known or model.processes.get(process.id) is not process:
        pages = paginate(sequence_view(model, process))
        found = [(f"{SEQUENCE_DIR}/{stem}.png", page) for stem, page in zip(part_stems(process.id, len(pages)), pages)]
        if model.processes.get(process.id) is not process:
            return found  # not the model's own process (a test's): not remembered
        known[key] = found
    return list(known[key])
