"""The renderers, in one explicit list: adding an artefact kind is adding a module and a line here.

`--only` takes the names below.
"""

from __future__ import annotations

from mhhsarch.render.base import Renderer


def all_renderers() -> list[Renderer]:
    # Imported here so that `mhhsarch validate` never pays for graphviz, docx or openpyxl.
    from mhhsarch.render.diagrams.communication import CommunicationRenderer
    from mhhsarch.render.diagrams.sequence import SequenceRenderer

    renderers: list[Renderer] = [
        SequenceRenderer(),
        CommunicationRenderer(),
    ]
    # documents (phase 1 reads the diagrams of phase 0; phase 2 converts to PDF)
    from mhhsarch.render.documents.catalogue import CatalogueRenderer
    from mhhsarch.render.documents.comment_form import CommentFormRenderer
    from mhhsarch.render.documents.interface_spec import InterfaceSpecRenderer
    from mhhsarch.render.documents.markdown import MarkdownRenderer
    from mhhsarch.render.documents.payload_schemas import PayloadSchemaRenderer
    from mhhsarch.render.documents.pdf import PdfRenderer
    from mhhsarch.render.documents.process_doc import ProcessDocRenderer
    from mhhsarch.render.documents.redline import RedlineRenderer
    from mhhsarch.render.documents.tracker import TrackerRenderer
    from mhhsarch.render.site import SiteRenderer
    from mhhsarch.render.views_json import ViewsRenderer

    renderers += [
        InterfaceSpecRenderer(),
        ProcessDocRenderer(),
        CatalogueRenderer(),
        CommentFormRenderer(),
        TrackerRenderer(),
        MarkdownRenderer(),
        RedlineRenderer(),
        PayloadSchemaRenderer(),
        ViewsRenderer(),
        SiteRenderer(),
        PdfRenderer(),
    ]
    return renderers


def renderer_names() -> list[str]:
    return [r.name for r in all_renderers()]


def with_requirements(wanted: frozenset[str], renderers: list[Renderer]) -> frozenset[str]:
    """`wanted` plus every renderer they need, transitively."""
    by_name = {r.name: r for r in renderers}
    selected = set(wanted)
    pending = list(wanted)
    while pending:
        renderer = by_name.get(pending.pop())
        for needed in renderer.requires if renderer else ():
            if needed not in selected:
                selected.add(needed)
                pending.append(needed)
    return frozenset(selected)
