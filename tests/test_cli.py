"""The command line as CI and people use it: exit statuses, --output, --strict,
schema export, rules and stats."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import BAD_CASES, copy_model
from mhhsarch import __version__
from mhhsarch.checks.registry import load_all_rules
from mhhsarch.cli import app
from mhhsarch.model import entities
from mhhsarch.model.kinds import KINDS

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_clean_model_exits_0(valid_model):
    result = invoke("validate", "model")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No problems found (13 files")


def test_errors_exit_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_model(tmp_path / "model", BAD_CASES / "R302-dangling-reference")
    result = invoke("validate", "model")
    assert result.exit_code == 1
    assert "model/data_catalogue/valid_sets.yaml:11:12: error:" in result.output


def test_warnings_pass_unless_strict(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_model(tmp_path / "model", BAD_CASES / "W802-unused-interface")
    assert invoke("validate", "model").exit_code == 0
    assert invoke("validate", "model", "--strict").exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "no-such-folder"),
        ("validate", "model", "--format", "xml"),
        ("validate", "model", "--output", "no/such/dir/report.txt"),
        ("rules", "Z999"),
        ("render", "model", "--only", "no-such-renderer"),
        ("render", "model", "--tranche", "42"),
    ],
)
def test_usage_problems_exit_2(valid_model, args):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_output_file_gets_the_report_and_stderr_the_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_model(tmp_path / "model", BAD_CASES / "P404-duplicate-step-id")
    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "validate", "model", "-f", "sarif", "-o", "out.sarif"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Found 1 error")
    results = json.loads(Path("out.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["P404"]


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_rules_lists_every_rule_and_explains_one():
    registry = load_all_rules()
    listing = invoke("rules")
    assert listing.exit_code == 0
    for code in registry:
        assert code in listing.output
    explained = invoke("rules", "r302")
    assert explained.exit_code == 0
    assert "Why:" in explained.output and "Bad:" in explained.output and "Good:" in explained.output


def test_every_rule_is_documented_with_why_bad_and_good():
    for rule in load_all_rules().values():
        assert rule.summary and rule.section("Why") and rule.section("Bad") and rule.section("Good"), rule.code


def test_schema_export_writes_valid_draft_2020_12_schemas(tmp_path):
    result = invoke("schema", "--out", tmp_path / "schemas")
    assert result.exit_code == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert {f"{k.name}.schema.json" for k in KINDS.values()} <= set(written)
    assert "model-file.schema.json" in written
    for name in written:
        schema = json.loads((tmp_path / "schemas" / name).read_text())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_model_file_schema_accepts_the_fixture_files(tmp_path):
    """What editors see through the yaml-language-server modeline agrees with the validator."""
    from mhhsarch.checks.schema import load_schema
    from mhhsarch.source.yamlfile import read_yaml

    validator = jsonschema.Draft202012Validator(load_schema("model-file.schema.json"), registry=_schema_registry())
    for path in sorted(Path(__file__).parent.joinpath("fixtures", "valid").rglob("*.yaml")):
        if path.name == "mhhsarch.yaml":
            continue
        # read as the loader reads (dates stay strings, as in yaml-language-server)
        errors = list(validator.iter_errors(read_yaml(path, path.name).data))
        assert not errors, (path, errors[0].message)
    bad = {"roles": [{"id": "SUP", "name": "Supplier", "category": "supplier", "colour": "red"}]}
    assert list(validator.iter_errors(bad))


def _schema_registry():
    from referencing import Registry, Resource

    from mhhsarch.checks.schema import load_schema, schema_names

    return Registry().with_resources((name, Resource.from_contents(load_schema(name))) for name in schema_names())


ENTITY_CLASSES = {"entity": "LogicalEntity", "artefact": "RegisteredArtefact"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_fields_match_the_model_types(kind):
    """A field the schema allows must reach the model (and vice versa), or it is silently dropped."""
    from dataclasses import fields

    from mhhsarch.checks.schema import load_schema

    spec = KINDS[kind]
    schema = load_schema(spec.schema_file)
    allowed = set(schema["properties"])
    cls = getattr(entities, ENTITY_CLASSES.get(kind, kind.title().replace("_", "")))
    kept = {f.name for f in fields(cls)} - {"origin", "extras"}
    renamed = {"title": "name", "security": "classification"}  # schema field -> attribute
    renamed |= {"review_start": "reviews", "review_end": "reviews"}  # the older form of one review round
    if kind == "artefact":
        renamed["kind"] = "artefact_kind"  # `kind` is the entity kind on every class
    for field in allowed:
        attribute = renamed.get(field, field)
        assert attribute in kept, f"{kind}: schema field `{field}` has no attribute on {cls.__name__}"


def test_stats_table_and_json(valid_model):
    table = invoke("stats", "model")
    assert table.exit_code == 0
    assert "processes" in table.output and "interfaces" in table.output
    data = json.loads(invoke("stats", "model", "--format", "json").output)
    assert data["kinds"]["processes"] == 1 and data["kinds"]["interfaces"] == 2
    assert data["steps"] == 3
    assert sum(data["interfaces_per_transport"].values()) == 2


def test_stats_of_a_model_with_errors_exits_1(valid_model):
    (valid_model / "broken.yaml").write_text("roles: [{id: lower, name: x, category: supplier}]\n")
    result = invoke("stats", "model")
    assert result.exit_code == 1
    assert "the model has errors" in result.output


def test_render_into_an_impossible_folder_is_a_usage_error(valid_model, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = invoke("render", "model", "--out", blocker / "out", "--only", "catalogue")
    assert result.exit_code == 2
    assert "render failed" in result.output and "Traceback" not in result.output
