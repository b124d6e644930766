"""Comment forms: `forms/tranche-N-round-R-comments.xlsx`, one per review round of each
tranche (of the tranche asked for with `--tranche`), from the comment form view.

Reviewers fill the Comments sheet and return the workbook; `mhhsarch comments import`
reads it back (review/importer.py). The artefacts a round issued are its `artefacts`, or
every artefact of the tranche when it lists none; the data catalogue when a round lists
`CATALOGUE` (review/form.py `round_artefacts`).
"""

from __future__ import annotations

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.views.comment_form import comment_form_views
from mhhsarch.render.writers.xlsx import write_comment_form


class CommentFormRenderer(Renderer):
    name = "comment-forms"
    title = "Excel comment forms, one per review round (forms/tranche-N-round-R-comments.xlsx)"
    phase = 1

    def plan(self, ctx: RenderContext) -> list[Job]:
        epoch = ctx.options.source_date_epoch
        jobs = []
        for view in comment_form_views(ctx.model, ctx.options.tranche, epoch):

            def run(view=view) -> None:
                write_comment_form(view, ctx.target(view.path), epoch)

            artefacts = [Artefact(view.path, "comment-form", view.sources)]
            jobs.append(Job(f"comment form {view.path}", artefacts, run, inputs=view))
        return jobs
