"""What the loader refuses, and what no report lets through, tested as a hostile or
unlucky user meets it: through the real command line in a subprocess (exit status,
what is printed), with a timeout wherever a bug would hang.

* reading outside the model: symlinks to files and folders outside are refused (Y110)
  and never read; links that stay inside are followed, each real file read once;
* nothing skipped silently: unreadable folders and files (Y105), FIFOs (Y111), an
  empty model folder (Y112);
* mapping keys that are not text (Y109), in entities and in mhhsarch.yaml, through
  validate, stats and render;
* ids: plain ASCII, the whole text (no trailing newline, no look-alike digits), in the
  schema pass and in code; one source for the id patterns (kinds.py);
* control characters in keys and file names never reach a report raw, in any format;
  JUnit is always valid XML;
* a raw DEL is reported at its own line and column.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_model
from mhhsarch.checks import schema
from mhhsarch.checks.schema import load_schema, schema_names
from mhhsarch.diagnostics import formatters
from mhhsarch.model.kinds import KINDS, schema_pattern

FORMATS = sorted(formatters.FORMATTERS)
SECRET = "hunter2-do-not-print-7f3a"


def run(cwd: Path, *args, env=None, timeout=60, text=True):
    """The real CLI in a subprocess; a hang fails the test through the timeout."""
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=text,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def diagnostics_of(done) -> list[dict]:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)["diagnostics"]


def codes_at(done) -> set[tuple[str, str]]:
    return {(d["code"], d["file"]) for d in diagnostics_of(done)}


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder holding `model/` (a copy of the valid fixture) and room beside it."""
    copy_model(tmp_path / "model")
    return tmp_path


# --- identifiers (class 5) ----------------------------------------------------------------

# A valid id of each kind: the check below also proves it is valid, so the bad forms
# derived from it fail for the one reason they are meant to.
SAMPLE_IDS = {
    "segment": "SMART",
    "role": "SUP",
    "service": "SVC-DATA",
    "capability": "CAP-REG",
    "process": "BP005",
    "interface": "IF-021",
    "data_item": "DI-001",
    "valid_set": "VS-STATUS",
    "entity": "ENT-MPAN",
    "principle": "DP-03",
    "comment": "C-0001",
}
ARABIC_INDIC_ZERO = "\u0660"


def _look_alikes(good: str) -> list[str]:
    """The id with a trailing newline, other line ends and spaces, and with its digits
    (or, if it has none, one letter) replaced by look-alikes."""
    bad = [good + "\n", good + "\r\n", "\n" + good, good + " ", good + "\u2028"]
    if any(ch.isdigit() for ch in good):
        bad.append("".join(chr(0x0660 + int(ch)) if ch.isdigit() else ch for ch in good))  # Arabic-Indic
        bad.append("".join(chr(0xFF10 + int(ch)) if ch.isdigit() else ch for ch in good))  # full width
    bad.append(good.replace(good[0], "\u0405" if good[0] == "S" else "\u0410", 1))  # Cyrillic Ѕ / А
    return bad


@pytest.mark.parametrize("kind", sorted(SAMPLE_IDS))
def test_ids_are_plain_ascii_and_the_whole_text_in_code_and_both_schema_validators(kind):
    entry = KINDS[kind]
    good = SAMPLE_IDS[kind]
    property_schema = load_schema(entry.schema_file)["properties"]["id"]
    fast = __import__("jsonschema_rs").validator_for(property_schema)
    detailed = schema._detailed_validator(entry.schema_file)
    assert entry.id_matches(good) and fast.is_valid(good)
    assert not list(detailed.descend(good, property_schema))
    for bad in _look_alikes(good):
        assert not entry.id_matches(bad), repr(bad)
        assert not fast.is_valid(bad), repr(bad)
        assert list(detailed.descend(bad, property_schema)), repr(bad)


def test_ecma_regex_follows_ecma_262_where_python_differs():
    assert schema._ecma_regex("^DI-[0-9]{3,4}$").search("DI-001")
    assert not schema._ecma_regex("^DI-[0-9]{3,4}$").search("DI-001\n")
    assert not schema._ecma_regex(r"^\d$").search(ARABIC_INDIC_ZERO)
    assert schema._ecma_regex("^a[$]b$").search("a$b")  # `$` in a class is a dollar sign
    assert schema._ecma_regex(r"^a\$$").search("a$")  # and so is an escaped one


def test_ids_with_a_trailing_newline_or_unicode_digits_are_located_s205(project):
    (project / "model" / "more.yaml").write_text(
        "data_items:\n"
        '  - id: "DI-901\\n"\n'
        "    name: Trailing newline\n"
        "    type: string\n"
        f"  - id: DI-{ARABIC_INDIC_ZERO * 3}\n"
        "    name: Arabic-Indic digits\n"
        "    type: string\n"
        "interfaces:\n"
        "  - id: IF-901\n"
        "    name: Reference with a newline\n"
        "    sender: REGS\n"
        "    receivers: [SUP]\n"
        "    transport: DIP\n"
        "    data_items:\n"
        '      - ref: "DI-001\\n"\n',
        encoding="utf-8",
    )
    done = run(project, "validate", "model", "--format", "json")
    assert done.returncode == 1
    found = [d for d in diagnostics_of(done) if d["file"] == "model/more.yaml"]
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("S205", 2, 9), ("S205", 5, 9), ("S205", 15, 14)]
    assert "must match ^DI-[0-9]{3,4}$" in found[0]["message"] and "line breaks" in found[0]["message"]
    assert "plain ASCII" in found[1]["message"]
    # Neither entity made it into the model.
    stats = json.loads(run(project, "stats", "model", "--format", "json").stdout)
    assert stats["kinds"]["data_items"] == 4


# Reference fields: where each schema names another kind's id. Together with the id
# fields this is every id pattern in the schemas; the test fails if a schema and
# kinds.py drift apart, or a pattern appears that neither this table nor the few
# patterns of other values below account for.
REFERENCE_FIELDS = {
    ("capability", "properties/roles/items"): ("role",),
    ("capability", "properties/parent"): ("capability",),
    ("comment", "properties/artefact"): ("process", "interface"),
    ("data_item", "properties/valid_set"): ("valid_set",),
    ("data_item", "properties/owner"): ("role",),
    ("data_item", "properties/entity"): ("entity",),
    ("entity", "properties/relationships/items/properties/to"): ("entity",),
    ("interface", "properties/sender"): ("role",),
    ("interface", "properties/receivers/items"): ("role",),
    ("interface", "properties/principles/items"): ("principle",),
    ("interface", "properties/data_items/items/properties/ref"): ("data_item",),
    ("process", "properties/capabilities/items"): ("capability",),
    ("process", "properties/segments/items"): ("segment",),
    ("process", "properties/participants/items"): ("role",),
    ("process", "properties/principles/items"): ("principle",),
    ("process", "properties/steps/items/properties/actor"): ("role",),
    ("process", "properties/steps/items/properties/interface"): ("interface",),
    ("process", "properties/steps/items/properties/to/items"): ("role",),
    ("role", "properties/segments/items"): ("segment",),
    ("role", "properties/services/items"): ("service",),
    ("service", "properties/segments/items"): ("segment",),
}
OTHER_PATTERNS = {
    ("interface", "properties/version"),
    ("tranche", "properties/review_start"),
    ("tranche", "properties/review_end"),
    ("tranche", "properties/approval"),
}


def _patterns(node, path=()):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield "/".join(path), node["pattern"]
        for key, value in node.items():
            yield from _patterns(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _patterns(value, (*path, str(index)))


def test_the_schemas_id_patterns_come_from_kinds():
    expected = {(kind, "properties/id"): (kind,) for kind in KINDS if kind != "tranche"} | REFERENCE_FIELDS
    seen = set()
    for name in schema_names():
        kind = name.removesuffix(".schema.json")
        for path, pattern in _patterns(load_schema(name)):
            assert re.fullmatch(r"[\x20-\x7e]+", pattern) and "\\d" not in pattern, (name, path, pattern)
            if (kind, path) in OTHER_PATTERNS:
                continue
            assert (kind, path) in expected, f"{name} {path}: {pattern} is not in the table of id patterns"
            forms = [KINDS[k].id_form for k in expected[kind, path]]
            assert pattern == schema_pattern(*forms), f"{name} {path}: {pattern} differs from kinds.py"
            seen.add((kind, path))
    assert seen == set(expected), f"table entries the schemas lack: {set(expected) - seen}"
