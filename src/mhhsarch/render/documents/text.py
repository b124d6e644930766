"""Text that is safe to put into a Word or Excel file, whatever the model says.

Model text is data, never markup: it is written as literal characters (python-docx
and openpyxl escape `<`, `&`), after removing what XML 1.0 cannot hold at all
(control characters other than tab, line feed and carriage return; lone
surrogates; U+FFFE and U+FFFF). Such characters are replaced by U+FFFD so a
reviewer sees that something was there.
"""

from __future__ import annotations

import re

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def clean(value) -> str:
    """`value` as text that XML can carry ('' for None)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _XML_ILLEGAL.sub(REPLACEMENT, text)


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
