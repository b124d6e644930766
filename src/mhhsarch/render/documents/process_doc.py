"""Process descriptions: `processes/BPxxx.docx`, one Word document per process, from
the process view and the `process_description.docx` template."""

from __future__ import annotations

from mhhsarch.render.base import RenderContext
from mhhsarch.render.documents.word import WordDocumentRenderer
from mhhsarch.render.views.process import process_view


class ProcessDocRenderer(WordDocumentRenderer):
    name = "process-docs"
    title = "Word process descriptions (processes/BPxxx.docx)"
    template_name = "process_description.docx"
    folder = "processes"
    kind = "process-description"

    def entities(self, ctx: RenderContext) -> list:
        return ctx.processes

    def view(self, ctx: RenderContext, entity, epoch: int):
        return ctx.memo(
            ("process_view", entity.id, epoch, True),
            lambda: process_view(ctx.model, entity, epoch, ctx.history(entity.id)),
        )
