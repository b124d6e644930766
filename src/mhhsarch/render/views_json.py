"""The views as JSON: `views/.../*.json`, one file per artefact's view (`--only views`).

What every writer is given, as data: for other tools, for checking what a template
can use, and for the snapshot tests. Renders nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from json.encoder import encode_basestring  # C, when available

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, run_together
from mhhsarch.render.diagrams.communication import CommunicationRenderer
from mhhsarch.render.documents.catalogue import view_of as catalogue_view_of
from mhhsarch.render.documents.markdown import description_view, spec_view
from mhhsarch.render.views import field_names
from mhhsarch.render.views.diagrams import sequence_view


def view_json(view) -> str:
    """`json.dumps(as_data(view), indent=2, ensure_ascii=False)` and a newline, the same
    text written directly: json's indenting encoder is pure Python and yields every piece
    through a generator per level, which made it most of this renderer's time (1,578 files)."""
    out: list[str] = []
    _encode(view, "\n", out)
    out.append("\n")
    return "".join(out)


def _encode(value, newline: str, out: list[str]) -> None:
    """Append `value` as JSON; `newline` is a newline and the indentation of its level."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    else:
        names = field_names(type(value))
        if names is not None:
            _encode_object([(name, getattr(value, name)) for name in names], newline, out)
        elif isinstance(value, (list, tuple)):
            if not value:
                out.append("[]")
                return
            inner = newline + "  "
            out.append("[")
            for n, item in enumerate(value):
                _member(inner if n == 0 else "," + inner, item, inner, out)
            out.append(newline + "]")
        elif isinstance(value, dict):
            _encode_object([(str(k), v) for k, v in value.items()], newline, out)
        else:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _encode_object(items: list[tuple[str, object]], newline: str, out: list[str]) -> None:
    if not items:
        out.append("{}")
        return
    inner = newline + "  "
    out.append("{")
    for n, (key, item) in enumerate(items):
        _member((inner if n == 0 else "," + inner) + encode_basestring(key) + ": ", item, inner, out)
    out.append(newline + "}")


def _member(prefix: str, item, newline: str, out: list[str]) -> None:
    """Append `prefix` and `item`: most items are text or None, written here at once."""
    if type(item) is str:
        out.append(prefix + encode_basestring(item))
    elif item is None:
        out.append(prefix + "null")
    else:
        out.append(prefix)
        _encode(item, newline, out)


def _float(value: float) -> str:
    """A float as json writes it (NaN and the infinities as JavaScript names them)."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


class ViewsRenderer(Renderer):
    name = "views"
    title = "The views every writer is given, as JSON (views/...)"
    phase = 1  # planned while the diagrams are drawn (publish.py): its views are the documents'

    def plan(self, ctx: RenderContext) -> list[Job]:
        model, epoch = ctx.model, ctx.options.source_date_epoch
        found: list[tuple[str, object, tuple[str, ...]]] = []
        for interface in ctx.interfaces:
            spec = spec_view(ctx, interface, epoch)
            found.append((f"views/interfaces/{interface.id}.json", spec, spec.sources))
        for process in ctx.processes:
            description = description_view(ctx, process, epoch)
            found.append((f"views/processes/{process.id}.json", description, description.sources))
        catalogue = catalogue_view_of(ctx)
        found.append(("views/catalogue.json", catalogue, catalogue.sources))
        for process in ctx.processes:
            sequence = sequence_view(model, process)
            found.append((f"views/diagrams/sequence/{process.id}.json", sequence, (process.id,)))
        for folder, _, diagram, sources in CommunicationRenderer().views(ctx):
            found.append((f"views/{folder}/{diagram.id}.json", diagram, sources))

        def writer(rel: str, view) -> Callable[[], None]:
            return lambda: ctx.write_text(rel, view_json(view))

        # a job per file (cached each on its own), run together
        together = run_together("views")
        return [
            Job(f"views {rel}", [Artefact(rel, "view", sources)], writer(rel, view), inputs=view, batch=together)
            for rel, view, sources in found
        ]
