"""The in-memory model: one frozen type per kind of DESIGN section 1.

Entities hold ids, never other entities: a reference is resolved through the
`Model` (and the graph), so every entity can be built independently of file
order. `origin` leads back to the YAML node the entity came from, for diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from mhhsarch.diagnostics.core import SourceSpan

CLASSIFICATION_ORDER = ("public", "internal", "confidential", "restricted")


class SourceFile(Protocol):
    """What the model needs of the file an entity came from (the YAML reader's `YamlFile`
    is one): its path as diagnostics show it, the span of a node by its path, and the
    text of an unquoted value as written (for a hint to quote it)."""

    path: str

    def span(self, path: tuple = (), *, key: bool = False) -> SourceSpan: ...

    def plain_text(self, path: tuple) -> str | None: ...


@dataclass(frozen=True, eq=False)
class Origin:
    """Where an entity (or a part of it) was written: a file and the path of its node."""

    file: SourceFile
    path: tuple

    @property
    def file_path(self) -> str:
        return self.file.path

    def span(self, *subpath, key: bool = False) -> SourceSpan:
        return self.file.span(self.path + subpath, key=key)

    def child(self, *subpath) -> Origin:
        return Origin(self.file, self.path + subpath)


NOWHERE = None  # origin of entities built in memory (tests, synthetic models)


@dataclass(frozen=True, kw_only=True)
class Entity:
    id: str
    name: str
    description: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    owner_team: str | None = None
    extras: tuple[tuple[str, Any], ...] = ()  # the `x-` fields, in file order
    origin: Origin | None = field(default=None, compare=False, repr=False)

    kind = "entity"

    def extra(self, key: str, default=None):
        for name, value in self.extras:
            if name == key:
                return value
        return default

    @property
    def assumed(self) -> bool:
        return self.extra("x-source") == "assumed"

    def span(self, *subpath, key: bool = False) -> SourceSpan:
        if self.origin is None:
            return SourceSpan("<memory>", 1, 1)
        return self.origin.span(*subpath, key=key)

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}"


@dataclass(frozen=True, kw_only=True)
class Segment(Entity):
    kind = "segment"


@dataclass(frozen=True, kw_only=True)
class Role(Entity):
    category: str
    segments: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    kind = "role"


@dataclass(frozen=True, kw_only=True)
class Service(Entity):
    segments: tuple[str, ...] = ()
    kind = "service"


@dataclass(frozen=True, kw_only=True)
class Capability(Entity):
    roles: tuple[str, ...] = ()
    parent: str | None = None
    kind = "capability"


@dataclass(frozen=True, kw_only=True)
class Step:
    id: int
    name: str
    actor: str
    interface: str | None = None
    to: tuple[str, ...] = ()  # as written; empty means "all the interface's receivers"
    audience: str = "all"  # who of those recipients gets it: "all", "appointed" or "originator"
    condition: str | None = None
    next: tuple[int, ...] = ()
    description: str | None = None
    extras: tuple[tuple[str, Any], ...] = ()
    origin: Origin | None = field(default=None, compare=False, repr=False)

    def span(self, *subpath, key: bool = False) -> SourceSpan:
        if self.origin is None:
            return SourceSpan("<memory>", 1, 1)
        return self.origin.span(*subpath, key=key)


@dataclass(frozen=True, kw_only=True)
class Process(Entity):
    participants: tuple[str, ...]
    steps: tuple[Step, ...]
    level: int = 0
    tranche: int | None = None
    status: str | None = None
    capabilities: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    principles: tuple[str, ...] = ()
    kind = "process"

    @property
    def interface_ids(self) -> tuple[str, ...]:
        """Interfaces the process sends, in step order, each once."""
        return tuple(dict.fromkeys(s.interface for s in self.steps if s.interface))


@dataclass(frozen=True, kw_only=True)
class DataItemUse:
    ref: str
    mandatory: bool = True  # always present (False for optional and for conditional items)
    condition: str | None = None  # set for a conditional item: when it is present
    repeats: str = "1"  # an exact count ("1", "48") or a range ("0..1", "1..*", "46..50")
    group: str | None = None
    description: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def obligation(self) -> str:
        """How the specifications print it: M (mandatory), O (optional) or C (conditional)."""
        if self.condition is not None:
            return "C"
        return "M" if self.mandatory else "O"

    @property
    def bounds(self) -> tuple[int, int | None] | None:
        """(least, most) occurrences, most None for "*"; None when `repeats` is not a count or range."""
        least, sep, most = self.repeats.partition("..")
        if not least.isdigit() or not (most.isdigit() or most == "*" or not sep):
            return None
        if not sep:
            return int(least), int(least)
        return int(least), None if most == "*" else int(most)

    def span(self, *subpath, key: bool = False) -> SourceSpan:
        if self.origin is None:
            return SourceSpan("<memory>", 1, 1)
        return self.origin.span(*subpath, key=key)


@dataclass(frozen=True)
class Volumetrics:
    messages_per_day: int | None = None
    peak_per_hour: int | None = None
    payload_typical: int | None = None
    payload_max: int | None = None
    assumed: bool = False  # `x-source: assumed` on the volumetrics: the design team's estimate


@dataclass(frozen=True)
class DtcGroup:
    """A group of a DTC flow: its id (01A), name, level in the hierarchy and occurrences."""

    id: str
    name: str
    level: int = 1
    repeats: str = "1"
    description: str | None = None


@dataclass(frozen=True)
class DtcFlow:
    """The legacy Data Transfer Catalogue flow an interface on the DTN is."""

    ref: str
    version: str
    groups: tuple[DtcGroup, ...]


@dataclass(frozen=True, kw_only=True)
class Interface(Entity):
    senders: tuple[str, ...]  # every role that sends it (at least one), in the order written
    receivers: tuple[str, ...]
    transport: str
    data_items: tuple[DataItemUse, ...]
    version: str | None = None
    status: str | None = None
    tranche: int | None = None
    pattern: str | None = None
    trigger: str | None = None
    frequency: str | None = None
    volumetrics: Volumetrics = Volumetrics()
    classification: str | None = None
    personal_data: bool | None = None
    principles: tuple[str, ...] = ()
    dtc_flow: DtcFlow | None = None  # for a DTC flow kept on the DTN
    kind = "interface"


@dataclass(frozen=True, kw_only=True)
class DataItem(Entity):
    type: str
    length: int | None = None
    precision: int | None = None  # decimals: significant digits
    scale: int | None = None  # decimals: digits after the point
    format: str | None = None
    time_zone: str | None = None  # datetimes and times: "utc" (the default) or "uk-local"
    valid_set: str | None = None
    unit: str | None = None
    owner: str | None = None
    classification: str | None = None
    personal_data: bool | None = None
    entity: str | None = None
    dtc_ref: str | None = None
    block: str = "custom"  # of a DIP message: "common" (the CommonBlock header) or "custom" (the payload)
    populated_by: str = "sender"  # "sender" (in the IF submitted) or "dip" (in the PUB delivered)
    kind = "data_item"

    @property
    def in_header(self) -> bool:
        """Whether the item belongs to the DIP CommonBlock header (on a DIP interface)."""
        return self.block == "common"


@dataclass(frozen=True)
class ValidValue:
    code: str
    meaning: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class ValidSet(Entity):
    values: tuple[ValidValue, ...]
    kind = "valid_set"


@dataclass(frozen=True)
class Relationship:
    to: str
    cardinality: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class LogicalEntity(Entity):
    relationships: tuple[Relationship, ...] = ()
    kind = "entity"


@dataclass(frozen=True, kw_only=True)
class Principle(Entity):
    """`name` holds the principle's title (DESIGN calls the field `title`)."""

    text: str | None = None
    scope: str | None = None
    kind = "principle"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class Review:
    """One industry review round of a tranche: its comment window and what it reviewed
    (no artefacts listed: every artefact of the tranche)."""

    round: int
    start: str
    end: str | None = None
    artefacts: tuple[str, ...] = ()

    def covers(self, artefact_id: str) -> bool:
        return not self.artefacts or artefact_id in self.artefacts


@dataclass(frozen=True, kw_only=True)
class Tranche(Entity):
    id: int  # type: ignore[assignment]
    reviews: tuple[Review, ...] = ()  # in round order (`review_start`/`review_end` in a file are round 1)
    approval: str | None = None
    kind = "tranche"


@dataclass(frozen=True, kw_only=True)
class RegisteredArtefact(Entity):
    """A document of a tranche that the model does not generate (a business requirements
    specification such as BRS007, a method statement such as METH005): registered so that
    review rounds, comments and the tracker cover the whole tranche. `name` holds its title."""

    artefact_kind: str = "other"  # `kind` in the file (the class attribute `kind` is the entity kind)
    tranche: int | None = None
    owner: str | None = None
    status: str | None = None
    version: str | None = None
    link: str | None = None
    sections: tuple[Section, ...] = ()  # the anchors a comment on it may name
    kind = "artefact"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class CommentSource:
    """Where an imported comment came from: the returned file, and the row of a form
    (sheet, row) or the id of a Word comment; `digest` is the hash of what it said, so a
    second import of the same file adds nothing."""

    file: str
    sheet: str | None = None
    row: int | None = None
    comment_id: str | None = None
    reviewer: str | None = None
    digest: str | None = None


@dataclass(frozen=True, kw_only=True)
class Comment(Entity):
    """`name` is derived (comments have no name field in the files)."""

    artefact: str
    constituency: str
    status: str
    anchor: str | None = None  # review/anchors.py: "step:3", "DI-0012", "VS-X:CODE", "section:security"
    round: int | None = None
    organisation: str | None = None
    text: str | None = None
    proposed_change: str | None = None
    response: str | None = None
    resolved_in: str | None = None  # the artefact version that answers it
    source: CommentSource | None = None
    kind = "comment"

    @property
    def resolved(self) -> bool:
        return self.status in ("accepted", "rejected")
