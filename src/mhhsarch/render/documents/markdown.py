"""Markdown documents: `markdown/specs/IF-xxx.md` and `markdown/processes/BPxxx.md`, the
same views as the Word documents through the Jinja2 templates `interface_spec.md.j2`
and `process_description.md.j2`, for git hosting, wikis and pull-request previews."""

from __future__ import annotations

from collections.abc import Callable

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, run_together
from mhhsarch.render.views.interface_spec import interface_spec_view
from mhhsarch.render.views.process import process_view
from mhhsarch.render.writers.text import text_environment, write_text


class MarkdownRenderer(Renderer):
    name = "markdown"
    title = "Markdown interface specifications and process descriptions (markdown/...)"
    phase = 1

    def plan(self, ctx: RenderContext) -> list[Job]:
        epoch = ctx.options.source_date_epoch
        pairs = [
            (f"markdown/specs/{i.id}.md", "interface_spec.md.j2", spec_view(ctx, i, epoch)) for i in ctx.interfaces
        ] + [
            (f"markdown/processes/{p.id}.md", "process_description.md.j2", description_view(ctx, p, epoch))
            for p in ctx.processes
        ]
        if not pairs:
            return []
        folders = ctx.options.template_folders or (ctx.template("interface_spec.md.j2").parent,)
        environments: list = []

        def environment():
            if not environments:  # once per worker
                environments.append(text_environment(folders))
            return environments[0]

        def writer(rel: str, template: str, view) -> Callable[[], None]:
            return lambda: write_text(view, environment(), template, ctx.target(rel))

        # a job per document (cached each on its own), run together
        together = run_together("markdown documents")
        return [
            Job(
                f"markdown {rel}",
                [Artefact(rel, "markdown", view.sources)],
                writer(rel, template, view),
                inputs=view,
                templates=(template,),
                batch=together,
            )
            for rel, template, view in pairs
        ]


def spec_view(ctx: RenderContext, interface, epoch: int):
    """The interface specification view (with its version history), built once a run."""
    return ctx.memo(
        ("interface_spec_view", interface.id, epoch, True),
        lambda: interface_spec_view(ctx.model, ctx.graph, interface, epoch, ctx.history(interface.id)),
    )


def description_view(ctx: RenderContext, process, epoch: int):
    """The process description view (with its version history), built once a run."""
    return ctx.memo(
        ("process_view", process.id, epoch, True),
        lambda: process_view(ctx.model, process, epoch, ctx.history(process.id)),
    )
