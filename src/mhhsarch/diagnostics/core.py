"""The diagnostic types every stage reports with.

A finding always points at a place in a model file (`SourceSpan`); positions are
stored 1-based, the way people and CI systems show them.
"""

from __future__ import annotations

import re
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
        data: dict[str, object] = {
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


# Characters that must not reach a terminal, a CI log or an XML report raw: C0 and C1
# controls (ESC starts terminal escape sequences, C1 0x9b is a one-byte CSI), DEL,
# line and paragraph separators, the bidirectional overrides that reorder what a
# line shows, lone surrogates (a file name that is not UTF-8) and the two
# non-characters XML 1.0 forbids.
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
UNPRINTABLE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
# What json.dumps leaves raw of them (it escapes C0 controls itself).
UNPRINTABLE_IN_JSON = re.compile(f"[{_BEYOND_C0}]")
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible_escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (Python's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """`text` with every unprintable character (see UNPRINTABLE) written as a visible
    escape, `\\x1b`, `\\n`, `\\u202e`: what a report shows of model content and file names.
    The result is terminal-safe, valid XML 1.0 text, and one line unless `keep` names
    line breaks or tabs a format may hold (a GitHub annotation's %0A, JUnit's text)."""
    if not keep:
        return UNPRINTABLE.sub(_visible_escape, text)
    return UNPRINTABLE.sub(lambda match: match.group() if match.group() in keep else _visible_escape(match), text)
