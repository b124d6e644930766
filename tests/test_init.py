"""`mhhsarch init DIR`: in an empty folder, `mhhsarch init demo && cd demo && mhhsarch
validate && mhhsarch render` succeeds; the model holds one entity of each kind and is
clean under --strict; the editor settings map a schema onto every model file; the
schemas accept the model in check-jsonschema; nothing is ever overwritten."""

import fnmatch
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mhhsarch.model.kinds import KINDS
from test_schemas_third_party import check_jsonschema, offline_env


def mhhsarch(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env=offline_env(),
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    empty = tmp_path_factory.mktemp("empty")
    done = mhhsarch("init", "demo", cwd=empty)
    assert done.returncode == 0, done.stderr
    assert "cd demo" in done.stdout
    return empty / "demo"


def test_init_then_validate_then_render_in_the_new_folder(demo, tmp_path):
    work = tmp_path / "demo"
    shutil.copytree(demo, work)
    validated = mhhsarch("validate", cwd=work)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert validated.stdout.startswith("No problems found")
    strict = mhhsarch("validate", "--strict", cwd=work / "model" / "processes")
    assert strict.returncode == 0, strict.stdout
    rendered = mhhsarch("render", cwd=work)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    manifest = json.loads((work / "out" / "manifest.json").read_text())
    kinds = {artefact["kind"] for artefact in manifest["artefacts"]}
    assert {"sequence-diagram", "interface-spec", "process-description", "data-catalogue"} <= kinds, kinds
    for artefact in manifest["artefacts"]:
        assert (work / "out" / artefact["path"]).is_file(), artefact["path"]


def test_the_model_has_one_entity_of_each_kind(demo):
    stats = mhhsarch("stats", "--format", "json", cwd=demo)
    counts = json.loads(stats.stdout)["kinds"]
    assert set(counts) == {kind.plural for kind in KINDS.values()}
    assert all(n >= 1 for n in counts.values()), counts
    assert counts["roles"] == 2 and sum(counts.values()) == len(counts) + 1  # one of each, two roles


def test_the_files_a_repository_needs_are_there_and_parse(demo):
    workflow = yaml.safe_load((demo / ".github" / "workflows" / "mhhsarch.yml").read_text())
    steps = workflow["jobs"]["validate"]["steps"]
    assert any(step.get("uses", "").startswith("mhhsarch/mhhsarch@v") for step in steps)
    pre_commit = yaml.safe_load((demo / ".pre-commit-config.yaml").read_text())
    assert pre_commit["repos"][0]["hooks"][0]["entry"] == "mhhsarch validate --strict"
    assert "mhhsarch validate" in (demo / "README.md").read_text()
    assert (demo / ".gitignore").read_text() == "out/\n"
    assert yaml.safe_load((demo / "model" / "mhhsarch.yaml").read_text())["name"] == "demo"


def test_editor_settings_map_exactly_one_schema_onto_every_model_file(demo):
    settings = json.loads((demo / ".vscode" / "settings.json").read_text())
    associations = settings["yaml.schemas"]
    for schema in associations:
        assert (demo / schema).is_file(), schema
    files = sorted("/" + p.relative_to(demo).as_posix() for p in (demo / "model").rglob("*.yaml"))
    assert len(files) >= 9
    for path in files:
        matching = [
            schema
            for schema, patterns in associations.items()
            if any(_glob_matches(path, pattern) for pattern in patterns)
        ]
        expected = "config.schema.json" if path.endswith("/mhhsarch.yaml") else "model-file.schema.json"
        assert [Path(s).name for s in matching] == [expected], path


def _glob_matches(path: str, pattern: str) -> bool:
    """A glob as editors read them: `**/` spans folders, `*` stays in one."""
    if "**/" in pattern:
        head, tail = pattern.split("**/", 1)
        return path.startswith(head) and fnmatch.fnmatch(path.rsplit("/", 1)[-1], tail)
    return "/" not in path[len(pattern.rsplit("/", 1)[0]) + 1 :] and fnmatch.fnmatch(path, pattern)


def test_check_jsonschema_accepts_the_new_model_with_its_own_schemas(demo):
    model_files = sorted(p for p in (demo / "model").rglob("*.yaml") if p.name != "mhhsarch.yaml")
    status, result = check_jsonschema(demo / "schemas" / "model-file.schema.json", model_files, demo)
    assert status == 0, result
    status, result = check_jsonschema(demo / "schemas" / "config.schema.json", [demo / "model" / "mhhsarch.yaml"], demo)
    assert status == 0, result


def test_init_never_overwrites(tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    done = mhhsarch("init", "taken", cwd=tmp_path)
    assert done.returncode == 2 and "is not empty" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]
    (tmp_path / "a-file").write_text("x")
    done = mhhsarch("init", "a-file", cwd=tmp_path)
    assert done.returncode == 2 and "is not a folder" in done.stderr
    assert (tmp_path / "a-file").read_text() == "x"


def test_init_into_the_current_empty_folder_with_a_name(tmp_path):
    done = mhhsarch("init", ".", "--name", "Tranche 5 design", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load((tmp_path / "model" / "mhhsarch.yaml").read_text())["name"] == "Tranche 5 design"
    assert (tmp_path / "README.md").read_text().startswith("# Tranche 5 design\n")
    assert mhhsarch("validate", "--strict", cwd=tmp_path).returncode == 0
