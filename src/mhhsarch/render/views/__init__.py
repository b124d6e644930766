"""Views: what each artefact shows, as plain data, built from the model and graph only.

A view is a frozen dataclass of strings, numbers, booleans, None, tuples and other
views; nothing in it is a model entity. Every writer (Word, Excel, Markdown,
DOT, PlantUML, Mermaid, the review site to come) takes a view and decides only how
it looks, so a new format is a new writer over the views that exist:

    model + graph --(views.*)--> view --(writers.*)--> file

`as_data(view)` turns any view into JSON-able data (`mhhsarch render --only views`
writes them; tests snapshot them).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def as_data(value: Any) -> Any:
    """A view as plain JSON-able data: dataclasses become dicts (in field order), tuples lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [as_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): as_data(v) for k, v in value.items()}
    return value
