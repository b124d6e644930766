"""With `--baseline REF`: red-lined Word documents (`redline/IF-xxx.docx`,
`redline/BPxxx.docx`) for every document whose view changed since the baseline, and the
release note (`release_note.md`).

A red-lined document is the same view rendered at two revisions with the same
template, merged into Word's tracked changes (`writers/redline.py`): accepting all of
them gives the clean document, rejecting all the baseline's. Both revisions are
rendered with this run's date, so the date is never a change.
"""

from __future__ import annotations

from collections.abc import Callable

from mhhsarch.change.diff import diff_models
from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.documents.interface_spec import InterfaceSpecRenderer
from mhhsarch.render.documents.process_doc import ProcessDocRenderer
from mhhsarch.render.documents.word import WordDocumentRenderer
from mhhsarch.render.reproducible import iso_timestamp, normalised_zip
from mhhsarch.render.views import as_data
from mhhsarch.render.views.interface_spec import InterfaceSpecView, interface_spec_view
from mhhsarch.render.views.process import ProcessView, process_view
from mhhsarch.render.views.release import release_note_view
from mhhsarch.render.writers.docx import docx_bytes, load_docx_template
from mhhsarch.render.writers.redline import redline_docx
from mhhsarch.render.writers.text import text_environment, write_text


class RedlineRenderer(Renderer):
    name = "redline"
    title = "With --baseline: red-lined Word documents (redline/...) and the release note"
    phase = 1
    requires = ("sequence", "communication")

    def plan(self, ctx: RenderContext) -> list[Job]:
        baseline = ctx.options.baseline
        if baseline is None:
            return []
        epoch = ctx.options.source_date_epoch
        date = iso_timestamp(epoch)
        jobs: list[Job] = []
        word: list[tuple[WordDocumentRenderer, list, Callable[..., InterfaceSpecView | ProcessView], str]] = [
            (
                InterfaceSpecRenderer(),
                ctx.interfaces,
                lambda m, g, e, h: interface_spec_view(m, g, e, epoch, h),
                "interface",
            ),
            (ProcessDocRenderer(), ctx.processes, lambda m, g, e, h: process_view(m, e, epoch, h), "process"),
        ]
        for renderer, entities, build, kind in word:
            if not entities:
                continue
            template = renderer.template(ctx)
            for entity in entities:
                history = ctx.history(entity.id)
                # the baseline's document had the history up to the baseline's commit
                old_history = ctx.history(entity.id, baseline.committed_at) if baseline.committed_at else ()
                new_view = build(ctx.model, ctx.graph, entity, history)
                old_entity = baseline.model.of_kind(kind).get(entity.id)
                old_view = (
                    build(baseline.model, baseline.graph, old_entity, old_history) if old_entity is not None else None
                )
                if old_view is not None and as_data(old_view) == as_data(new_view):
                    continue  # only documents that changed get a red-lined version
                rel = f"redline/{entity.id}.docx"

                def run(new_view=new_view, old_view=old_view, rel=rel, template=template) -> None:
                    new = docx_bytes(new_view, template, ctx.out, epoch)
                    old = docx_bytes(old_view, template, ctx.out, epoch) if old_view is not None else None
                    merged, _ = redline_docx(old, new, date)
                    ctx.write_bytes(rel, normalised_zip(merged, epoch))

                jobs.append(Job(f"redline {entity.id}", [Artefact(rel, "redline", new_view.sources)], run))
        changes = diff_models(baseline.model, ctx.model, ctx.graph, baseline.graph)
        note = release_note_view(baseline.model, ctx.model, baseline.revision, changes, epoch)
        folders = ctx.options.template_folders or (ctx.template("release_note.md.j2").parent,)

        def write_note() -> None:
            write_text(note, text_environment(folders), "release_note.md.j2", ctx.target("release_note.md"))

        note_template = load_docx_template(ctx.template("release_note.docx"))

        def write_note_docx() -> None:
            ctx.write_bytes("release_note.docx", docx_bytes(note, note_template, ctx.out, epoch))

        jobs.append(Job("release note", [Artefact("release_note.md", "release-note", note.sources)], write_note))
        jobs.append(
            Job("release note (Word)", [Artefact("release_note.docx", "release-note", note.sources)], write_note_docx)
        )
        return jobs
