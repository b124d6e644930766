"""The diagnostic types every stage reports with.

A finding always points at a place in a model file (`SourceSpan`); positions are
stored 1-based, the way people and CI systems show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, order=True)
class SourceSpan:
    """A region of a model file; `path` is POSIX and relative to the working directory."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    """What a rule yields: the runner turns it into a Diagnostic with code and severity."""

    message: str
    span: SourceSpan
    entity_id: str | None = None
    related: tuple[SourceSpan, ...] = ()


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: SourceSpan
    entity_id: str | None = None
    related: tuple[SourceSpan, ...] = field(default=())

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.column, self.code, self.message)

    def to_dict(self) -> dict:
        data = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.span.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "entity": self.entity_id,
        }
        if self.related:
            data["related"] = [{"file": r.path, "line": r.line, "column": r.column} for r in self.related]
        return data


def summarise(diagnostics: list[Diagnostic]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity.value] += 1
    return counts
