"""Every rule has a broken fixture; each says in a comment where its finding must be:

    senders: [SDX]   # expect R302 at SDX   -> that line, the column where `SDX` starts
    - id: X          # expect Y101 col 1     -> that line, column 1
    x-g: [...]       # expect Y107           -> that file, any position

The fixture is the valid model with the case's files laid over it; the test asserts
each expected finding, and that no other rule fires.
"""

import re
from pathlib import Path

import pytest

from conftest import BAD_CASES, copy_model
from mhhsarch.checks.registry import load_all_rules
from mhhsarch.diagnostics.core import Severity
from mhhsarch.pipeline import check_model

MARKER = re.compile(r"#\s*expect\s+([A-Z]\d{3})(?:\s+at\s+(\S+)|\s+col\s+(\d+))?")
CASES = sorted(p.name for p in BAD_CASES.iterdir() if p.is_dir())


def expectations(case_dir: Path, model_dir: Path):
    found = []
    for path in sorted(case_dir.rglob("*.y*ml")):
        rel = path.relative_to(case_dir)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = MARKER.search(line)
            if not match:
                continue
            code, token, col = match.groups()
            column = None
            if token:
                column = line.index(token) + 1
            elif col:
                column = int(col)
            found.append((code, (Path("model") / rel).as_posix(), number if (token or col) else None, column))
    return found


def test_valid_fixture_has_no_findings(valid_model):
    checked = check_model(valid_model)
    assert checked.diagnostics == []
    assert len(checked.model.processes) == 1 and len(checked.model.interfaces) == 2


@pytest.mark.parametrize("case", CASES)
def test_broken_fixture(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model_dir = copy_model(tmp_path / "model", BAD_CASES / case)
    expected = expectations(BAD_CASES / case, model_dir)
    assert expected, f"{case} has no '# expect' marker"
    checked = check_model(Path("model"))
    for code, path, line, column in expected:
        hits = [d for d in checked.diagnostics if d.code == code and d.span.path == path]
        assert hits, f"{case}: no {code} in {path}; got {[(d.code, str(d.span)) for d in checked.diagnostics]}"
        if line is not None:
            assert any((d.span.line, d.span.column) == (line, column) for d in hits), (
                f"{case}: {code} expected at {path}:{line}:{column}, got {[str(d.span) for d in hits]}"
            )
    assert {d.code for d in checked.diagnostics} == {code for code, *_ in expected}, (
        f"{case}: other rules fired: {[(d.code, str(d.span), d.message) for d in checked.diagnostics]}"
    )


def test_every_rule_has_a_broken_fixture():
    covered = {name.split("-")[0] for name in CASES}
    untested = {"Y105", "Y108"}  # need binary or huge files: see test_hostile_input.py
    # a symlink out of the model, a FIFO and an empty model folder cannot be overlay files: see test_input_safety.py
    untested |= {"Y110", "Y111", "Y112"}
    assert set(load_all_rules()) - covered - untested == set()


def test_case_folder_names_start_with_their_code():
    for case in CASES:
        marks = expectations(BAD_CASES / case, Path("model"))
        assert case.split("-")[0] in {code for code, *_ in marks}, case


def test_rules_config_changes_severity_and_turns_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_model(
        tmp_path / "model", BAD_CASES / "W803-role-without-interface", BAD_CASES / "D604-classification-exceeded"
    )
    (tmp_path / "model" / "mhhsarch.yaml").write_text("name: x\nrules:\n  W803: off\n  D604: warning\n")
    checked = check_model(Path("model"))
    assert [(d.code, d.severity) for d in checked.diagnostics] == [("D604", Severity.WARNING)]


def test_unknown_rule_code_in_config_is_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_model(tmp_path / "model")
    (tmp_path / "model" / "mhhsarch.yaml").write_text("name: x\nrules:\n  W999: off\n")
    checked = check_model(Path("model"))
    assert [(d.code, str(d.span)) for d in checked.diagnostics] == [("S207", "model/mhhsarch.yaml:3:3")]
