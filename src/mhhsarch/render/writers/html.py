"""The HTML writer of the review site: a view rendered through a Jinja2 template of
`templates/site/` with HTML autoescape on, so model text is always text (a description's
`<script>` is shown, never run). Links in views are relative to the site folder; the
`href` filter makes them relative to the page being written, so the site works from
file:// and any static host.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
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
        # a render compiles each template once; no stat of the file for every page
        # (serve makes a new environment when a template changes)
        auto_reload=False,
    )
    return env


def relative(target: str, page: str) -> str:
    """`target` (relative to the site folder) as seen from `page` (likewise)."""
    return relative_to_folder(target, posixpath.dirname(page))


@lru_cache(maxsize=65536)
def relative_to_folder(target: str, folder: str) -> str:
    """`target` as seen from a page in `folder` (relative to the site folder; "" for the
    site folder itself). Cached by folder, not page: a site makes a hundred thousand links
    from its pages, but they are in a few folders and link to the same pages again."""
    if not folder:
        return target if target and not target.startswith(("/", "./")) else posixpath.relpath(target, ".")
    if (
        target.startswith("/")
        or "./" in target.replace("../", "")
        or "//" in target
        or (folder + "/").startswith(target + "/")
    ):
        return posixpath.relpath(target, folder)
    # both are normal paths below the site folder (a target may start with ../): drop the
    # common folders, climb out of the rest (posixpath.relpath would make both absolute)
    steps, parts = folder.split("/"), target.split("/")
    same = 0
    while same < len(steps) and same < len(parts) - 1 and steps[same] == parts[same]:
        same += 1
    return "/".join([".."] * (len(steps) - same) + parts[same:])


def render_page(env: Environment, template_name: str, page: str, view, extra: dict) -> str:
    context = as_data(view) if view is not None else {}
    context.update(extra)
    context["page"] = page
    folder = posixpath.dirname(page)
    context["href"] = lambda target: relative_to_folder(target, folder)
    try:
        return env.get_template(template_name).render(context)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f"{getattr(error, 'filename', None) or template_name}" + (f":{line}" if line else "")
        raise TextTemplateProblem(f"template {where}: {error.message or error}") from None
