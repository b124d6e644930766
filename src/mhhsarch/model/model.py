"""The model container: every entity by kind and id, plus the repository settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from mhhsarch.model import entities as e
from mhhsarch.model.kinds import KINDS, Reference

# The constituencies the programme reports its reviewers in.
DEFAULT_CONSTITUENCIES = (
    "Supplier \u2013 Large",
    "Supplier \u2013 Medium",
    "Supplier \u2013 Small",
    "Supplier \u2013 I&C",
    "Supplier Agent",
    "Supplier Agent \u2013 Independent",
    "Distributor \u2013 DNO",
    "Distributor \u2013 IDNO",
    "Central Systems Provider \u2013 Elexon",
    "Central Systems Provider \u2013 Smart DCC",
    "National Grid ESO",
    "Other \u2013 Code Body",
    "Other \u2013 IT Service Provider",
)


@dataclass(frozen=True)
class Config:
    """`mhhsarch.yaml` at the model root (all optional)."""

    name: str = "MHHS model"
    version: str | None = None
    baseline: str | None = None
    # the documents' classification (headers, footers, properties); the programme's
    # pack is published as public, whatever the data items it describes are classified
    classification: str = "public"
    rules: tuple[tuple[str, str], ...] = ()  # (code, "error"|"warning"|"info"|"off")
    # the reviewers' constituencies a comment may name (comment forms offer them as a drop-down)
    constituencies: tuple[str, ...] = DEFAULT_CONSTITUENCIES
    origin: e.Origin | None = field(default=None, compare=False, repr=False)

    def rule_level(self, code: str) -> str | None:
        for rule_code, level in self.rules:
            if rule_code == code:
                return level
        return None


class Model:
    """Entities by kind, each kind's dict sorted by id so iteration is deterministic."""

    def __init__(self, entities: dict[str, dict[object, e.Entity]], config: Config | None = None, root: str = "model"):
        self._by_kind = {
            kind: dict(sorted(entities.get(kind, {}).items(), key=lambda kv: _sort_key(kv[0]))) for kind in KINDS
        }
        self.config = config or Config()
        self.root = root
        # Ids declared in files even where the entity failed its schema: references
        # to them are not reported as dangling (the schema error says enough).
        self.declared: dict[str, set] = {kind: set(items) for kind, items in self._by_kind.items()}
        self._references: tuple[Reference, ...] | None = None

    # typed accessors used by rules and renderers
    @property
    def segments(self) -> dict[str, e.Segment]:
        return self._by_kind["segment"]  # type: ignore[return-value]

    @property
    def roles(self) -> dict[str, e.Role]:
        return self._by_kind["role"]  # type: ignore[return-value]

    @property
    def services(self) -> dict[str, e.Service]:
        return self._by_kind["service"]  # type: ignore[return-value]

    @property
    def capabilities(self) -> dict[str, e.Capability]:
        return self._by_kind["capability"]  # type: ignore[return-value]

    @property
    def processes(self) -> dict[str, e.Process]:
        return self._by_kind["process"]  # type: ignore[return-value]

    @property
    def interfaces(self) -> dict[str, e.Interface]:
        return self._by_kind["interface"]  # type: ignore[return-value]

    @property
    def data_items(self) -> dict[str, e.DataItem]:
        return self._by_kind["data_item"]  # type: ignore[return-value]

    @property
    def valid_sets(self) -> dict[str, e.ValidSet]:
        return self._by_kind["valid_set"]  # type: ignore[return-value]

    @property
    def entities(self) -> dict[str, e.LogicalEntity]:
        return self._by_kind["entity"]  # type: ignore[return-value]

    @property
    def principles(self) -> dict[str, e.Principle]:
        return self._by_kind["principle"]  # type: ignore[return-value]

    @property
    def tranches(self) -> dict[int, e.Tranche]:
        return self._by_kind["tranche"]  # type: ignore[return-value]

    @property
    def artefacts(self) -> dict[str, e.RegisteredArtefact]:
        """The documents of a tranche the model does not generate (BRS007, METH005)."""
        return self._by_kind["artefact"]  # type: ignore[return-value]

    @property
    def comments(self) -> dict[str, e.Comment]:
        return self._by_kind["comment"]  # type: ignore[return-value]

    def of_kind(self, kind: str) -> dict:
        return self._by_kind[kind]

    def get(self, kind: str, entity_id):
        return self._by_kind[kind].get(entity_id)

    def all_entities(self) -> Iterator[e.Entity]:
        for items in self._by_kind.values():
            yield from items.values()

    def references(self) -> tuple[Reference, ...]:
        """Every reference any entity makes, in a stable order (computed once: the
        model does not change after loading)."""
        if self._references is None:
            self._references = tuple(
                ref
                for kind in KINDS.values()
                for entity in self._by_kind[kind.name].values()
                for ref in kind.references(entity)
            )
        return self._references

    def exists(self, kind: str, entity_id) -> bool:
        return entity_id in self.declared[kind]

    def step_recipients(self, step: e.Step) -> tuple[str, ...]:
        """Where a step's message goes: its `to`, else every receiver of its interface
        (before `audience` narrows it)."""
        if not step.interface:
            return ()
        if step.to:
            return tuple(dict.fromkeys(step.to))
        interface = self.interfaces.get(step.interface)
        return interface.receivers if interface else ()

    def answered_step(self, process: e.Process, step: e.Step) -> e.Step | None:
        """The message a step answers: the nearest step before it (in the order the
        process lists them) whose message reaches the step's actor. Its actor is the
        originator an `audience: originator` step goes back to."""
        position = next((n for n, s in enumerate(process.steps) if s is step), 0)
        for candidate in reversed(process.steps[:position]):
            if step.actor in self.step_recipients(candidate):
                return candidate
        return None

    def role_name(self, role_id: str) -> str:
        role = self.roles.get(role_id)
        return role.name if role else role_id

    def count(self) -> dict[str, int]:
        return {kind: len(items) for kind, items in self._by_kind.items()}


def _sort_key(entity_id) -> tuple:
    # tranches are ints, everything else strings: keep the two apart
    return (0, entity_id, "") if isinstance(entity_id, int) else (1, 0, str(entity_id))
