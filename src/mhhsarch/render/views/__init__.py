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

_PLAIN = (str, int, float, bool, type(None))


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass, None for any other type (cached: the site converts
    hundreds of thousands of view objects)."""
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
    return _FIELDS[cls]


def as_data(value: Any) -> Any:
    """A view as plain JSON-able data: dataclasses become dicts (in field order), tuples lists."""
    if isinstance(value, _PLAIN):
        return value
    names = field_names(type(value))
    if names is not None:
        return {name: as_data(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [as_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): as_data(v) for k, v in value.items()}
    return value
