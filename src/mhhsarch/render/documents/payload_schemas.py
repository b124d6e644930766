"""JSON Schemas of the DIP interfaces' payloads: `schemas/payloads/IF-xxx.schema.json`,
one per interface the DIP carries, from the payload view (`views/payload.py`): what a
participant's adaptor can validate its messages against. Each interface specification
shows a sample message that meets its schema."""

from __future__ import annotations

import json
from collections.abc import Callable

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, run_together
from mhhsarch.render.views.payload import has_payload, payload_view


def schema_json(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


class PayloadSchemaRenderer(Renderer):
    name = "payload-schemas"
    title = "JSON Schemas of the DIP interfaces' payloads (schemas/payloads/IF-xxx.schema.json)"
    phase = 1

    def plan(self, ctx: RenderContext) -> list[Job]:
        views = [payload_view(ctx.model, i) for i in ctx.interfaces if has_payload(i)]
        if not views:
            return []

        def writer(view) -> Callable[[], None]:
            return lambda: ctx.write_text(view.path, schema_json(view.schema))

        together = run_together("payload schemas")
        return [
            Job(
                f"payload schema {v.path}",
                [Artefact(v.path, "payload-schema", v.sources)],
                writer(v),
                inputs=v,
                batch=together,
            )
            for v in views
        ]
