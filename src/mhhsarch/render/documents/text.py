"""Display text: what model text becomes in every artefact, Word, Excel and diagrams alike.

Model text is data, never markup: it is written as literal characters (python-docx
and openpyxl escape `<`, `&`; the diagram writers escape for their own syntax).
One policy for which characters are shown, applied by `clean` here and by the
diagram writers through `diagrams.common.clean` (which only joins lines):

- Zero-width and bidirectional control characters are removed: U+061C, U+200B–U+200F,
  U+202A–U+202E, U+2060, U+2066–U+2069, U+FEFF. They draw nothing, and in a name they
  only hide or reorder what a reviewer reads ("Trojan Source" text).
- Other control characters (C0 other than tab, line feed and carriage return; DEL;
  C1), lone surrogates, U+FFFE and U+FFFF become U+FFFD, so a reviewer sees that
  something was there. (Most of these are characters XML 1.0 cannot hold at all.)
- Everything else, emoji and right-to-left scripts included, is kept as it is.
"""

from __future__ import annotations

import re

INVISIBLE = "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
ELLIPSIS = "\u2026"


def clean(value) -> str:
    """`value` as display text ('' for None): invisible characters removed, unshowable
    ones replaced by U+FFFD; line breaks and tabs kept."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _UNSHOWABLE.sub(REPLACEMENT, text.translate(_DROP_INVISIBLE))


def shorten(value, limit: int) -> str:
    """`value` cleaned, on one line, and at most `limit` characters: a longer text is cut
    at a word boundary where there is one near the end, and ends with an ellipsis, so
    a reader sees that it goes on (page headers, document properties)."""
    text = " ".join(clean(value).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def yes_no(value: bool | None, unknown: str = "not stated") -> str:
    return unknown if value is None else ("Yes" if value else "No")


def thousands(value: int | None, unknown: str = "not stated") -> str:
    return unknown if value is None else f"{value:,}"


def data_size(n_bytes: float | None, unknown: str = "not stated") -> str:
    """Bytes in decimal units, as a reviewer reads them: 3,000 -> '3.0 kB'."""
    if n_bytes is None:
        return unknown
    size = float(n_bytes)
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if size < 1000 or unit == "PB":
            return f"{int(size):,} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
