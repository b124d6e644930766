"""How unquoted (plain) YAML values are read, and where other YAML readers read them differently.

mhhsarch reads plain scalars exactly as the YAML 1.2 core schema does (YAML 1.2.2,
section 10.3.2). That is the schema yaml-language-server (the YAML support of VS Code and
other editors) reads with, so the editor and the validator see the same value: `02` is
the number 2 in both, `0123` the number 123 (a schema error where text is expected, with
a hint to quote it), `yes`, `off` and `2022-03-28` are text in both.

Other readers do not all agree with the core schema on numbers: YAML 1.1 readers (PyYAML,
which most Python scripts use) read `012` as octal 10, `1_000` as 1000, `12:30` as 750
and `1e3` as text; ruamel.yaml (which check-jsonschema and pre-commit's check-yaml use)
keeps YAML 1.1's number forms in YAML 1.2 mode, so it reads `1_000` and `0b101` as numbers
and `.5e3` as text. `reading_differs` finds every plain value that starts like a number
and that one of them reads differently, so the loader can say so (Y113) and suggest
quoting it. Booleans and dates are not reported: YAML 1.1's `yes`/`on` booleans and
dates are text in YAML 1.2, and the schemas say where a boolean or a date goes (S202).
"""

from __future__ import annotations

import math
import re
import sys

NUMBER_START = frozenset("0123456789-+.")
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
TRUE = frozenset({"true", "True", "TRUE"})
FALSE = frozenset({"false", "False", "FALSE"})

# --- the YAML 1.2 core schema (what mhhsarch reads) -------------------------------------
_CORE_INT = re.compile(r"[-+]?[0-9]+\Z")
_CORE_OCTAL = re.compile(r"0o[0-7]+\Z")
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_CORE_SPECIAL_FLOATS = {
    **{
        sign + text: -math.inf if sign == "-" else math.inf
        for sign in ("", "+", "-")
        for text in (".inf", ".Inf", ".INF")
    },
    **{text: math.nan for text in (".nan", ".NaN", ".NAN")},
}


def core_number(text: str) -> int | float | str:
    """The YAML 1.2 core schema value of a plain scalar that starts like a number
    (its first character is in NUMBER_START): an int, a float, or the text itself."""
    if _CORE_INT.match(text):
        # Python refuses to convert very long decimal text (int_max_str_digits): such a
        # value stays text, and reading_differs reports it.
        limit = sys.get_int_max_str_digits()
        return int(text) if not limit or len(text.lstrip("+-")) <= limit else text
    if _CORE_OCTAL.match(text):
        return int(text[2:], 8)
    if _CORE_HEX.match(text):
        return int(text[2:], 16)
    if _CORE_FLOAT.match(text):
        return float(text)
    return _CORE_SPECIAL_FLOATS.get(text, text)


# --- how other readers read numbers ------------------------------------------------------
# The regular expressions and conversions of PyYAML's resolver (YAML 1.1) and of
# ruamel.yaml's YAML 1.2 resolver, for the number tags only (first match wins, floats
# before ints, as in both). A reader that would fail on the value is `_FAILS`.

_FAILS = object()

_YAML11_FLOAT = re.compile(
    r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))\Z""",
    re.X,
)
_YAML11_INT = re.compile(
    r"""(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\Z""",
    re.X,
)
_RUAMEL_FLOAT = re.compile(
    r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))\Z""",
    re.X,
)
_RUAMEL_INT = re.compile(r"(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)\Z")


def _sign_and_digits(text: str) -> tuple[int, str]:
    digits = text.replace("_", "")
    if digits[:1] in ("+", "-"):
        return (-1 if digits[0] == "-" else 1), digits[1:]
    return 1, digits


def _sexagesimal(digits: str, number) -> int | float:
    value = 0
    for part in digits.split(":"):
        value = value * 60 + number(part)
    return value


def _yaml11_reading(text: str):
    try:
        if _YAML11_FLOAT.match(text):
            sign, digits = _sign_and_digits(text.lower())
            if digits == ".inf":
                return sign * math.inf
            if digits == ".nan":
                return math.nan
            return sign * (_sexagesimal(digits, float) if ":" in digits else float(digits))
        if _YAML11_INT.match(text):
            sign, digits = _sign_and_digits(text)
            if digits == "0":
                return 0
            if digits.startswith("0b"):
                return sign * int(digits[2:], 2)
            if digits.startswith("0x"):
                return sign * int(digits[2:], 16)
            if digits.startswith("0"):
                return sign * int(digits, 8)
            return sign * (_sexagesimal(digits, int) if ":" in digits else int(digits))
    except (ValueError, IndexError):
        return _FAILS
    return text


def _ruamel_reading(text: str):
    try:
        if _RUAMEL_FLOAT.match(text):
            sign, digits = _sign_and_digits(text.lower())
            if digits == ".inf":
                return sign * math.inf
            if digits == ".nan":
                return math.nan
            return sign * float(digits)
        if _RUAMEL_INT.match(text):
            sign, digits = _sign_and_digits(text)
            if digits == "0":
                return 0
            for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
                if digits.startswith(prefix):
                    return sign * int(digits[2:], base)
            return sign * int(digits)
    except (ValueError, IndexError):
        return _FAILS
    return text


_OTHER_READERS = (("YAML 1.1 readers (PyYAML)", _yaml11_reading), ("ruamel.yaml (check-jsonschema)", _ruamel_reading))
# Decimal integers without leading zeros and decimal fractions with digits on both sides
# of the point: every reader reads these alike, and they are nearly all numbers in a model.
_READ_ALIKE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\Z")


def _same(one, other) -> bool:
    if type(one) is not type(other):
        return False
    if isinstance(one, float) and math.isnan(one):
        return math.isnan(other)
    return one == other


def _shown(value) -> str:
    if value is _FAILS:
        return "an error"
    if isinstance(value, str):
        return "text"
    if isinstance(value, float) and not math.isfinite(value):
        return "the number .nan" if math.isnan(value) else f"the number {'-' if value < 0 else ''}.inf"
    return f"the number {value!r}"


def reading_differs(text: str, value) -> str | None:
    """Why another YAML reader reads the plain scalar `text` (which mhhsarch read as `value`)
    differently, as a message that says to quote it; None when they all agree."""
    if _READ_ALIKE.match(text) and len(text) < 100:
        return None
    if isinstance(value, str) and _CORE_INT.match(text):
        return f"`{_cut(text)}` has too many digits to be read as a number and is read as text; quote it"
    differing: dict[str, list[str]] = {}
    for reader, reading in _OTHER_READERS:
        other = reading(text)
        if not _same(other, value):
            differing.setdefault(_shown(other), []).append(reader)
    if not differing:
        return None
    others = "; ".join(_they_read(readers, shown) for shown, readers in differing.items())
    # the number as every reader reads it: mhhsarch's own reading, else another reader's
    if isinstance(value, str):
        number = next((n for n in map(_reading_of, differing) if n), None)
    else:
        number = _reading_of(_shown(value))
    advice = f'quote it ("{_cut(text)}") if it is text'
    if number and number != text:
        advice += f", or write {number} for the number"
    return f"YAML 1.2 reads the unquoted `{_cut(text)}` as {_shown(value)}, but {others}; {advice}"


def _they_read(readers: list[str], shown: str) -> str:
    plural = len(readers) > 1 or readers[0].startswith("YAML 1.1 readers")
    if shown == "an error":
        return f"{' and '.join(readers)} {'fail' if plural else 'fails'} on it"
    return f"{' and '.join(readers)} {'read' if plural else 'reads'} {shown}"


def _reading_of(shown: str) -> str | None:
    return shown.removeprefix("the number ") if shown.startswith("the number ") else None


def _cut(text: str) -> str:
    return text if len(text) <= 20 else f"{text[:8]}...{text[-4:]} ({len(text)} characters)"
