"""The Excel data catalogue: `catalogue/data_catalogue.xlsx`, from the catalogue view.

Sheets: Cover (model, version, legend), Data Items, Valid Sets, and three matrices
(interface x data item: M/O; role x interface: P/C; process x interface: the steps
that send it). The view says what they hold; `writers/xlsx.py` how they look.
"""

from __future__ import annotations

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.views.catalogue import catalogue_view
from mhhsarch.render.writers.xlsx import write_xlsx

PATH = "catalogue/data_catalogue.xlsx"


def view_of(ctx: RenderContext):
    """The catalogue view, built once a run (the catalogue and the views write it)."""
    return ctx.memo(
        ("catalogue_view",),
        lambda: catalogue_view(
            ctx.model, ctx.interfaces, ctx.processes, ctx.roles, ctx.options.tranche, ctx.options.source_date_epoch
        ),
    )


class CatalogueRenderer(Renderer):
    name = "catalogue"
    title = "Excel data catalogue (catalogue/data_catalogue.xlsx)"
    phase = 1

    def plan(self, ctx: RenderContext) -> list[Job]:
        view = view_of(ctx)
        epoch = ctx.options.source_date_epoch
        return [
            Job(
                "catalogue",
                [Artefact(PATH, "data-catalogue", view.sources)],
                lambda: write_xlsx(view, ctx.target(PATH), epoch),
                inputs=view,  # the whole catalogue: every data item, valid set, interface, process, role
            )
        ]
