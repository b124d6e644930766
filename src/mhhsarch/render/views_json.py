"""The views as JSON: `views/.../*.json`, one file per artefact's view (`--only views`).

What every writer is given, as data: for other tools, for checking what a template
can use, and for the snapshot tests. Renders nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, run_together
from mhhsarch.render.diagrams.communication import CommunicationRenderer
from mhhsarch.render.documents.catalogue import view_of as catalogue_view_of
from mhhsarch.render.documents.markdown import description_view, spec_view
from mhhsarch.render.views import as_data
from mhhsarch.render.views.diagrams import sequence_view


def view_json(view) -> str:
    return json.dumps(as_data(view), indent=2, ensure_ascii=False) + "\n"


class ViewsRenderer(Renderer):
    name = "views"
    title = "The views every writer is given, as JSON (views/...)"
    phase = 0

    def plan(self, ctx: RenderContext) -> list[Job]:
        model, epoch = ctx.model, ctx.options.source_date_epoch
        found: list[tuple[str, object, tuple[str, ...]]] = []
        for interface in ctx.interfaces:
            spec = spec_view(ctx, interface, epoch)
            found.append((f"views/interfaces/{interface.id}.json", spec, spec.sources))
        for process in ctx.processes:
            description = description_view(ctx, process, epoch)
            found.append((f"views/processes/{process.id}.json", description, description.sources))
        catalogue = catalogue_view_of(ctx)
        found.append(("views/catalogue.json", catalogue, catalogue.sources))
        for process in ctx.processes:
            sequence = sequence_view(model, process)
            found.append((f"views/diagrams/sequence/{process.id}.json", sequence, (process.id,)))
        for folder, _, diagram, sources in CommunicationRenderer().views(ctx):
            found.append((f"views/{folder}/{diagram.id}.json", diagram, sources))

        def writer(rel: str, view) -> Callable[[], None]:
            return lambda: ctx.write_text(rel, view_json(view))

        # a job per file (cached each on its own), run together
        together = run_together("views")
        return [
            Job(f"views {rel}", [Artefact(rel, "view", sources)], writer(rel, view), inputs=view, batch=together)
            for rel, view, sources in found
        ]
