"""What every renderer shares: the artefact record, the render context and the Renderer base.

A renderer turns the model into files. It never reads YAML: it gets the `Model`
and the `ModelGraph` through the context. It works in two steps:

    plan(ctx)  -> list[Job]   pure: which files will exist and what they come from
    job.run()                 writes those files below ctx.out

Jobs of one phase run in parallel (`--jobs`); phases run in order, so documents
(phase 1) can embed the diagrams (phase 0) and PDFs (phase 2) convert documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from mhhsarch.render.templates import BUNDLED, find_template

if TYPE_CHECKING:
    from mhhsarch.graph import ModelGraph
    from mhhsarch.model.model import Model

T = TypeVar("T")


class RenderError(Exception):
    """A render that cannot complete (a tool failed or is missing, a template is unusable);
    the message says why, in one line."""


@dataclass(frozen=True)
class Artefact:
    """One output file: its path below the output folder, its kind, and the ids of the
    entities it documents or was made from (for the manifest and change impact)."""

    path: str  # POSIX, relative to the output folder, e.g. "diagrams/sequence/BP001.svg"
    kind: str  # e.g. "sequence-diagram", "interface-spec"
    sources: tuple[str, ...] = ()


@dataclass
class Job:
    """A unit of parallel work that writes one or more artefacts.

    Incremental render (`render/cache.py`): `inputs` is what the job's files are a pure
    function of (the view it writes, a diagram's source text ...); it is pickled into the
    job's cache key with the templates it names, the run's options and the tool's version,
    and an unchanged key reuses the files of an earlier render. None (the default): the
    job is always run, so a renderer that does not declare its inputs stays correct.

    `batch`: jobs with the same batch function that are not reused are handed to it
    together, and it returns the jobs that draw them (one JVM or one `dot` call for all
    the diagrams that changed, rather than one per diagram); each original job's files
    are still cached under its own key.
    """

    name: str
    artefacts: list[Artefact]
    run: Callable[[], None]
    inputs: object = None
    templates: tuple[str, ...] = ()  # template names; one ending in "/" means every file below it
    batch: Callable[[list[Job]], list[Job]] | None = None


@dataclass(frozen=True)
class RenderOptions:
    tranche: int | None = None
    only: frozenset[str] | None = None  # renderer names; None = all
    jobs: int = 1
    pdf: bool = False
    template_dir: Path | None = None  # --template: a run's own templates
    # where templates are looked up, first match wins (render/templates.py)
    template_folders: tuple[Path, ...] = ()
    source_date_epoch: int = 0  # the one timestamp any artefact may carry
    # --select: the processes and interfaces to publish, as (kind, id); None = all in scope
    selected: frozenset[tuple[str, object]] | None = None
    # --baseline: the model at the baseline revision (its name, the model and its graph),
    # for the red-lined documents and the release note
    baseline: Baseline | None = field(default=None, compare=False)
    # entity id -> its version history from git (change/history.py), newest first
    history: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True, eq=False)
class Baseline:
    revision: str
    model: Model
    graph: ModelGraph
    committed_at: int | None = None  # the baseline commit's time (None: a folder)


@dataclass
class RenderContext:
    model: Model
    graph: ModelGraph
    out: Path  # the (temporary) output root being written
    options: RenderOptions = field(default_factory=RenderOptions)

    def memo(self, key: tuple, build: Callable[[], T]) -> T:
        """`build()` once per run for `key` (views several renderers write: the interface
        specification view is in the documents, the Markdown, the views and the site)."""
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = build()
        return memo[key]

    def target(self, rel: str) -> Path:
        """The absolute path for an artefact's relative path, with its folder created."""
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write_text(self, rel: str, text: str) -> None:
        with open(self.target(rel), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)

    def write_bytes(self, rel: str, data: bytes) -> None:
        with open(self.target(rel), "wb") as handle:
            handle.write(data)

    # --- what is in scope (honours --tranche) --------------------------------
    def history(self, entity_id, until: int | None = None) -> tuple:
        """The entity's version history from git (empty outside git), as it was at `until`."""
        from mhhsarch.change.history import revisions

        return revisions(self.options.history.get(str(entity_id), ()), until)

    def in_scope(self, entity) -> bool:
        tranche, selected = self.options.tranche, self.options.selected
        if tranche is not None and getattr(entity, "tranche", None) != tranche:
            return False
        return selected is None or (entity.kind, entity.id) in selected

    @property
    def processes(self):
        return [p for p in self.model.processes.values() if self.in_scope(p)]

    @property
    def interfaces(self):
        return [i for i in self.model.interfaces.values() if self.in_scope(i) and i.status != "withdrawn"]

    @property
    def roles(self):
        """Roles that send or receive an in-scope interface."""
        wanted = set()
        for interface in self.interfaces:
            wanted.update(interface.senders)
            wanted.update(interface.receivers)
        return [r for r in self.model.roles.values() if r.id in wanted]

    def template(self, name: str) -> Path:
        """A template file: --template first, then the repository's templates/, then the bundled one."""
        return find_template(name, self.options.template_folders or (BUNDLED,))


class Renderer:
    """Subclass, set `name`, `phase`, `title`, and implement `plan`. Register the class in
    `render/registry.py`."""

    name: ClassVar[str]
    title: ClassVar[str]
    phase: ClassVar[int] = 0
    # Renderers whose files this one reads from the output (documents embed diagrams):
    # `--only` pulls them in too.
    requires: ClassVar[tuple[str, ...]] = ()
    # Whether `plan` reads what earlier phases wrote (the PDF batch converts the documents
    # it finds): such a plan waits for them. Any other plan is made while the earlier
    # phase's jobs run (publish.py).
    plan_reads_outputs: ClassVar[bool] = False

    def available(self, ctx: RenderContext) -> str | None:
        """None when the renderer can run here, else what is missing (checked before rendering)."""
        return None

    def plan(self, ctx: RenderContext) -> list[Job]:
        raise NotImplementedError


def run_together(title: str, parts: int = 4, at_least: int = 100) -> Callable[[list[Job]], list[Job]]:
    """A `Job.batch` function for many small jobs (a file each, cached each on its own):
    those not reused run one after the other in a few jobs, up to `parts` of at least
    `at_least` members each (one long job would keep a core busy while the other
    idles at the end of a phase; many would cost a worker's start-up state each)."""

    def batch(members: list[Job]) -> list[Job]:
        count = max(1, min(parts, len(members) // at_least))
        size = -(-len(members) // count)
        jobs = []
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            runs = [member.run for member in chunk]

            def run(runs=runs) -> None:
                for each in runs:
                    each()

            label = f"{title} ({len(chunk)})" if count == 1 else f"{title} ({start // size + 1}/{count}, {len(chunk)})"
            jobs.append(Job(label, [a for m in chunk for a in m.artefacts], run))
        return jobs

    return batch
