"""Interface specifications: `specs/IF-xxx.docx`, one Word document per interface, from
the interface specification view and the `interface_spec.docx` template."""

from __future__ import annotations

from mhhsarch.render.base import RenderContext
from mhhsarch.render.documents.word import WordDocumentRenderer
from mhhsarch.render.views.interface_spec import interface_spec_view


class InterfaceSpecRenderer(WordDocumentRenderer):
    name = "specs"
    title = "Word interface specifications (specs/IF-xxx.docx)"
    template_name = "interface_spec.docx"
    folder = "specs"
    kind = "interface-spec"

    def entities(self, ctx: RenderContext) -> list:
        return ctx.interfaces

    def view(self, ctx: RenderContext, entity, epoch: int):
        return ctx.memo(
            ("interface_spec_view", entity.id, epoch, True),
            lambda: interface_spec_view(ctx.model, ctx.graph, entity, epoch, ctx.history(entity.id)),
        )
