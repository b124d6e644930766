"""Markdown documents: `markdown/specs/IF-xxx.md` and `markdown/processes/BPxxx.md`, the
same views as the Word documents through the Jinja2 templates `interface_spec.md.j2`
and `process_description.md.j2`, for git hosting, wikis and pull-request previews."""

from __future__ import annotations

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
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
            (f"markdown/specs/{i.id}.md", "interface_spec.md.j2", interface_spec_view(ctx.model, ctx.graph, i, epoch))
            for i in ctx.interfaces
        ] + [
            (f"markdown/processes/{p.id}.md", "process_description.md.j2", process_view(ctx.model, p, epoch))
            for p in ctx.processes
        ]
        if not pairs:
            return []
        folders = ctx.options.template_folders or (ctx.template("interface_spec.md.j2").parent,)

        def run() -> None:
            env = text_environment(folders)
            for rel, template, view in pairs:
                write_text(view, env, template, ctx.target(rel))

        artefacts = [Artefact(rel, "markdown", view.sources) for rel, _, view in pairs]
        return [Job(f"markdown ({len(pairs)} documents)", artefacts, run)]
