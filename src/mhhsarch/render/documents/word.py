"""Word documents, one per entity: the base of the interface specifications
(`specs/IF-xxx.docx`) and process descriptions (`processes/BPxxx.docx`).

Each renderer builds the entity's view (`render/views/`) and hands it to the Word
writer with its template (`render/templates.py` finds it): the template decides what
the document looks like, the view what it says. The documents embed the diagrams the
diagram renderers wrote in phase 0; where one is missing the document says so.
"""

from __future__ import annotations

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, RenderError
from mhhsarch.render.views.bookmarks import document_marks
from mhhsarch.render.writers.docx import DocxTemplateSource, load_docx_template, write_docx


class WordDocumentRenderer(Renderer):
    """One Word document per entity. Subclasses say which entities, which template,
    where the documents go and how the view is built.

    `warnings` (after `plan`) says what the documents could not take from the template.
    """

    phase = 1
    requires = ("sequence", "communication")  # the documents embed these diagrams
    template_name: str
    folder: str
    kind: str

    def available(self, ctx: RenderContext) -> str | None:
        """Checked before anything is rendered: the template can be used (it is read
        and checked here, once, so a bad template fails before any diagram is drawn)."""
        try:
            self.template(ctx)
        except RenderError as error:
            return str(error)
        return None

    def template(self, ctx: RenderContext) -> DocxTemplateSource:
        """The checked template, read once for the run (by `available`, else by `plan`)."""
        path = ctx.template(self.template_name)
        try:
            stat = path.stat()
        except OSError as error:
            raise RenderError(f"Word template {path} cannot be used: {error.strerror or error}") from None
        key = (path, stat.st_size, stat.st_mtime_ns)
        cached = getattr(self, "_template", None)
        if cached is None or cached[0] != key:
            warnings: list[str] = []
            cached = self._template = (key, load_docx_template(path, warnings), warnings)
        self.warnings = list(cached[2])
        return cached[1]

    def entities(self, ctx: RenderContext) -> list:
        raise NotImplementedError

    def view(self, ctx: RenderContext, entity, epoch: int):
        raise NotImplementedError

    def plan(self, ctx: RenderContext) -> list[Job]:
        entities = self.entities(ctx)
        if not entities:
            return []
        template = self.template(ctx)  # in the parent process, before the jobs fork: they share it
        epoch = ctx.options.source_date_epoch
        jobs = []
        for entity in entities:
            rel = f"{self.folder}/{entity.id}.docx"
            view = self.view(ctx, entity, epoch)
            marks = document_marks(ctx.model, entity.id)  # the anchors' bookmarks, for Word comments

            def run(view=view, rel=rel, marks=marks) -> None:
                write_docx(view, template, ctx.out, ctx.target(rel), epoch, marks)

            jobs.append(
                Job(
                    f"{self.name} {entity.id}",
                    [Artefact(rel, self.kind, view.sources)],
                    run,
                    inputs=view,  # with the template and the diagrams it embeds (render/cache.py)
                    templates=(self.template_name,),
                )
            )
        return jobs
