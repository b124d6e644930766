"""The review site: `site/`, static HTML pages built from the views, for reviewers.

    site/index.html                  the tranches and what the pack holds
    site/tranches/N.html             the pack index of tranche N
    site/catalogue.html              every page in one table that sorts and filters
    site/{processes,interfaces,roles,...}/ID.html   a page per entity
    site/assets/                     CSS, JS and the search index (a JS file: works from file://)

Diagrams are inlined as SVG (read from the diagram renderers' output of the same run):
communication diagrams with their role nodes linked to the role pages, sequence diagrams
with their participants linked to the role pages and their messages to the interface
pages. Nothing refers to the network.

`site_plan` (which pages, from which views) and `SiteWriter` (a page's HTML) are split
from the renderer's job, so that `mhhsarch serve` (serve.py) can plan every time and
write only the pages whose inputs changed.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from markupsafe import Markup

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, run_together
from mhhsarch.render.diagrams.common import SEQUENCE_DIR
from mhhsarch.render.documents.markdown import description_view, spec_view
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
    tracker_page,
    tranche_index,
)
from mhhsarch.render.writers.html import html_environment, relative, render_page
from mhhsarch.review.tracker import tracker

ASSETS = ("site.css", "site.js")
SEARCH_INDEX = "assets/search-index.js"
_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)
# Graphviz: a node is a group titled with its id
_NODE = re.compile(r'(<g id="[^"]*" class="node">\s*<title>([^<]*)</title>)(.*?)(</g>)', re.DOTALL)
# PlantUML (flat SVG): a participant's box, its id in bold, then the lines of its name
_PARTICIPANT = re.compile(
    r'(<rect [^>]*/>)(<text [^>]*font-weight="bold"[^>]*>([A-Z][A-Z0-9_]*)</text>)((?:<text (?:(?!font-weight)[^>])*>[^<]*</text>)*)'
)
# PlantUML: a message's label "n. IF-xxx name", then its further lines (same x)
_MESSAGE = re.compile(
    r'(<text [^>]*\bx="([-\d.]+)"[^>]*>\d+\. ([A-Z]+-\d+[A-Z]?)\b[^<]*</text>)((?:<text [^>]*\bx="\2"[^>]*>[^<]*</text>)*)'
)

Href = Callable[[str, str], "str | None"]  # (kind, id) -> link from the page, None: no page


def inline_svg(svg: str, label: str, role_href: Callable[[str], str | None]) -> Markup:
    """A communication diagram's SVG as markup for the page: no prolog, a label for
    assistive technology, and each node that is a role wrapped in a link to the role's page."""
    svg = _bare(svg, label)

    def link(match: re.Match) -> str:
        href = role_href(match.group(2))
        if href is None:
            return match.group(0)
        return (
            f'{match.group(1)}<a href="{href}" aria-label="Role {match.group(2)}">{match.group(3)}</a>{match.group(4)}'
        )

    return Markup(_NODE.sub(link, svg))


def inline_sequence_svg(svg: str, label: str, href: Href) -> Markup:
    """A sequence diagram's SVG (PlantUML) as markup for the page: each participant's box
    linked to its role's page, each message's label to its interface's page. The links are
    added here, not in the PlantUML source, so the published diagrams stay as they are."""
    svg = _bare(svg, label)

    def participant(match: re.Match) -> str:
        target = href("role", match.group(3))
        if target is None:
            return match.group(0)
        return f'<a href="{target}" aria-label="Role {match.group(3)}">{match.group(0)}</a>'

    def message(match: re.Match) -> str:
        target = href("interface", match.group(3))
        if target is None:
            return match.group(0)
        return f'<a href="{target}" aria-label="Interface {match.group(3)}">{match.group(0)}</a>'

    return Markup(_MESSAGE.sub(message, _PARTICIPANT.sub(participant, svg)))


def _bare(svg: str, label: str) -> str:
    svg = _PROLOG.sub("", svg).strip()
    return re.sub(r"<svg\b", f'<svg role="group" aria-label="{Markup.escape(label)}"', svg, count=1)


@dataclass(frozen=True)
class SitePage:
    """One page: where it goes (below site/), its template, its view and the template's
    other variables, and the diagrams (SVG paths below the output root) it inlines."""

    rel: str
    template: str
    view: object
    extra: dict
    figures: tuple[tuple[str, str, str], ...] = ()  # (path in the view, SVG path, alt text)

    @property
    def sources(self) -> tuple[str, ...]:
        view = self.view
        return getattr(view, "sources", ()) or ((view.id,) if hasattr(view, "id") else ())


@dataclass(frozen=True)
class SitePlan:
    pages: tuple[SitePage, ...]
    search: str  # the text of assets/search-index.js
    folders: tuple[Path, ...]  # template folders
    page_ids: dict  # kind -> ids that have a page

    def href(self, page: str) -> Href:
        def link(kind: str, entity_id: str) -> str | None:
            if entity_id not in self.page_ids.get(kind, ()):
                return None
            return relative(page_path(kind, entity_id), page)

        return link


def site_plan(ctx: RenderContext) -> SitePlan:
    """Every page of the site with its view (pure: reads the model, writes nothing)."""
    epoch = ctx.options.source_date_epoch
    pages = Pages(ctx.model, ctx.processes, ctx.interfaces)
    only, pdf = ctx.options.only, ctx.options.pdf
    made = {name for name in ("specs", "process-docs", "catalogue") if only is None or name in only}
    baseline = ctx.options.baseline
    tranche_numbers = sorted(
        {x.tranche for kind in ("process", "interface", "artefact") for x in pages.entities[kind]},
        key=lambda n: (n is None, n or 0),
    )
    plan: list[tuple[str, str, object, dict]] = []
    # a page shows no version history: without one, its view is the documents' (built once
    # a run, and digested once for the cache keys of all that show it)
    for p in pages.entities["process"]:
        downloads = [("Word", f"processes/{p.id}.docx")] if "process-docs" in made else []
        downloads += [("PDF", f"processes/{p.id}.pdf")] if pdf and "process-docs" in made else []
        view = description_view(ctx, p, epoch) if not ctx.history(p.id) else process_view(ctx.model, p, epoch)
        plan.append((page_path("process", p.id), "process.html.j2", view, {"downloads": downloads}))
    for i in pages.entities["interface"]:
        downloads = [("Word", f"specs/{i.id}.docx")] if "specs" in made else []
        downloads += [("PDF", f"specs/{i.id}.pdf")] if pdf and "specs" in made else []
        spec = (
            spec_view(ctx, i, epoch) if not ctx.history(i.id) else interface_spec_view(ctx.model, ctx.graph, i, epoch)
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
    plan.append(("tracker.html", "tracker.html.j2", tracker_page(pages, tracker(ctx.model, ctx.options.tranche)), {}))
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
    model_title = model_label(ctx.model)
    site_pages = []
    for rel, template, view, extra in plan:
        extra = {**extra, "model_title": model_title}
        site_pages.append(SitePage(rel, template, view, extra, _figures(view)))
    return SitePlan(
        tuple(site_pages),
        f"window.MHHS_SEARCH_INDEX = {search};\n",
        ctx.options.template_folders or (ctx.template("site/base.html.j2").parents[1],),
        {kind: frozenset(str(x.id) for x in items) for kind, items in pages.entities.items()},
    )


def _figures(view) -> tuple[tuple[str, str, str], ...]:
    figures = []
    for section in getattr(view, "diagrams", ()):
        figures.extend(section.diagrams)
    for usage in getattr(view, "usages", ()):
        figures.extend(usage.diagrams)
    return tuple((f.path, f.path.removesuffix(".png") + ".svg", f.alt) for f in figures)


class SiteWriter:
    """Writes pages of a plan: one Jinja2 environment (templates compiled once), each
    diagram read once."""

    def __init__(self, folders: tuple[Path, ...], out: Path) -> None:
        self.env = html_environment(folders)
        self.folders = folders
        self.out = out  # the output root (the diagrams are below it)
        self._svg: dict[str, str | None] = {}
        # (SVG path, alt text, folder of the page) -> the diagram as markup, for `_plan`
        self._inlined: dict[tuple[str, str, str], Markup | None] = {}
        self._plan: SitePlan | None = None

    def forget(self, svg_paths) -> None:
        """Read these diagrams again next time (they were redrawn)."""
        for path in svg_paths:
            self._svg.pop(path, None)
        self._inlined = {key: markup for key, markup in self._inlined.items() if key[0] not in svg_paths}

    def svg(self, path: str) -> str | None:
        if path not in self._svg:
            file = self.out / path
            self._svg[path] = file.read_text(encoding="utf-8") if file.is_file() else None
        return self._svg[path]

    def page(self, plan: SitePlan, page: SitePage) -> str:
        extra = dict(page.extra)
        if page.figures:
            inlined = {}
            for path, svg_path, alt in page.figures:
                markup = self.inlined(plan, svg_path, alt, page.rel)
                if markup is not None:
                    inlined[path] = markup
            extra["svg"] = inlined
        elif hasattr(page.view, "diagrams") or hasattr(page.view, "usages"):
            extra["svg"] = {}
        return render_page(self.env, page.template, page.rel, page.view, extra)

    def inlined(self, plan: SitePlan, svg_path: str, alt: str, page: str) -> Markup | None:
        """A diagram as markup for `page` (None: not drawn). Its links depend only on the
        page's folder and on which pages the plan has, so the markup made for one page is
        used again on the others of its folder: a sequence diagram is on its process's
        page and on the page of every interface it shows."""
        if plan is not self._plan:
            self._plan, self._inlined = plan, {}
        key = (svg_path, alt, posixpath.dirname(page))
        if key not in self._inlined:
            svg = self.svg(svg_path)
            href = plan.href(page)
            if svg is None:
                self._inlined[key] = None
            elif svg_path.startswith(SEQUENCE_DIR + "/"):
                self._inlined[key] = inline_sequence_svg(svg, alt, href)
            else:
                self._inlined[key] = inline_svg(svg, alt, partial(href, "role"))
        return self._inlined[key]

    def asset(self, name: str) -> bytes:
        return find_template(f"site/{name}", self.folders).read_bytes()


class SiteRenderer(Renderer):
    name = "site"
    title = "Review site (site/index.html)"
    phase = 1
    requires = ("sequence", "communication")

    def plan(self, ctx: RenderContext) -> list[Job]:
        plan = site_plan(ctx)
        writers: list[SiteWriter] = []

        def writer() -> SiteWriter:
            if not writers:  # once per worker: templates compiled once, each diagram read once
                writers.append(SiteWriter(plan.folders, ctx.out))
            return writers[0]

        def copy_assets() -> None:
            for asset in ASSETS:
                shutil.copyfile(find_template(f"site/{asset}", plan.folders), ctx.target(f"site/assets/{asset}"))

        def write_search() -> None:
            ctx.write_text(f"site/{SEARCH_INDEX}", plan.search)

        def write_page(page: SitePage) -> Callable[[], None]:
            return lambda: ctx.write_text(f"site/{page.rel}", writer().page(plan, page))

        # a job per page, cached each on its own (render/cache.py: its view, the site's
        # templates, the ids that have pages, the diagrams it inlines), run together
        together = run_together("site pages")
        # every page links only to pages that exist, so its key holds the ids that have
        # pages: as one digest, the whole list pickled into each of 5,000 keys took seconds
        page_ids = {kind: sorted(ids) for kind, ids in sorted(plan.page_ids.items())}
        linkable = hashlib.sha256(json.dumps(page_ids).encode()).hexdigest()
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
                inputs=plan.search,
                batch=together,
            ),
        ]
        for page in plan.pages:
            jobs.append(
                Job(
                    f"site page {page.rel}",
                    [Artefact(f"site/{page.rel}", "site-page", page.sources)],
                    write_page(page),
                    # the view apart: the same object as the documents' (digested once)
                    inputs=(page.view, replace(page, view=None), linkable),
                    templates=("site/",),
                    batch=together,
                )
            )
        return jobs
