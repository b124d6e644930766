"""The text writer: a view rendered through a Jinja2 template (`*.md.j2` and, later, the
review site's pages). Model text is data: every value printed is escaped for the
format (`|cell` for a Markdown table cell), and a template that names a field the view
does not have fails with the template's name and line, never with an empty string.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from mhhsarch.render.documents.text import clean
from mhhsarch.render.views import as_data

_MARKDOWN_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class TextTemplateProblem(Exception):
    """A text template that cannot be rendered; the message names it and the line."""


def markdown_text(value) -> str:
    """Model text safe in Markdown: no HTML (a description's `<script>` stays text) and no
    control characters."""
    if value is None:
        return ""
    return _CONTROL.sub("\ufffd", clean(value)).translate(_MARKDOWN_HTML)


def markdown_cell(value) -> Markup:
    """Text for one Markdown table cell: pipes escaped, line breaks as <br> (marked as done,
    so the environment does not escape it again)."""
    return Markup(markdown_text(value).replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>"))


def _finalize(value) -> str:
    return value if isinstance(value, Markup) else markdown_text(value)


def text_environment(folders: tuple[Path, ...]) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(f) for f in folders]),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters["cell"] = markdown_cell
    return env


def render_text(view, env: Environment, template_name: str) -> str:
    try:
        return env.get_template(template_name).render(as_data(view))
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f"{getattr(error, 'filename', None) or template_name}" + (f":{line}" if line else "")
        raise TextTemplateProblem(f"template {where}: {error.message or error}") from None


def write_text(view, env: Environment, template_name: str, target: Path) -> None:
    text = render_text(view, env, template_name)
    with open(target, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
