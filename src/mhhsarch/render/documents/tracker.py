"""The Design Artefact Tracker workbook: `tracker/design_artefact_tracker.xlsx`, the
report `mhhsarch tracker --format xlsx` writes, published with every render."""

from __future__ import annotations

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.views.tracker import tracker_view
from mhhsarch.render.writers.xlsx import write_xlsx
from mhhsarch.review.tracker import tracker

PATH = "tracker/design_artefact_tracker.xlsx"


class TrackerRenderer(Renderer):
    name = "tracker"
    title = "Design Artefact Tracker (tracker/design_artefact_tracker.xlsx)"
    phase = 1

    def plan(self, ctx: RenderContext) -> list[Job]:
        report = tracker(ctx.model, ctx.options.tranche)
        view = tracker_view(report, ctx.model.config.classification)
        epoch = ctx.options.source_date_epoch
        # what it shows: every comment, and the title, status and version of every artefact listed
        listed = {a.id for r in report.rounds for a in r.artefacts}
        sources = tuple(sorted(listed | {str(c.id) for c in ctx.model.comments.values()}))
        return [
            Job(
                "tracker",
                [Artefact(PATH, "artefact-tracker", sources)],
                lambda: write_xlsx(view, ctx.target(PATH), epoch),
                inputs=view,  # every comment, and every listed artefact's title, status and version
            )
        ]
