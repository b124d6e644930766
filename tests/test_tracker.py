"""The Design Artefact Tracker: counts per artefact, status, round and constituency,
as text, JSON and a workbook, from `mhhsarch tracker` and from `render`."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import copy_model
from mhhsarch.model.model import DEFAULT_CONSTITUENCIES
from mhhsarch.pipeline import check_model
from mhhsarch.review.tracker import as_json, tracker

STATUSES = ("accepted", "action", "rejected", "clarification", "open")
# The valid fixture's tranche 1 has two rounds; round 2 issued BP005 and IF-021 only.
ROUND_ARTEFACTS = {1: ("BP005", "IF-021", "IF-018", "BRS007"), 2: ("BP005", "IF-021")}


def mhhsarch(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def reviewed(tmp_path) -> tuple[Path, list[dict]]:
    """The valid fixture with 60 generated comments over two rounds, several artefacts and
    constituencies: the tracker must count exactly what was written."""
    model = copy_model(tmp_path / "model")
    chooser = random.Random(7)
    comments = []
    for n in range(60):
        round_number = chooser.choice((1, 2))
        comments.append(
            {
                "id": f"C-{5000 + n}",
                "artefact": chooser.choice(ROUND_ARTEFACTS[round_number]),
                "round": round_number,
                "constituency": chooser.choice(DEFAULT_CONSTITUENCIES[:5]),
                "organisation": f"Org {chooser.randint(1, 9)}",
                "status": chooser.choice(STATUSES),
                "text": f"Comment {n}",
            }
        )
    (model / "reviews" / "generated.yaml").write_text(json.dumps({"comments": comments}), encoding="utf-8")
    return model, comments


def test_counts_equal_what_was_written(reviewed):
    model_dir, written = reviewed
    checked = check_model(model_dir)
    assert not checked.has_errors, [d.message for d in checked.diagnostics]
    fixture = [c for c in checked.model.comments.values() if not c.id.startswith("C-5")]
    data = as_json(tracker(checked.model))
    rounds = {(t["tranche"], t["round"]): t for t in data["tranches"]}
    assert set(rounds) == {(1, 1), (1, 2), (2, None)}
    for round_number in (1, 2):
        entry = rounds[1, round_number]
        mine = [c for c in written if c["round"] == round_number]
        mine += [
            {"artefact": c.artefact, "status": c.status, "constituency": c.constituency, "organisation": c.organisation}
            for c in fixture
            if c.round == round_number
        ]
        for artefact in entry["artefacts"]:
            theirs = Counter(c["status"] for c in mine if c["artefact"] == artefact["id"])
            assert artefact["counts"] == {s: theirs.get(s, 0) for s in STATUSES} | {"total": sum(theirs.values())}
        assert {a["id"] for a in entry["artefacts"]} >= set(ROUND_ARTEFACTS[round_number])
        assert entry["totals"]["total"] == len(mine)
        assert entry["totals"]["organisations"] == len({c["organisation"] for c in mine if c["organisation"]})
        by_constituency = {c["name"]: c for c in entry["constituencies"]}
        # every configured constituency is listed, in the configured order (who did not comment shows too)
        assert [c["name"] for c in entry["constituencies"]] == list(DEFAULT_CONSTITUENCIES)
        for name in DEFAULT_CONSTITUENCIES:
            theirs = [c for c in mine if c["constituency"] == name]
            assert by_constituency[name]["comments"] == len(theirs)
            assert by_constituency[name]["organisations"] == len(
                {c["organisation"] for c in theirs if c["organisation"]}
            )
        unresolved = {u["id"] for u in entry["unresolved"]}
        expected = {c["id"] for c in mine if c.get("id") and c["status"] in ("action", "clarification", "open")}
        assert expected <= unresolved and all(u["status"] not in ("accepted", "rejected") for u in entry["unresolved"])
    assert rounds[1, 1]["approval"] == "2022-05-04" and rounds[1, 1]["artefacts"][0]["approval"] == "2022-05-04"


def test_filters_and_cli_formats(reviewed):
    model_dir, written = reviewed
    project = model_dir.parent
    done = mhhsarch("tracker", "model", "--tranche", "1", "--round", "2", "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(t["tranche"], t["round"]) for t in data["tranches"]] == [(1, 2)]
    assert data["tranches"][0]["totals"]["total"] == sum(1 for c in written if c["round"] == 2)
    text = mhhsarch("tracker", "model", "--round", "2", cwd=project)
    assert text.returncode == 0 and "Round 2 of Tranche 1" in text.stdout and "Round 1" not in text.stdout
    assert "Traceback" not in text.stderr
    for args, message in (
        (("--round", "5"), "no tranche has a review round 5"),
        (("--tranche", "9"), "the model has no tranche 9"),
        (("--format", "xlsx"), "give --output FILE"),
    ):
        refused = mhhsarch("tracker", "model", *args, cwd=project)
        assert refused.returncode == 2 and message in refused.stderr and "Traceback" not in refused.stderr


def test_workbook_reads_back_and_is_reproducible(reviewed, monkeypatch):
    model_dir, written = reviewed
    project = model_dir.parent
    first, second = project / "a.xlsx", project / "b.xlsx"
    for target in (first, second):
        done = mhhsarch("tracker", "model", "--format", "xlsx", "--output", str(target.name), cwd=project)
        assert done.returncode == 0, done.stderr
    assert first.read_bytes() == second.read_bytes()
    wb = load_workbook(first)
    assert wb.sheetnames == ["Cover", "Artefacts", "Constituencies", "Unresolved"]
    artefacts = wb["Artefacts"]
    header = [c.value for c in artefacts[1]]
    assert header[:3] == ["Tranche", "Round", "Artefact"] and "Total" in header
    total = header.index("Total")
    rows = [[c.value for c in row] for row in artefacts.iter_rows(min_row=2)]
    round_two = [r for r in rows if r[0] == 1 and r[1] == 2]
    assert sum(r[total] for r in round_two) == sum(1 for c in written if c["round"] == 2)
    unresolved = [[c.value for c in row] for row in wb["Unresolved"].iter_rows(min_row=2)]
    assert {r[2] for r in unresolved} >= {
        c["id"] for c in written if c["status"] in ("action", "clarification", "open")
    }
    assert artefacts.freeze_panes == "B2" and artefacts.auto_filter.ref


def test_hostile_comment_text_stays_text(tmp_path):
    model = copy_model(tmp_path / "model")
    hostile = {
        "id": "C-0999",
        "artefact": "IF-021",
        "round": 1,
        "constituency": DEFAULT_CONSTITUENCIES[0],
        "organisation": '=HYPERLINK("http://x")',
        "status": "open",
        "text": "\x1b[2Jgone <script>alert(1)</script> =cmd|' /C calc'!A0",
    }
    (model / "reviews" / "hostile.yaml").write_text(json.dumps({"comments": [hostile]}), encoding="utf-8")
    done = mhhsarch("tracker", "model", cwd=tmp_path)
    assert done.returncode == 0 and "\x1b" not in done.stdout and "\\x1b[2J" in done.stdout
    assert mhhsarch("tracker", "model", "-f", "xlsx", "-o", "t.xlsx", cwd=tmp_path).returncode == 0
    cells = [c for row in load_workbook(tmp_path / "t.xlsx")["Unresolved"].iter_rows() for c in row]
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert formula_like and all(c.data_type == "s" and c.quotePrefix for c in formula_like)


def test_render_publishes_the_tracker_and_libreoffice_opens_it(tmp_path):
    model = copy_model(tmp_path / "model")
    done = mhhsarch("render", "model", "--out", "out", "--only", "tracker", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    entry = next(f for f in manifest["artefacts"] if f["path"] == "tracker/design_artefact_tracker.xlsx")
    assert entry["kind"] == "artefact-tracker"
    checked = check_model(model)
    wb = load_workbook(tmp_path / "out/tracker/design_artefact_tracker.xlsx")
    listed = {row[2].value for row in wb["Artefacts"].iter_rows(min_row=2)}
    assert {c.artefact for c in checked.model.comments.values()} <= listed
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    converted = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path / "csv"),
            str(tmp_path / "out/tracker/design_artefact_tracker.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert converted.returncode == 0, converted.stderr
    cover = (tmp_path / "csv/design_artefact_tracker.csv").read_text(encoding="utf-8", errors="replace")
    assert "Design Artefact Tracker" in cover


def test_shipped_model_counts_every_comment_once():
    repo_model = Path(__file__).parents[1] / "model"
    checked = check_model(repo_model)
    data = as_json(tracker(checked.model))
    counted = Counter(u for t in data["tranches"] for a in t["artefacts"] for u in [a["id"]] * a["counts"]["total"])
    assert counted == Counter(c.artefact for c in checked.model.comments.values())
    tranche_one = next(t for t in data["tranches"] if (t["tranche"], t["round"]) == (1, 1))
    assert {"BRS007", "METH005", "IF-024"} <= {a["id"] for a in tranche_one["artefacts"]}
