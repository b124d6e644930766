r"""The schema pass: each entity against its kind's JSON Schema (the file contract).

The Rust-backed `jsonschema_rs` answers "valid?" for every entity; only the few
that fail are re-checked with python-jsonschema for detailed, located errors.
That keeps the JSON Schemas as the one contract while validation stays within a
small factor of the bare YAML parse (benchmarks/).

The two must agree on what is valid. JSON Schema patterns are ECMA-262 regular
expressions, which jsonschema_rs implements; python-jsonschema uses Python's `re`,
where `$` also matches before a trailing newline and `\d` matches any Unicode
digit. The detailed validator therefore checks `pattern` with ECMA-262 meaning
(`_ecma_regex`), so that an id such as "DI-001\n" is reported, not waved through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

import jsonschema_rs

from mhhsarch.diagnostics.core import Finding
from mhhsarch.model.entities import Origin

SCHEMA_PACKAGE = "mhhsarch.schemas"

# Fields whose pattern is a value's form rather than an id: what to call a wrong one.
VALUE_PATTERNS = {
    "repeats": "count or range of occurrences (1, 48, 0..1, 1..* or 46..50)",
}

# Why a field must have one value here (a `const` of an if/then in the schema).
CONST_HINTS = {
    "mandatory": " (an item with a `condition` is conditional)",
    "transport": " (an interface with a `dtc_flow` is a DTC flow kept on the DTN: no facsimiles of DTC flows on the DIP)",
}

# Older fields still read, which must not be given beside the field that supersedes them.
SUPERSEDED_BY = {"review_start": "reviews", "review_end": "reviews"}

# Fields an earlier metamodel had, per schema: old name -> (new name, how to write it).
# The schema rejects the old field; this says what to write instead, and the missing
# new field is not reported a second time.
REPLACED_FIELDS = {
    "interface.schema.json": {
        "sender": ("senders", "the list of roles that send the interface: write `senders: [{value}]`"),
    },
}


def schema_names() -> list[str]:
    return sorted(p.name for p in resources.files(SCHEMA_PACKAGE).iterdir() if p.name.endswith(".schema.json"))


@cache
def load_schema(name: str) -> dict:
    return json.loads(resources.files(SCHEMA_PACKAGE).joinpath(name).read_text(encoding="utf-8"))


@cache
def _fast_validator(name: str):
    return jsonschema_rs.validator_for(load_schema(name))


@cache
def _detailed_validator(name: str):
    # imported only when something is wrong
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})(load_schema(name))


def _ecma_pattern(validator, pattern: str, instance, schema):
    """The `pattern` keyword with ECMA-262 meaning (see the module docstring)."""
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _ecma_regex(pattern: str) -> re.Pattern:
    r"""A Python regex that matches what the ECMA-262 `pattern` (without flags) matches,
    for the syntax the schemas use: `$` outside a character class is the end of the
    text (`\Z`), and `\d`, `\w`, `\s` are ASCII (re.ASCII)."""
    translated = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        translated.append(char)
    return re.compile("".join(translated), re.ASCII)


def check(schema_name: str, instance, origin: Origin, entity_id: str | None) -> list[tuple[str, Finding]]:
    """Return (code, finding) pairs for every way `instance` breaks the schema."""
    try:
        if _fast_validator(schema_name).is_valid(instance):
            return []
    except (ValueError, TypeError):
        # Not JSON data: a mapping key that is not text. The loader reports and drops
        # such keys (Y109), so this is a second line of defence for other callers.
        return list(_non_text_keys(instance, (), origin, entity_id))
    validator = _detailed_validator(schema_name)
    problems: list[tuple[str, Finding]] = []
    errors = sorted(validator.iter_errors(instance), key=lambda err: [str(p) for p in err.absolute_path])
    replaced = REPLACED_FIELDS.get(schema_name, {})
    for error in errors:
        problems.extend(_describe(error, origin, entity_id, replaced))
    if not problems:  # the two validators disagree: never let the entity pass silently
        problems.append(
            (
                "S206",
                Finding(
                    f"{_subject(entity_id, ())}: does not match its schema {schema_name}", origin.span(), entity_id
                ),
            )
        )
    return problems


def _non_text_keys(value, path: tuple, origin: Origin, entity_id) -> Iterator[tuple[str, Finding]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                where = _subject(entity_id, path)
                yield "Y109", Finding(f"{where}: mapping key {key!r} is not text", origin.span(*path), entity_id)
            else:
                yield from _non_text_keys(item, (*path, key), origin, entity_id)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_text_keys(item, (*path, index), origin, entity_id)


def _describe(error, origin: Origin, entity_id, replaced: dict | None = None) -> Iterator[tuple[str, Finding]]:
    path = tuple(error.absolute_path)
    where = _subject(entity_id, path)
    kind = error.validator
    replaced = replaced if replaced and not path else {}  # the replaced fields are top-level fields of an entity
    if kind == "required":
        missing = error.message.split("'")[1] if error.message.count("'") >= 2 else error.message
        written_as_old = any(new == missing and old in error.instance for old, (new, _) in replaced.items())
        if not written_as_old:  # reported once, at the old field
            yield "S201", Finding(f"{where}: required field `{missing}` is missing", origin.span(*path), entity_id)
    elif kind == "additionalProperties":
        allowed = error.schema.get("properties", {})
        for key in error.instance:
            if key in replaced:
                new, how = replaced[key]
                value = error.instance[key]
                how = how.format(value=value if isinstance(value, str) else "...")
                message = f"{where}: `{key}` was replaced by `{new}`, {how}"
                yield "S203", Finding(message, origin.span(*path, key, key=True), entity_id)
            elif key not in allowed and not (isinstance(key, str) and key.startswith("x-")):
                hint = _closest(key, allowed)
                message = f"{where}: unknown field `{key}`"
                message += f" (did you mean `{hint}`?)" if hint else " (own fields must start with `x-`)"
                yield "S203", Finding(message, origin.span(*path, key, key=True), entity_id)
    elif kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        got = _describe_value(error.instance)
        message = f"{where} must be {_article(expected)}{expected}, not {got}"
        if expected == "boolean" and isinstance(error.instance, str):
            message += " (write true or false)"
        elif "string" in expected:
            message += _quote_hint(origin, path, error.instance)
        yield "S202", Finding(message, origin.span(*path), entity_id)
    elif kind == "const":
        expected = _describe_value(error.validator_value)
        hint = CONST_HINTS.get(path[-1], "") if path and isinstance(path[-1], str) else ""
        yield (
            "S204",
            Finding(
                f"{where} is {_describe_value(error.instance)}; it must be {expected}{hint}",
                origin.span(*path),
                entity_id,
            ),
        )
    elif kind == "not" and error.validator_value == {} and path and path[-1] in SUPERSEDED_BY:
        yield (
            "S203",
            Finding(
                f"{where}: `{path[-1]}` is the older form of `{SUPERSEDED_BY[path[-1]]}`; give one of them, "
                f"not both (write the dates in `{SUPERSEDED_BY[path[-1]]}`)",
                origin.span(*path, key=True),
                entity_id,
            ),
        )
    elif kind == "enum":
        allowed = ", ".join(_describe_value(v).strip("'") for v in error.validator_value)
        message = f"{where} is {_describe_value(error.instance)}; allowed: {allowed}"
        if any(isinstance(v, str) for v in error.validator_value):
            message += _quote_hint(origin, path, error.instance)
        yield "S204", Finding(message, origin.span(*path), entity_id)
    elif kind == "pattern":
        field = path[-1] if path and isinstance(path[-1], str) else None
        if field in VALUE_PATTERNS:
            message = f"{where}: {_describe_value(error.instance)} is not a {VALUE_PATTERNS[field]}"
        else:
            what = "id" if field == "id" else "reference"
            message = (
                f"{where}: {_describe_value(error.instance)} is not a valid {what} "
                f"(must match {error.validator_value}{_pattern_hint(error.instance)})"
            )
        yield "S205", Finding(message, origin.span(*path), entity_id)
    else:
        yield "S206", Finding(f"{where}: {error.message}", origin.span(*path), entity_id)


def _quote_hint(origin: Origin, path: tuple, value) -> str:
    """Where text was meant but YAML read an unquoted value as a number, a boolean or
    empty (`name: 0123`, `code: 1.10`): what YAML made of it and how to keep the text."""
    if isinstance(value, str):
        return ""
    written = origin.file.plain_text(origin.path + path)
    if not written:
        return ""
    what = "a boolean" if isinstance(value, bool) else "empty" if value is None else "a number"
    return f' (YAML reads the unquoted {written} as {what}; quote it: "{written}")'


def _pattern_hint(value) -> str:
    """Why a value that looks right may not match: the invisible reasons."""
    if not isinstance(value, str):
        return ""
    if not value.isascii():
        return "; ids are plain ASCII: no look-alike letters or digits"
    if value != value.strip():
        return "; no leading or trailing spaces or line breaks"
    return ""


def _subject(entity_id, path) -> str:
    inner = _field_name(path) if path else None
    head = str(entity_id) if entity_id is not None else "entity"
    return f"{head} {inner}" if inner else head


def _field_name(path: tuple) -> str:
    if not path:
        return "entity"
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return f"field `{text}`"


def _describe_value(value) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _article(word: str) -> str:
    return "an " if word[:1] in "aeiou" else "a "


def _closest(key, candidates) -> str | None:
    import difflib

    matches = difflib.get_close_matches(str(key), list(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None
