"""The review site: `site/`, static HTML pages built from the views, for reviewers.

    site/index.html                  the tranches and what the pack holds
    site/tranches/N.html             the pack index of tranche N
    site/catalogue.html              every page in one table that sorts and filters
    site/{processes,interfaces,roles,...}/ID.html   a page per entity
    site/assets/                     CSS, JS and the search index (a JS file: works from file://)

Diagrams are inlined as SVG (read from the diagram renderers' output of the same run),
with role nodes linked to the role pages. Nothing refers to the network.
"""

from __future__ import annotations

import json
import re
import shutil
from functools import partial

from markupsafe import Markup

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, run_together
from mhhsarch.render.templates import find_template
from mhhsarch.render.views import as_data
from mhhsarch.render.views.common import model_label
from mhhsarch.render.views.interface_spec import interface_spec_view
from mhhsarch.render.views.process import process_view
from mhhsarch.render.views.site import (
    ENTITY_PAGES,
    PAGE_KINDS,
    Pages,
    page_path,
    search_entries,
    tranche_index,
)
from mhhsarch.render.writers.html import html_environment, relative, render_page

ASSETS = ("site.css", "site.js")
_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)
_NODE = re.compile(r'(<g id="[^"]*" class="node">\s*<title>([^<]*)</title>)(.*?)(</g>)', re.DOTALL)


def inline_svg(svg: str, label: str, role_href) -> Markup:
    """An SVG file as markup for the page: no prolog, a label for assistive technology, and
    each node that is a role wrapped in a link to the role's page."""
    svg = _PROLOG.sub("", svg).strip()
    svg = re.sub(r"<svg\b", f'<svg role="group" aria-label="{Markup.escape(label)}"', svg, count=1)

    def link(match: re.Match) -> str:
        href = role_href(match.group(2))
        if href is None:
            return match.group(0)
        return (
            f'{match.group(1)}<a href="{href}" aria-label="Role {match.group(2)}">{match.group(3)}</a>{match.group(4)}'
        )

    return Markup(_NODE.sub(link, svg))


class SiteRenderer(Renderer):
    name = "site"
    title = "Review site (site/index.html)"
    phase = 1
    requires = ("sequence", "communication")

    def plan(self, ctx: RenderContext) -> list[Job]:
        epoch = ctx.options.source_date_epoch
        pages = Pages(ctx.model, ctx.processes, ctx.interfaces)
        only, pdf = ctx.options.only, ctx.options.pdf
        made = {name for name in ("specs", "process-docs", "catalogue") if only is None or name in only}
        baseline = ctx.options.baseline
        tranche_numbers = sorted(
            {x.tranche for kind in ("process", "interface") for x in pages.entities[kind]},
            key=lambda n: (n is None, n or 0),
        )
        plan: list[tuple[str, str, object, dict]] = []
        for p in pages.entities["process"]:
            downloads = [("Word", f"processes/{p.id}.docx")] if "process-docs" in made else []
            downloads += [("PDF", f"processes/{p.id}.pdf")] if pdf and "process-docs" in made else []
            plan.append(
                (
                    page_path("process", p.id),
                    "process.html.j2",
                    ctx.memo(("process_view", p.id, epoch, False), partial(process_view, ctx.model, p, epoch)),
                    {"downloads": downloads},
                )
            )
        for i in pages.entities["interface"]:
            downloads = [("Word", f"specs/{i.id}.docx")] if "specs" in made else []
            downloads += [("PDF", f"specs/{i.id}.pdf")] if pdf and "specs" in made else []
            spec = ctx.memo(
                ("interface_spec_view", i.id, epoch, False),
                partial(interface_spec_view, ctx.model, ctx.graph, i, epoch),
            )
            plan.append((page_path("interface", i.id), "interface.html.j2", spec, {"downloads": downloads}))
        for kind, build in ENTITY_PAGES.items():
            for entity in pages.entities[kind]:
                plan.append((page_path(kind, entity.id), "entity.html.j2", build(pages, entity), {}))
        indexes = []
        for number in tranche_numbers:
            tranche = ctx.model.tranches.get(number) if number is not None else None
            index = tranche_index(
                pages, tranche, number, baseline.model if baseline else None, baseline.revision if baseline else None
            )
            indexes.append(index)
            plan.append((f"tranches/{index.number}.html", "tranche.html.j2", index, {}))
        catalogue = [
            {"kind": PAGE_KINDS[kind][1], "link": as_data(pages.link(kind, x.id))}
            for kind, items in pages.entities.items()
            for x in items
        ]
        xlsx = "catalogue/data_catalogue.xlsx" if "catalogue" in made else None
        plan.append(("catalogue.html", "catalogue.html.j2", None, {"entries": catalogue}))
        plan.append(
            (
                "index.html",
                "index.html.j2",
                None,
                {
                    "tranches": [as_data(v) for v in indexes],
                    "kinds": [(PAGE_KINDS[k][1], PAGE_KINDS[k][0], len(v)) for k, v in pages.entities.items()],
                    "xlsx": xlsx,
                },
            )
        )
        search = json.dumps([as_data(s) for s in search_entries(pages)], ensure_ascii=False, sort_keys=True)
        folders = ctx.options.template_folders or (ctx.template("site/base.html.j2").parents[1],)
        model_title = model_label(ctx.model)
        role_ids = {str(r.id) for r in pages.entities["role"]}

        environments: list = []

        def environment():
            if not environments:  # once per worker
                environments.append(html_environment(folders))
            return environments[0]

        def copy_assets() -> None:
            for asset in ASSETS:
                shutil.copyfile(find_template(f"site/{asset}", folders), ctx.target(f"site/assets/{asset}"))

        def write_search() -> None:
            ctx.write_text("site/assets/search-index.js", f"window.MHHS_SEARCH_INDEX = {search};\n")

        def writer(rel: str, template: str, view, extra: dict):
            def run() -> None:
                page = dict(extra)
                page["model_title"] = model_title
                if hasattr(view, "diagrams") or hasattr(view, "usages"):
                    page["svg"] = self._diagrams(ctx, view, rel, role_ids)
                ctx.write_text(f"site/{rel}", render_page(environment(), template, rel, view, page))

            return run

        # a job per page (cached each on its own: its view, the site templates and the
        # diagrams it inlines), run together
        together = run_together("site pages")
        jobs = [
            Job(
                "site assets",
                [Artefact(f"site/assets/{a}", "site-asset") for a in ASSETS],
                copy_assets,
                inputs=ASSETS,
                templates=tuple(f"site/{a}" for a in ASSETS),
                batch=together,
            ),
            Job(
                "site search index",
                [Artefact("site/assets/search-index.js", "site-asset")],
                write_search,
                inputs=search,
                batch=together,
            ),
        ]
        for rel, template, view, extra in plan:
            sources = getattr(view, "sources", ()) or ((view.id,) if hasattr(view, "id") else ())
            jobs.append(
                Job(
                    f"site page {rel}",
                    [Artefact(f"site/{rel}", "site-page", sources)],
                    writer(rel, template, view, extra),
                    inputs=(rel, template, view, extra, model_title, sorted(role_ids)),
                    templates=("site/",),
                    batch=together,
                )
            )
        return jobs

    @staticmethod
    def _diagrams(ctx: RenderContext, view, page: str, role_ids: set[str]) -> dict[str, Markup]:
        """The inline SVG of every diagram the view shows, by its (PNG) path in the view."""
        figures = []
        for section in getattr(view, "diagrams", ()):
            figures.extend(section.diagrams)
        for usage in getattr(view, "usages", ()):
            figures.extend(usage.diagrams)
        inlined = {}
        for figure in figures:
            svg_path = ctx.out / figure.path.removesuffix(".png")
            svg_file = svg_path.with_suffix(".svg")
            if not svg_file.is_file():
                continue

            def role_href(role_id: str) -> str | None:
                if role_id not in role_ids:
                    return None
                return relative(page_path("role", role_id), page)

            inlined[figure.path] = inline_svg(svg_file.read_text(encoding="utf-8"), figure.alt, role_href)
        return inlined
