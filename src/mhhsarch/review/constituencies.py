"""Which configured constituency a reviewer meant: one matcher for rule C902 and the importer."""

from __future__ import annotations

import difflib
import re


def folded(text: str) -> str:
    """Case, spacing and the kind of dash ignored: 'supplier - large' ~ 'Supplier – Large'."""
    return " ".join(text.replace("\u2013", "-").replace("\u2014", "-").casefold().split())


def same_constituency(written: str, allowed: tuple[str, ...]) -> str | None:
    """The configured constituency `written` is, exactly or but for case, spacing and dashes."""
    if written in allowed:
        return written
    key = folded(written)
    return next((c for c in allowed if folded(c) == key), None)


def closest_constituency(written: str, allowed: tuple[str, ...]) -> str | None:
    """The constituency with the same words in another order ("Large Supplier"), else the
    closest spelling; None when nothing is close."""
    if not allowed:
        return None
    words = _words(written)
    best = max(allowed, key=lambda c: _overlap(words, _words(c)))
    if _overlap(words, _words(best)) >= 0.5:
        return best
    close = difflib.get_close_matches(folded(written), [folded(c) for c in allowed], n=1, cutoff=0.6)
    return next((c for c in allowed if close and folded(c) == close[0]), None)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z&]+", folded(text)))


def _overlap(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
