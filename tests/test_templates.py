"""Templates the design team edits: the Word templates in `templates/` are the contract.

An edit made to a copy of `templates/interface_spec.docx` with python-docx (as Word
would save it: a section moved, a sentence rewritten) reaches the rendered document
with no code change; the lookup order is `--template DIR`, then the repository's
`templates/`, then the bundled defaults; `templates export` writes the defaults.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import REPO, copy_model
from mhhsarch.render.templates import BUNDLED, TEMPLATE_NAMES

EPOCH = "1700000000"
BOILERPLATE = "Yearly figures are computed as 365 times the daily figures"
EDITED = "Annual figures are three hundred and sixty-five times the daily ones."


def mhhsarch(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        timeout=300,
    )


def headings(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name.startswith("Heading 1")]


def edited_template(target: Path) -> Path:
    """A copy of the repository's interface specification template with the Security
    section moved before "Sender and receivers" and one sentence of boilerplate rewritten."""
    doc = Document(str(REPO / "templates" / "interface_spec.docx"))
    body = doc.element.body
    blocks = list(body)

    def heading_index(text: str) -> int:
        for n, element in enumerate(blocks):
            words = "".join(t.text or "" for t in element.iter(qn("w:t")))
            if element.tag == qn("w:p") and words.strip() == text:
                return n
        raise AssertionError(f"no heading {text!r} in the template")

    start = heading_index("Security")
    end = heading_index("Data items")
    section = blocks[start:end]
    anchor = blocks[heading_index("Sender and receivers")]
    for element in section:
        anchor.addprevious(element)
    for paragraph in doc.paragraphs:
        if BOILERPLATE in paragraph.text:
            for run in paragraph.runs[1:]:
                run.text = ""
            paragraph.runs[0].text = EDITED
            break
    else:
        raise AssertionError("boilerplate sentence not in the template")
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


@pytest.fixture
def project(tmp_path):
    """A model in a git repository of its own (so the repository's templates/ is found)."""
    copy_model(tmp_path / "model")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_the_repository_ships_its_templates():
    for name in TEMPLATE_NAMES:
        assert (REPO / "templates" / name).is_file(), name
        assert (BUNDLED / name).is_file(), name


def test_an_edit_to_the_word_template_reaches_the_document(project):
    edited_template(project / "mine" / "interface_spec.docx")
    done = mhhsarch("render", "model", "--out", "out", "--only", "specs", "--template", "mine", cwd=project)
    assert done.returncode == 0, done.stderr
    spec = project / "out" / "specs" / "IF-021.docx"
    order = headings(spec)
    security = next(n for n, h in enumerate(order) if h.endswith("Security"))
    parties = next(n for n, h in enumerate(order) if h.endswith("Sender and receivers"))
    assert security < parties, order
    assert order[security].startswith(f"{security + 1}  "), order  # numbered where it now stands
    text = "\n".join(p.text for p in Document(str(spec)).paragraphs)
    assert EDITED in text and BOILERPLATE not in text


def test_lookup_order_user_folder_then_repository_then_bundled(project):
    edited_template(project / "templates" / "interface_spec.docx")
    done = mhhsarch("render", "model", "--out", "out", "--only", "specs", cwd=project)
    assert done.returncode == 0, done.stderr
    text = "\n".join(p.text for p in Document(str(project / "out/specs/IF-021.docx")).paragraphs)
    assert EDITED in text  # the repository's templates/ beats the bundled one

    shutil.copyfile(
        BUNDLED / "interface_spec.docx", (project / "run").mkdir() or project / "run" / "interface_spec.docx"
    )
    done = mhhsarch("render", "model", "--out", "out", "--only", "specs", "--template", "run", cwd=project)
    assert done.returncode == 0, done.stderr
    text = "\n".join(p.text for p in Document(str(project / "out/specs/IF-021.docx")).paragraphs)
    assert BOILERPLATE in text and EDITED not in text  # --template beats the repository's


def test_templates_export_writes_the_bundled_defaults(tmp_path):
    done = mhhsarch("templates", "export", "team", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in TEMPLATE_NAMES:
        assert (tmp_path / "team" / name).read_bytes() == (BUNDLED / name).read_bytes()
    (tmp_path / "team" / "interface_spec.docx").write_bytes(b"edited")
    again = mhhsarch("templates", "export", "team", cwd=tmp_path)
    assert again.returncode == 0
    assert (tmp_path / "team" / "interface_spec.docx").read_bytes() == b"edited"  # kept, not overwritten
    assert "kept" in again.stdout + again.stderr


def test_a_template_naming_a_missing_field_is_a_one_line_error(project):
    doc = Document(str(BUNDLED / "interface_spec.docx"))
    paragraph = copy.deepcopy(doc.paragraphs[0]._p)
    doc.paragraphs[0]._p.addnext(paragraph)
    doc.paragraphs[1].runs[0].text = "{{ no_such_field }}"
    for run in doc.paragraphs[1].runs[1:]:
        run.text = ""
    (project / "bad").mkdir()
    doc.save(str(project / "bad" / "interface_spec.docx"))
    done = mhhsarch("render", "model", "--out", "out", "--only", "specs", "--template", "bad", cwd=project)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("mhhsarch: error")]
    assert len(lines) == 1 and "interface_spec.docx" in lines[0] and "no_such_field" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / "out").exists()
