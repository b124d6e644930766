"""Communication diagrams with Graphviz: who sends which interfaces to whom.

    diagrams/communication/market.{svg,mmd}       every in-scope interface, roles boxed by category
    diagrams/communication/BPxxx.{svg,png,mmd}    one process: its participants, its steps' interfaces
    diagrams/context/ROLE.{svg,mmd}               one role: its partners, interfaces in and out

One edge per sender -> receiver -> transport, labelled with what it carries; the
transport sets the line (DIP solid blue, DTN dashed orange, API dotted green, file
bold grey) and a legend explains it. All model text reaches DOT as HTML-like labels
with every markup character escaped, so names cannot break the syntax or the SVG.
A few `dot` calls draw all the diagrams, two per batch (SVG, then opaque PNG of those drawn as PNG too);
`writers/dot.py` writes the DOT text and `writers/mermaid.py` the Mermaid text of each view.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import partial
from pathlib import Path
from typing import NamedTuple

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, RenderError
from mhhsarch.render.diagrams.common import (
    COMMUNICATION_DIR,
    CONTEXT_DIR,
    clean,
    missing_program,
    model_size,
    run_batch,
    tidy_png,
)
from mhhsarch.render.views.diagrams import CommunicationView, context_view, market_views, process_view
from mhhsarch.render.writers import mermaid
from mhhsarch.render.writers.dot import dot_source, png_source

KIND = "communication-diagram"
BATCHES = 3
_BATCH_PAGE_ID = re.compile(r'id="page\d+,\d+_graph')
CONTEXT_KIND = "context-diagram"


class Drawing(NamedTuple):
    """A diagram to draw: where, its view, its DOT text and its Mermaid text; a PNG too
    or not (`formats`)."""

    folder: str
    view: CommunicationView
    dot: str
    mermaid: str

    @property
    def png(self) -> bool:
        return "png" in formats(self.view)


def formats(view: CommunicationView) -> tuple[str, ...]:
    """The files drawn of a view: the process diagrams, which the documents embed (the
    PNG is the picture Word shows where it cannot read the SVG), as SVG and PNG; the
    market and context diagrams, which nothing embeds, as SVG only, the picture for
    screens (a PNG of them took three quarters of `dot`'s time); all as Mermaid too."""
    return ("svg", "png", "mmd") if view.kind == "process" else ("svg", "mmd")


def write_diagrams(ctx: RenderContext, batch: list[Drawing], size: str = "") -> None:
    """Draw a batch of diagrams (their DOT and Mermaid text made by `plan`) in two `dot`
    calls, `dot -Tsvg -O a.gv b.gv ...` and then `dot -Tpng -O` on the same graphs with
    the pad that makes each PNG opaque (`writers.dot.png_source`, read from its SVG), so
    the program and its fonts start twice per batch, not once per diagram; then move
    each picture into place and write the Mermaid text. Laying a graph out twice costs less than the alpha channel the
    PNG would have otherwise. The time limit is per diagram (`common.run_batch`)."""
    with tempfile.TemporaryDirectory(prefix=".dot-", dir=ctx.out) as tmp:
        svg_dir, png_dir = Path(tmp) / "svg", Path(tmp) / "png"
        svg_dir.mkdir()
        png_dir.mkdir()
        labels = [f"{d.folder}/{d.view.id}" for d in batch]
        names = ", ".join(labels[:3]) + (", ..." if len(batch) > 3 else "")
        files = [f"{index:04d}.gv" for index in range(len(batch))]
        for file, drawing in zip(files, batch):
            (svg_dir / file).write_text(drawing.dot, encoding="utf-8")
        run_batch(
            ["dot", "-Tsvg", "-O", *files],
            f"diagrams {names}",
            [(label, [svg_dir / f"{file}.svg"]) for label, file in zip(labels, files)],
            size,
            cwd=str(svg_dir),
        )
        svgs = []
        for file, drawing in zip(files, batch):
            svg = (svg_dir / f"{file}.svg").read_text(encoding="utf-8")
            # dot names the graph after its place in the batch ("page0,3_graph0"): the
            # file must not depend on which other diagrams were drawn in the same call
            svgs.append(_BATCH_PAGE_ID.sub('id="graph', svg, count=1))
            if drawing.png:
                (png_dir / file).write_text(png_source(drawing.dot, svg), encoding="utf-8")
        pngs = [(label, file) for label, file, drawing in zip(labels, files, batch) if drawing.png]
        if pngs:
            run_batch(
                ["dot", "-Tpng", "-O", *(file for _, file in pngs)],
                f"diagrams {names}",
                [(label, [png_dir / f"{file}.png"]) for label, file in pngs],
                size,
                cwd=str(png_dir),
            )
        for file, svg, label, drawing in zip(files, svgs, labels, batch):
            ctx.write_text(f"{label}.svg", svg)
            if drawing.png:
                os.replace(png_dir / f"{file}.png", ctx.target(f"{label}.png"))
                tidy_png(ctx.out / f"{label}.png")
            ctx.write_text(f"{label}.mmd", drawing.mermaid)


def batches(views: list, count: int) -> list[list]:
    """`views` dealt into at most `count` batches of about equal work (nodes plus label
    lines, and many times that for a view drawn as PNG too: at scale 10 `dot` takes
    about 16 times as long for SVG and PNG as for SVG alone), largest first; each batch
    keeps the views' order."""

    def weight(item) -> int:
        view = item[2]
        return (len(view.nodes) + sum(len(e.labels) + 1 for e in view.edges)) * (16 if "png" in formats(view) else 1)

    weights = [0] * min(count, len(views))
    groups: list[list] = [[] for _ in weights]
    for item in sorted(views, key=weight, reverse=True):
        lightest = weights.index(min(weights))
        weights[lightest] += weight(item)
        groups[lightest].append(item)
    return [sorted(items, key=views.index) for items in groups if items]


class CommunicationRenderer(Renderer):
    name = "communication"
    title = "Communication diagrams: market-wide, per process, per role (SVG, PNG, Mermaid)"
    phase = 0

    def available(self, ctx: RenderContext) -> str | None:
        return missing_program("dot", "graphviz")

    def views(self, ctx: RenderContext) -> list[tuple[str, str, CommunicationView, tuple[str, ...]]]:
        """(folder, artefact kind, view, sources) of every diagram, market first."""
        return ctx.memo(("communication views",), lambda: self._views(ctx))

    def _views(self, ctx: RenderContext) -> list[tuple[str, str, CommunicationView, tuple[str, ...]]]:
        model = ctx.model
        title = f"{model.config.name}: market-wide communication"
        if ctx.options.tranche is not None:
            title += f" (tranche {ctx.options.tranche})"
        found = [
            (COMMUNICATION_DIR, KIND, view, view.interfaces) for view in market_views(model, ctx.interfaces, title)
        ]
        for process in ctx.processes:
            view = process_view(model, process)
            found.append((COMMUNICATION_DIR, KIND, view, (process.id, *view.interfaces)))
        for role in ctx.roles:
            view = context_view(model, role, ctx.interfaces)
            found.append((CONTEXT_DIR, CONTEXT_KIND, view, (role.id, *view.interfaces)))
        return found

    def plan(self, ctx: RenderContext) -> list[Job]:
        tooltips = {i.id: clean(i.name) for i in ctx.model.interfaces.values()}
        size = model_size(ctx.model)
        by_name: dict[str, Drawing] = {}

        def draw(members: list[Job]) -> list[Job]:
            """The diagrams not reused, in a few `dot` calls of about equal work, so that
            --jobs N shares them out beside the PlantUML jobs."""
            chosen = [(d.folder, "", d.view, (), d) for d in (by_name[job.name] for job in members)]
            jobs = []
            groups = batches(chosen, BATCHES)
            for number, group in enumerate(groups, start=1):
                drawings = [item[4] for item in group]
                names = {f"{d.folder}/{d.view.id}" for d in drawings}
                artefacts = [a for job in members if job.name.split(" ", 1)[1] in names for a in job.artefacts]
                jobs.append(
                    Job(
                        f"communication diagrams ({number}/{len(groups)}, {len(group)} diagrams)",
                        artefacts,
                        partial(write_diagrams, ctx, drawings, size),
                    )
                )
            return jobs

        jobs = []
        # one job per diagram, so that each is cached on its own; those not reused are drawn
        # together (`draw`)
        for folder, kind, view, sources in self.views(ctx):
            name = f"communication {folder}/{view.id}"
            # the texts are the cache's inputs and what is drawn: made once, here
            drawing = by_name[name] = Drawing(folder, view, dot_source(view, tooltips), mermaid.flowchart(view))
            jobs.append(
                Job(
                    name,
                    [Artefact(f"{folder}/{view.id}.{ext}", kind, sources) for ext in formats(view)],
                    _never_alone,
                    inputs=(drawing.dot, drawing.mermaid),
                    batch=draw,
                )
            )
        return jobs


def _never_alone() -> None:
    raise RenderError("a batched diagram job was run on its own")
