"""The HTML writer of the review site: a view rendered through a Jinja2 template of
`templates/site/` with HTML autoescape on, so model text is always text (a description's
`<script>` is shown, never run). Links in views are relative to the site folder; the
`href` filter makes them relative to the page being written, so the site works from
file:// and any static host.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from mhhsarch.render.views import as_data
from mhhsarch.render.writers.text import TextTemplateProblem


def html_environment(folders: tuple[Path, ...]) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(f / "site") for f in folders]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def relative(target: str, page: str) -> str:
    """`target` (relative to the site folder) as seen from `page` (likewise)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def render_page(env: Environment, template_name: str, page: str, view, extra: dict) -> str:
    context = as_data(view) if view is not None else {}
    context.update(extra)
    context["page"] = page
    context["href"] = lambda target: relative(target, page)
    try:
        return env.get_template(template_name).render(context)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f"{getattr(error, 'filename', None) or template_name}" + (f":{line}" if line else "")
        raise TextTemplateProblem(f"template {where}: {error.message or error}") from None
