"""Interface sequence diagrams with PlantUML, one per process:
`diagrams/sequence/BPxxx.{puml,svg,png,mmd}`.

The view (`views.diagrams.sequence_view`) says what a diagram shows and the parts a
long process is drawn in (`paginate`): `BPxxx.png`, `BPxxx_001.png`, ... as PlantUML
names them, each part well within PlantUML's image limit (a PNG beyond it is cut
without a word); the documents embed every part. The PlantUML and Mermaid writers
turn the view into text; this renderer has PlantUML draw it (`plantuml_jvm.py`).

One job per diagram, so that each is cached on its own; those not reused are drawn
together, in one JVM that lays out each diagram once for its SVG and PNG and draws a
diagram per core at a time, or where mhhsarch's PlantUML driver cannot be had, in a
JVM per format, side by side.
"""

from __future__ import annotations

from functools import partial

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, RenderError
from mhhsarch.render.diagrams.common import SEQUENCE_DIR, missing_program, model_size
from mhhsarch.render.diagrams.plantuml_jvm import IMAGE_LIMIT, driver, run_plantuml
from mhhsarch.render.views.diagrams import SequenceView, paginate, part_stems, sequence_view
from mhhsarch.render.writers import mermaid
from mhhsarch.render.writers.plantuml import puml_source

KIND = "sequence-diagram"
FORMATS = ("svg", "png")
__all__ = ["IMAGE_LIMIT", "SequenceRenderer"]


class SequenceRenderer(Renderer):
    name = "sequence"
    title = "Interface sequence diagrams, one per process (PlantUML SVG, PNG; Mermaid)"
    phase = 0

    def available(self, ctx: RenderContext) -> str | None:
        return missing_program("plantuml", "plantuml")

    def plan(self, ctx: RenderContext) -> list[Job]:
        """`warnings` (after plan) names the diagrams drawn in parts."""
        self.warnings: list[str] = []
        views = [sequence_view(ctx.model, p) for p in ctx.processes]
        if not views:
            return []
        pages = {v.id: paginate(v) for v in views}
        sources = {v.id: puml_source(v, pages[v.id]) for v in views}
        counts = {v.id: len(pages[v.id]) for v in views}
        long = [p for p in ctx.processes if counts[p.id] > 1]
        if len(long) == 1:
            process = long[0]
            stems = part_stems(process.id, counts[process.id])
            self.warnings.append(
                f"the sequence diagram of {process.id} ({len(process.steps)} steps) is too long for one "
                f"picture: drawn in {len(stems)} parts, {SEQUENCE_DIR}/{stems[0]}.png to {stems[-1]}.png "
                "(and .svg)"
            )
        elif long:
            # one line for all of them: a model with many long processes is not many problems
            listed = ", ".join(f"{p.id} ({counts[p.id]})" for p in long)
            self.warnings.append(
                f"{len(long)} sequence diagrams are too long for one picture and are drawn in parts "
                f"({SEQUENCE_DIR}/ID.png, ID_001.png, ...; parts per process: {listed})"
            )

        def sources_of(view: SequenceView) -> tuple[str, ...]:
            return (view.id, *dict.fromkeys(m.interface for m in view.messages()))

        def artefacts(view: SequenceView, ext: str) -> list[Artefact]:
            stems = (view.id,) if ext in ("puml", "mmd") else part_stems(view.id, counts[view.id])
            return [Artefact(f"{SEQUENCE_DIR}/{stem}.{ext}", KIND, sources_of(view)) for stem in stems]

        out_dir = ctx.out / SEQUENCE_DIR
        size = model_size(ctx.model)

        def draw(members: list[Job]) -> list[Job]:
            """The diagrams not reused: with the driver, one JVM drawing both formats, a
            diagram per core at a time; without it, a JVM per format, side by side."""
            ids = [job.name.rsplit(" ", 1)[1] for job in members]
            chosen = {i: sources[i] for i in ids}
            runs: list[tuple[tuple[str, ...], int]]
            if driver() is not None:
                runs = [(FORMATS, max(1, ctx.options.jobs))]
            else:
                runs = [((fmt,), 1) for fmt in FORMATS]
            return [
                Job(
                    f"sequence diagrams ({', '.join(f.upper() for f in formats)}, {len(ids)})",
                    [a for job in members for a in job.artefacts if a.path.rsplit(".", 1)[1] in formats],
                    partial(run_plantuml, chosen, formats, out_dir, counts, size, threads),
                )
                for formats, threads in runs
            ]

        def write_texts(members: list[Job]) -> list[Job]:
            ids = [job.name.rsplit(" ", 1)[1] for job in members]

            def run() -> None:
                for view_id in ids:
                    ctx.write_text(f"{SEQUENCE_DIR}/{view_id}.puml", sources[view_id])
                    ctx.write_text(f"{SEQUENCE_DIR}/{view_id}.mmd", texts[view_id])

            return [
                Job(
                    f"sequence diagrams (PlantUML, Mermaid, {len(ids)})", [a for j in members for a in j.artefacts], run
                )
            ]

        texts = {v.id: mermaid.sequence(v) for v in views}
        jobs = []
        for view in views:
            jobs.append(
                Job(
                    f"sequence {view.id}",
                    artefacts(view, "svg") + artefacts(view, "png"),
                    _never_alone,
                    inputs=(FORMATS, sources[view.id], counts[view.id]),
                    batch=draw,
                )
            )
            jobs.append(
                Job(
                    f"sequence-text {view.id}",
                    artefacts(view, "puml") + artefacts(view, "mmd"),
                    _never_alone,
                    inputs=(sources[view.id], texts[view.id]),
                    batch=write_texts,
                )
            )
        return jobs


def _never_alone() -> None:
    raise RenderError("a batched diagram job was run on its own")
