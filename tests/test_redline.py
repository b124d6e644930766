"""`render --baseline REF`: red-lined Word documents with real tracked changes, and the
release note. The oracle is Word's own: accepting every change gives the clean
document of this revision, rejecting every change gives the baseline's document."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import copy_model
from mhhsarch.render.writers.redline import W, accept_all, reject_all
from test_change import commit, edit, git

EPOCH = "1700000000"


def render(repo: Path, out: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", "render", "model", "--out", out, *args],
        capture_output=True,
        text=True,
        cwd=repo,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        timeout=300,
    )


def paragraphs(root: etree._Element) -> list[str]:
    """Every non-empty paragraph's text of the body, in order."""
    body = root.find(f"{W}body")
    texts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]
    return [t for t in texts if t.strip()]


def document_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("redline")
    git(root, "init", "-q")
    model = copy_model(root / "model")
    commit(root, "baseline", "v1")
    render(root, "base-out", "--only", "specs,process-docs")

    def interface(data):
        i = data["interface"]
        i["receivers"] = ["MDS"]
        i["description"] = "Consumption per settlement period, now described."
        i["trigger"] = "Daily after validation"
        next(u for u in i["data_items"] if u["ref"] == "DI-002")["repeats"] = "1"
        i["version"] = "1.1.0"

    edit(model / "interfaces/IF-021.yaml", interface)
    commit(root, "change IF-021", "v2")
    done = render(root, "out", "--only", "specs,process-docs", "--baseline", "v1")
    assert done.returncode == 0, done.stderr
    return root


def test_only_changed_documents_get_a_red_lined_version(release):
    redlined = sorted(p.name for p in (release / "out/redline").glob("*.docx"))
    assert "IF-021.docx" in redlined
    assert "IF-018.docx" not in redlined  # unchanged
    assert "BP005.docx" in redlined  # it shows IF-021's receivers


def test_tracked_changes_accept_to_the_clean_document_and_reject_to_the_baseline(release):
    red = document_xml(release / "out/redline/IF-021.docx")
    root = etree.fromstring(red)
    ins = list(root.iter(f"{W}ins"))
    dels = list(root.iter(f"{W}del"))
    assert ins and dels
    assert {e.get(f"{W}author") for e in ins + dels} == {"mhhsarch"}
    assert {e.get(f"{W}date") for e in ins + dels} == {"2023-11-14T22:13:20Z"}
    ids = [e.get(f"{W}id") for e in ins + dels]
    assert len(ids) == len(set(ids))
    deleted = " ".join(t.text or "" for t in root.iter(f"{W}delText"))
    inserted = " ".join(t.text or "" for e in ins for t in e.iter(f"{W}t"))
    # every changed field of the interface shows as a deletion or an insertion
    assert "Daily after validation" in inserted
    assert "now described" in inserted
    assert "Supplier" in deleted  # the removed receiver
    assert "One or more" in deleted and "Once" in inserted  # DI-002's repeats
    clean = etree.fromstring(document_xml(release / "out/specs/IF-021.docx"))
    baseline = etree.fromstring(document_xml(release / "base-out/specs/IF-021.docx"))
    assert paragraphs(accept_all(red)) == paragraphs(clean)
    assert paragraphs(reject_all(red)) == paragraphs(baseline)


def test_the_version_history_comes_from_git(release):
    from docx import Document

    doc = Document(str(release / "out/specs/IF-021.docx"))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Version", "Date", "Status", "Change"])
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    when = git(release, "log", "-1", "--format=%cs", "v2").strip()
    assert rows[0] == ["1.1.0", when, "Approved", "change IF-021"], rows
    assert rows[1][0] == "1.0.0" and rows[1][3] == "baseline", rows
    assert len(rows) == 2


def test_the_release_note_lists_each_change_with_its_class(release):
    note = (release / "out/release_note.md").read_text(encoding="utf-8")
    assert note.startswith("# Release note:")
    assert "## IF-021 UTC Settlement Period Consumption Data" in note
    assert "| breaking | interface IF-021 receivers[SUP] removed | `RECEIVER_REMOVED` |" in note
    assert "`WORDING`" in note and "IF-018" not in note


def test_the_release_note_in_word(release):
    from docx import Document

    doc = Document(str(release / "out/release_note.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert any(h.endswith("IF-021 UTC Settlement Period Consumption Data") for h in headings), headings
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    assert any(r[0] == "breaking" and "receivers[SUP] removed" in r[1] and r[2] == "RECEIVER_REMOVED" for r in rows), (
        rows
    )


def test_a_bad_baseline_is_a_one_line_error(release):
    done = render(release, "other", "--only", "specs", "--baseline", "no-such-tag")
    assert done.returncode == 2 and "no-such-tag" in done.stderr and "Traceback" not in done.stderr


def test_select_publishes_only_what_it_names(release):
    done = render(release, "selected", "--only", "specs", "--select", "IF-021")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (release / "selected/specs").glob("*.docx")) == ["IF-021.docx"]
    done = render(release, "modified", "--only", "specs", "--baseline", "v1", "--select", "state:modified")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (release / "modified/specs").glob("*.docx")) == ["IF-021.docx"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_tracked_changes(release, tmp_path):
    from mhhsarch.render.documents.pdf import convert_batch

    source = tmp_path / "in" / "IF-021.docx"
    source.parent.mkdir()
    shutil.copyfile(release / "out/redline/IF-021.docx", source)
    convert_batch([source], tmp_path / "pdf", tmp_path, target="pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "pdf/IF-021.pdf"), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    # LibreOffice shows tracked changes: the deleted text is still printed (struck through)
    assert "Daily after validation" in flat and "One or more" in flat
