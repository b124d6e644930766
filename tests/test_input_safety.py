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
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import copy_model
from mhhsarch.checks import schema
from mhhsarch.checks.schema import load_schema, schema_names
from mhhsarch.diagnostics import formatters
from mhhsarch.diagnostics.core import printable
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


# --- reading outside the model (class 2) ------------------------------------------------


def test_symlink_to_a_file_outside_is_refused_and_never_read(project):
    outside = project / "elsewhere"
    outside.mkdir()
    (outside / "secrets.yaml").write_text(f"{SECRET}: {SECRET}\nroles:\n  - id: {SECRET}\n", encoding="utf-8")
    (project / "model" / "leak.yaml").symlink_to(outside / "secrets.yaml")
    (project / "model" / "interfaces" / "relative.yml").symlink_to("../../elsewhere/secrets.yaml")

    for fmt in FORMATS:
        done = run(project, "validate", "model", "--strict", "--format", fmt)
        assert done.returncode == 1, (fmt, done.stdout, done.stderr)
        assert SECRET not in done.stdout + done.stderr, fmt
        assert "model/leak.yaml" in done.stdout and "model/interfaces/relative.yml" in done.stdout, fmt
    found = diagnostics_of(run(project, "validate", "model", "--format", "json"))
    assert {(d["code"], d["file"]) for d in found} == {
        ("Y110", "model/leak.yaml"),
        ("Y110", "model/interfaces/relative.yml"),
    }
    assert all("outside the model folder" in d["message"] for d in found)

    # The refused file shows no source line (the text format shows them for model files).
    text = run(project, "validate", "model").stdout.splitlines()
    refused = [i for i, line in enumerate(text) if "[Y110]" in line]
    assert refused and all(not text[i + 1].lstrip().startswith("1 |") for i in refused)

    # Neither stats nor render read it either.
    for args in (("stats", "model"), ("stats", "model", "--format", "json"), ("render", "model", "--out", "out")):
        done = run(project, *args)
        assert SECRET not in done.stdout + done.stderr and "Traceback" not in done.stderr, args


def test_mhhsarch_yaml_linked_outside_is_refused(project):
    (project / "settings.yaml").write_text(f"name: {SECRET}\n", encoding="utf-8")
    (project / "model" / "mhhsarch.yaml").unlink()
    (project / "model" / "mhhsarch.yaml").symlink_to(project / "settings.yaml")
    done = run(project, "validate", "model", "--format", "json")
    assert done.returncode == 1 and SECRET not in done.stdout
    assert codes_at(done) == {("Y110", "model/mhhsarch.yaml")}


def test_symlinked_folder_outside_is_refused_and_never_read(project):
    outside = project / "shared"
    outside.mkdir()
    (outside / "roles.yaml").write_text(f"roles:\n  - id: X\n    name: {SECRET}\n    category: supplier\n")
    (project / "model" / "shared").symlink_to(outside, target_is_directory=True)
    done = run(project, "validate", "model", "--strict", "--format", "json")
    assert done.returncode == 1 and SECRET not in done.stdout + done.stderr
    [finding] = diagnostics_of(done)
    assert (finding["code"], finding["file"]) == ("Y110", "model/shared")
    assert "folder outside the model folder" in finding["message"]


def test_symlinks_inside_the_model_are_followed_and_each_file_read_once(project):
    model = project / "model"
    # a folder linked twice, one link looping back to the root: read once, no duplicate id
    (model / "processes" / "interfaces-again").symlink_to("../interfaces", target_is_directory=True)
    (model / "loop").symlink_to(".", target_is_directory=True)
    (model / "same-market.yaml").symlink_to("market.yaml")
    # a hidden folder is not walked, but a link to it is followed
    (model / ".drafts").mkdir()
    (model / ".drafts" / "extra.yaml").write_text("segments:\n  - id: DRAFTSEG\n    name: Draft segment\n")
    (model / "drafts").symlink_to(".drafts", target_is_directory=True)
    done = run(project, "validate", "model", "--strict", "--format", "json")
    assert done.returncode == 0, done.stdout
    assert diagnostics_of(done) == []
    stats = json.loads(run(project, "stats", "model", "--format", "json").stdout)
    assert stats["kinds"]["segments"] == 3 and stats["kinds"]["interfaces"] == 2


def test_broken_and_looping_symlinks_are_reported(project):
    model = project / "model"
    (model / "gone.yaml").symlink_to("no-such-file.yaml")
    (model / "self.yaml").symlink_to("self.yaml")
    (model / "gone-folder").symlink_to("no-such-folder", target_is_directory=True)
    done = run(project, "validate", "model", "--format", "json")
    assert done.returncode == 1
    assert codes_at(done) == {("Y105", "model/gone.yaml"), ("Y105", "model/self.yaml"), ("Y105", "model/gone-folder")}


# --- nothing skipped silently (class 3) -----------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifos_are_reported_and_never_opened(project):
    """Opening a FIFO waits for a writer: a loader that opened one would hang, and the
    timeout would fail the test."""
    model = project / "model"
    os.mkfifo(model / "pipe.yaml")
    os.mkfifo(project / "outside-pipe")
    (model / "linked-pipe.yaml").symlink_to("pipe.yaml")
    (model / "outside-pipe.yaml").symlink_to(project / "outside-pipe")
    (model / "mhhsarch.yaml").unlink()
    os.mkfifo(model / "mhhsarch.yaml")
    done = run(project, "validate", "model", "--strict", "--format", "json", timeout=60)
    assert done.returncode == 1
    assert codes_at(done) == {
        ("Y111", "model/pipe.yaml"),
        ("Y111", "model/linked-pipe.yaml"),
        ("Y110", "model/outside-pipe.yaml"),
        ("Y111", "model/mhhsarch.yaml"),
    }
    assert "FIFO" in diagnostics_of(done)[0]["message"]
    for args in (("stats", "model"), ("render", "model", "--out", "out")):
        done = run(project, *args, timeout=60)
        assert "Traceback" not in done.stderr


# Tests run as root, where chmod 000 stops no read. The CLI below runs with os.scandir
# and os.open failing as they do for an unreadable folder and file, so these cases
# really run everywhere; test_unreadable_entries_for_real covers a non-root user.
_UNREADABLE = """
import errno, os, sys
real_scandir, real_open = os.scandir, os.open
def scandir(path="."):
    if os.fspath(path).endswith(os.sep + "data_catalogue"):
        raise PermissionError(errno.EACCES, "Permission denied", path)
    return real_scandir(path)
def open_(path, flags, *args, **kwargs):
    if os.fspath(path).endswith("IF-021.yaml"):
        raise PermissionError(errno.EACCES, "Permission denied", path)
    return real_open(path, flags, *args, **kwargs)
os.scandir, os.open = scandir, open_
sys.argv = ["mhhsarch", *sys.argv[1:]]
from mhhsarch.cli import main
main()
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_unreadable_folder_and_file_are_reported(project, fmt):
    done = subprocess.run(
        [sys.executable, "-c", _UNREADABLE, "validate", "model", "--strict", "--format", fmt],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "No problems found" not in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert "model/data_catalogue/" in done.stdout and "model/interfaces/IF-021.yaml" in done.stdout
    if fmt == "json":
        found = {(d["code"], d["file"], d["message"]) for d in diagnostics_of(done) if d["code"] == "Y105"}
        assert found == {
            (
                "Y105",
                "model/data_catalogue/",
                "cannot read folder: Permission denied; the model files in it are not checked",
            ),
            ("Y105", "model/interfaces/IF-021.yaml", "cannot read file: Permission denied"),
        }


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads through chmod 000")
def test_unreadable_entries_for_real(project):
    (project / "model" / "data_catalogue").chmod(0)
    (project / "model" / "interfaces" / "IF-021.yaml").chmod(0)
    try:
        done = run(project, "validate", "model", "--strict", "--format", "json")
    finally:
        (project / "model" / "data_catalogue").chmod(0o755)
    assert done.returncode == 1
    assert {("Y105", "model/data_catalogue/"), ("Y105", "model/interfaces/IF-021.yaml")} <= codes_at(done)


@pytest.mark.parametrize("content", ["nothing", "config only", "hidden and other files"])
def test_an_empty_model_folder_is_an_error(tmp_path, content):
    model = tmp_path / "model"
    model.mkdir()
    if content == "config only":
        (model / "mhhsarch.yaml").write_text("name: Empty\n")
    elif content == "hidden and other files":
        (model / ".hidden.yaml").write_text("roles: []\n")
        (model / "README.md").write_text("roles: []\n")
        (model / "sub").mkdir()
    done = run(tmp_path, "validate", "model", "--strict")
    assert done.returncode == 1
    assert "No problems found" not in done.stdout
    assert "model/:1:1: error: the model folder holds no model files (*.yaml or *.yml) [Y112]" in done.stdout


# --- mapping keys that are not text (class 4) -----------------------------------------

NON_TEXT_KEYS = {
    "1": "the number 1",
    "true": "the boolean true",
    "null": "empty (null)",
    "1.5": "the number 1.5",
    "[a, b]": "a list or mapping",
}


def _with_keys(path: Path, indent: str, nested_under: str | None = None) -> list[tuple[str, int, int]]:
    """Append one entry per non-text key to the file (at `indent`); (key, line, column) of each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    where = []
    if nested_under:
        lines.append(f"{indent}{nested_under}:")
        indent += "  "
    for key in NON_TEXT_KEYS:
        lines.append(f"{indent}{key}: off")
        where.append((key, len(lines), len(indent) + 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


@pytest.mark.parametrize(
    "place",
    ["entity field", "entity x- value", "file top level", "mhhsarch.yaml top level", "mhhsarch.yaml rules"],
)
def test_keys_that_are_not_text_are_located_in_validate_stats_and_render(project, place):
    model = project / "model"
    file, indent, nested = {
        "entity field": ("interfaces/IF-018.yaml", "  ", None),
        "entity x- value": ("interfaces/IF-018.yaml", "  ", "x-history"),
        "file top level": ("market.yaml", "", None),
        "mhhsarch.yaml top level": ("mhhsarch.yaml", "", None),
        "mhhsarch.yaml rules": ("mhhsarch.yaml", "", "rules"),
    }[place]
    where = _with_keys(model / file, indent, nested)

    done = run(project, "validate", "model", "--format", "json")
    assert done.returncode == 1
    found = diagnostics_of(done)
    assert {(d["code"], d["file"], d["line"], d["column"]) for d in found} == {
        ("Y109", f"model/{file}", line, column) for _key, line, column in where
    }
    for key, line, _column in where:
        [finding] = [d for d in found if d["line"] == line]
        assert finding["message"].startswith(f"mapping key is {NON_TEXT_KEYS[key]}, not text")

    for args in (("stats", "model"), ("stats", "model", "--format", "json")):
        done = run(project, *args)  # counted, and exit 1: the model has errors (Y109)
        assert done.returncode == 1 and "Traceback" not in done.stderr, (args, done.stderr)
    assert json.loads(run(project, "stats", "model", "--format", "json").stdout)["kinds"]["interfaces"] == 2

    done = run(project, "render", "model", "--only", "sequence", "--out", "out")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "[Y109]" in done.stderr and "nothing was rendered" in done.stderr


def test_render_with_force_leaves_the_non_text_keys_out(project):
    _with_keys(project / "model" / "interfaces" / "IF-018.yaml", "  ")
    _with_keys(project / "model" / "mhhsarch.yaml", "", "rules")
    done = run(project, "render", "model", "--only", "sequence", "--out", "out", "--force", timeout=180)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert (project / "out" / "diagrams" / "sequence" / "BP005.puml").is_file()


def test_the_schema_pass_survives_keys_that_are_not_text(project):
    """The loader drops such keys; the schema pass still never raises on them (jsonschema_rs
    refuses a dict whose keys are not text with a ValueError)."""
    from mhhsarch.model.entities import Origin
    from mhhsarch.source.yamlfile import read_yaml

    source = read_yaml(project / "model" / "market.yaml", "model/market.yaml")
    raw = {"id": "SUP", "name": "Supplier", "category": "supplier", 1: "x", "x-a": {None: 1}}
    found = schema.check("role.schema.json", raw, Origin(source, ("roles", 0)), "SUP")
    assert sorted((code, finding.message) for code, finding in found) == [
        ("Y109", "SUP field `x-a`: mapping key None is not text"),
        ("Y109", "SUP: mapping key 1 is not text"),
    ]


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
        "    senders: [REGS]\n"
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
    assert stats["kinds"]["data_items"] == 6  # the valid fixture's six


# Reference fields: where each schema names another kind's id. Together with the id
# fields this is every id pattern in the schemas; the test fails if a schema and
# kinds.py drift apart, or a pattern appears that neither this table nor the few
# patterns of other values below account for.
REFERENCE_FIELDS = {
    ("capability", "properties/roles/items"): ("role",),
    ("capability", "properties/parent"): ("capability",),
    ("data_item", "properties/valid_set"): ("valid_set",),
    ("data_item", "properties/owner"): ("role",),
    ("data_item", "properties/entity"): ("entity",),
    ("entity", "properties/relationships/items/properties/to"): ("entity",),
    ("interface", "properties/senders/items"): ("role",),
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
    ("interface", "properties/data_items/items/properties/repeats"),
    ("interface", "properties/dtc_flow/properties/ref"),
    ("interface", "properties/dtc_flow/properties/version"),
    ("interface", "properties/dtc_flow/properties/groups/items/properties/id"),
    ("interface", "properties/dtc_flow/properties/groups/items/properties/repeats"),
    ("tranche", "properties/reviews/items/properties/start"),
    ("tranche", "properties/reviews/items/properties/end"),
    # what a comment or a review round may name: test_artefact_id_patterns below
    ("tranche", "properties/reviews/items/properties/artefacts/items"),
    ("comment", "properties/artefact"),
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


def test_artefact_id_patterns():
    """A comment and a review round name an artefact: a process, an interface, a registered
    document or the data catalogue, with the forms of kinds.py."""
    from mhhsarch.model.kinds import CATALOGUE_ARTEFACT

    forms = [KINDS[k].id_form for k in ("process", "interface", "artefact")]
    expected = schema_pattern(*forms, CATALOGUE_ARTEFACT)
    assert load_schema("comment.schema.json")["properties"]["artefact"]["pattern"] == expected
    reviews = load_schema("tranche.schema.json")["properties"]["reviews"]["items"]["properties"]
    assert reviews["artefacts"]["items"]["pattern"] == expected
    assert not KINDS["artefact"].id_matches("BP005") and KINDS["artefact"].id_matches("METH005")


# --- control characters in every output format (class 10) -----------------------------

HOSTILE_NAMES = {
    "esc": "\x1b[2J\x1b]0;owned\x07evil.yaml",
    "del": "del\x7fete.yaml",
    "c1": "csi\u009b31m.yaml",
    "bidi": "txt.\u202eLMX.yaml",
}
RAW_BYTES = [b"\x1b", b"\x7f", b"\x07", "\u009b".encode(), "\u202e".encode()]


@pytest.fixture
def hostile_names(project) -> Path:
    model = project / "model"
    for name in HOSTILE_NAMES.values():
        # each file: an unknown top-level key and an unknown field holding controls
        (model / name).write_text(
            '"top\\e[31mlevel\\x7f": 1\nroles:\n  - {id: XR, name: X, category: supplier, "bad\\e]8;;x\\a\\x9b": 1}\n',
            encoding="utf-8",
        )
    with open(os.fsencode(model) + b"/not-utf8-\xff.yaml", "wb") as handle:  # a file name that is not UTF-8
        handle.write(b'"k\\e[5m": 1\n')
    return project


def _no_raw_controls(data: bytes, fmt: str) -> None:
    for raw in RAW_BYTES:
        assert raw not in data, (fmt, raw, data[:2000])


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_never_reach_any_format_raw(hostile_names, fmt):
    done = run(hostile_names, "validate", "model", "--format", fmt, text=False)
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    _no_raw_controls(done.stdout + done.stderr, fmt)
    text = done.stdout.decode("utf-8")  # valid UTF-8, also for the file name that is not
    assert printable(HOSTILE_NAMES["esc"]) in text or fmt in ("json", "sarif", "gitlab")
    if fmt == "junit":
        cases = ET.fromstring(done.stdout).iter("testcase")
        names = {case.get("classname") for case in cases}
        assert {f"model/{printable(n)}" for n in HOSTILE_NAMES.values()} | {"model/not-utf8-\\xff.yaml"} <= names
    elif fmt == "json":
        # JSON escapes them as \u sequences, which read back to the file names themselves
        files = {d["file"] for d in json.loads(text)["diagnostics"]}
        assert {f"model/{n}" for n in HOSTILE_NAMES.values()} <= files
        assert any("[31m" in d["message"] and "\x1b" in d["message"] for d in json.loads(text)["diagnostics"])
    elif fmt == "gitlab":  # JSON too: the paths read back to the file names themselves
        paths = {issue["location"]["path"] for issue in json.loads(text)}
        assert {f"model/{n}" for n in HOSTILE_NAMES.values()} <= paths
    elif fmt == "sarif":
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(text)["runs"][0]["results"]
        }
        assert "model/%1B%5B2J%1B%5D0%3Bowned%07evil.yaml" in uris and "model/not-utf8-%FF.yaml" in uris


def test_junit_to_a_file_is_valid_xml_with_hostile_names(hostile_names):
    done = run(hostile_names, "validate", "model", "--format", "junit", "--output", "report.xml")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    data = (hostile_names / "report.xml").read_bytes()
    _no_raw_controls(data, "junit file")
    suites = ET.fromstring(data).findall("testsuite")
    assert len(suites) >= len(HOSTILE_NAMES) + 1


def test_text_in_colour_has_only_its_own_escape_sequences(hostile_names):
    done = run(hostile_names, "validate", "model", env={"FORCE_COLOR": "1"}, text=False)
    assert done.returncode == 1
    own = sorted({code.encode() for code in formatters._COLOURS.values()}, key=len, reverse=True)
    assert formatters._COLOURS["error"].encode() in done.stdout  # colour is on
    stripped = done.stdout
    for code in own:
        stripped = stripped.replace(code, b"")
    _no_raw_controls(stripped, "text in colour")
    assert b"\\x1b[31m" in stripped  # the model's own sequence, shown, not run


def test_stats_escapes_the_model_name(project):
    (project / "model" / "mhhsarch.yaml").write_text('name: "[red]Model\\e[2J\\x7f"\nversion: "1"\n')
    done = run(project, "stats", "model", text=False)
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    _no_raw_controls(done.stdout, "stats")
    assert b"[red]Model\\x1b[2J\\x7f" in done.stdout


# --- a control character in the file (class 11) -----------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"), [(b"\x7f", "U+007F (DEL)"), (b"\x1b", "U+001B (ESC)"), ("\u009b".encode(), "U+009B")]
)
def test_a_raw_control_character_is_reported_at_its_line_and_column(project, raw, name):
    (project / "model" / "control.yaml").write_bytes(
        b"roles:\n  - id: XR\n    name: Caf\xc3\xa9 " + raw + b"x\n    category: supplier\n"
    )
    done = run(project, "validate", "model", "--format", "json")
    [finding] = [d for d in diagnostics_of(done) if d["file"] == "model/control.yaml"]
    assert (finding["code"], finding["line"], finding["column"]) == ("Y101", 3, 16)
    assert f"the control character {name} is not allowed" in finding["message"]
    text = run(project, "validate", "model", text=False).stdout
    _no_raw_controls(text, "text")
    assert b"    3 |     name: Caf\xc3\xa9 \\x" in text  # the source line, its control escaped
