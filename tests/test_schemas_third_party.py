"""The exported JSON Schemas work in a third-party validator as they are: check-jsonschema
(a test extra) with no flag but `--schemafile`, from another folder, with no network.

It accepts every shipped model file, and rejects each broken fixture whose defect a JSON
Schema can express (the shape of a file: S2xx, unknown top-level keys, a list for a file,
keys that are not text), while it accepts the fixtures whose defects are semantic (dangling
references, process and data rules), which only mhhsarch checks.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import BAD_CASES, REPO
from mhhsarch.checks.registry import load_all_rules
from mhhsarch.schema_export import CONFIG_SCHEMA, MODEL_FILE_SCHEMA, exported_schemas
from test_rule_fixtures import CASES, expectations

SHAPE_CODES = {"S201", "S202", "S203", "S204", "S205", "S206", "S207", "Y103", "Y104", "Y109"}
SEMANTIC_FAMILIES = ("R", "P", "H", "D", "T", "W")


def offline_env() -> dict:
    """The environment with every HTTP(S) request sent to a closed local port: a schema
    that needed fetching would fail at once instead of reaching the network."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in {"no_proxy", "http_proxy", "https_proxy"}}
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_COLOR="1")
    return env


def export_schemas(folder: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "schema", "--out", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return folder


def check_jsonschema(schema: Path, files: list[Path], cwd: Path) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--output-format", "json", "--schemafile", str(schema)]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=offline_env(),
        timeout=300,
    )
    assert done.stdout.startswith("{"), done.stdout + done.stderr  # a report, not a crash
    return done.returncode, json.loads(done.stdout)


def rejected_files(result: dict) -> set[str]:
    return {Path(e["filename"]).as_posix() for e in result["errors"] + result["parse_errors"]}


def test_exported_schemas_have_no_id_and_only_relative_refs_to_files_beside_them():
    schemas = exported_schemas()

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for name, schema in schemas.items():
        assert "$id" not in schema, name
        for ref in refs(schema):
            assert ref.startswith("#") or ref in schemas, f"{name}: $ref {ref} is not a file beside it"


def test_exported_config_schema_lists_exactly_the_rule_codes():
    names = exported_schemas()[CONFIG_SCHEMA]["properties"]["rules"]["propertyNames"]["enum"]
    assert names == sorted(load_all_rules())


def test_check_jsonschema_accepts_every_shipped_model_file_with_no_flags(tmp_path):
    schemas = export_schemas(tmp_path / "exported" / "schemas")
    elsewhere = tmp_path / "elsewhere"  # neither the schemas' folder nor the model's
    elsewhere.mkdir()
    model = REPO / "model"
    files = sorted(p for p in model.rglob("*.yaml") if p.name != "mhhsarch.yaml")
    assert len(files) > 40
    status, result = check_jsonschema(schemas / MODEL_FILE_SCHEMA, files, elsewhere)
    assert (status, result["status"]) == (0, "ok"), result
    status, result = check_jsonschema(schemas / CONFIG_SCHEMA, [model / "mhhsarch.yaml"], elsewhere)
    assert (status, result["status"]) == (0, "ok"), result


def test_check_jsonschema_rejects_each_schema_level_fixture_and_accepts_the_semantic_ones(tmp_path):
    schemas = export_schemas(tmp_path / "schemas")
    shape_files, semantic_files = set(), set()
    for case in CASES:
        codes = {code for code, *_ in expectations(BAD_CASES / case, Path("model"))}
        files = {p.relative_to(REPO).as_posix() for p in (BAD_CASES / case).rglob("*.yaml")}
        if codes & SHAPE_CODES:
            shape_files |= files
        elif all(code.startswith(SEMANTIC_FAMILIES) for code in codes):
            semantic_files |= files
    assert len(shape_files) >= 10 and len(semantic_files) >= 15

    config_files = sorted(f for f in shape_files | semantic_files if f.endswith("/mhhsarch.yaml"))
    model_files = sorted((shape_files | semantic_files) - set(config_files))
    status, result = check_jsonschema(schemas / MODEL_FILE_SCHEMA, [Path(f) for f in model_files], REPO)
    assert status == 1
    rejected = rejected_files(result)
    status, result = check_jsonschema(schemas / CONFIG_SCHEMA, [Path(f) for f in config_files], REPO)
    assert status == 1
    rejected |= rejected_files(result)

    assert shape_files - rejected == set(), "check-jsonschema accepted a schema-level defect"
    assert semantic_files & rejected == set(), "check-jsonschema rejected a file whose shape is right"
