"""Diagram renderers (`sequence`, `communication`): golden Mermaid/PlantUML/SVG text for the
fixture model, structure read back from every format, hostile text, reproducibility, the
manifest, atomic failure, `--only` and `--tranche`.

The fixture model is rendered once per module (each render starts PlantUML's JVM twice);
tests that change the model or the environment render their own copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import VALID_MODEL, copy_model
from mhhsarch.cli import app
from mhhsarch.pipeline import check_model
from mhhsarch.render.diagrams.common import strip_png_metadata
from mhhsarch.render.views.diagrams import sequence_view
from mhhsarch.render.writers import mermaid, plantuml

GOLDEN = Path(__file__).parent / "golden" / "diagrams"
SVG = "{http://www.w3.org/2000/svg}"
DIAGRAMS = "sequence,communication"

pytestmark = pytest.mark.skipif(
    not (shutil.which("dot") and shutil.which("plantuml")), reason="needs graphviz and plantuml"
)


# --------------------------------------------------------------------------- helpers


def render(model: Path, out: Path, *args: str, only: str = DIAGRAMS):
    argv = ["render", str(model), "--out", str(out), "--jobs", "2", *args]
    if only:
        argv += ["--only", only]
    return CliRunner().invoke(app, argv)


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def assert_valid(model: Path) -> None:
    errors = [d for d in check_model(model).diagnostics if d.severity.value == "error"]
    assert not errors, [f"{d.code} {d.message}" for d in errors]


def puml_arrows(text: str) -> list[tuple[str, str, str]]:
    """(sender, receiver, label) of every arrow in a PlantUML source, in order."""
    found = re.findall(r"^P_(\w+) -\[#[0-9A-F]{6}\]> P_(\w+) : (.*)$", text, re.M)
    return [(s, r, label) for s, r, label in found]


def mmd_arrows(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^\s*r_(\w+)->>r_(\w+): (.*)$", text, re.M)


MERMAID_SEQUENCE_LINE = re.compile(
    r"^(sequenceDiagram|    title [^\n]*|    participant r_\w+ as [^\n]*"
    r"|\s+r_\w+->>r_\w+: [^\n]*|\s+Note over r_\w+: [^\n]*|\s+(opt|alt|else) [^\n]*|\s+end)$"
)


MERMAID_FLOW_LINE = re.compile(
    r'^(---|title: "[^"\n]*"|flowchart LR|    subgraph cat_\w+\["[^"\n]*"\]|    end'
    r'|\s+r_\w+\["[^"\n]*"\]|    r_\w+ (-->|-\.->|==>)\|"[^"\n]*"\| r_\w+'
    r"|    linkStyle \d+ stroke:#[0-9A-F]{6}|    classDef \w+ [\w:#,-]+|    class [\w,]+ \w+)$"
)


def assert_mermaid_text_safe(text: str) -> None:
    """Model text in Mermaid: no statement separator, entity start, comment, quote or
    markup except the `<br/>` we put there, and every `#` starts an entity code."""
    for line in text.splitlines():
        body = line.replace("<br/>", "")
        if re.match(r"^\s+(linkStyle \d+ stroke:#[0-9A-F]{6}|classDef \w+ [\w:#,-]+|class [\w,]+ \w+)$", line):
            continue  # styling we wrote, no model text
        assert ";" not in re.sub(r"#\d+;", "", body), line
        assert not re.search(r"#(?!\d+;)", body), line
        assert "<" not in body and ">" not in re.sub(r"(->>|-->|-\.->|==>|\|)", "", body), line
        assert "%%" not in body, line


def svg_tree(path: Path) -> ET.Element:
    """The SVG parsed as XML (so hostile text cannot have broken it), without any
    element or attribute that could run or link anything."""
    root = ET.fromstring(path.read_bytes())
    for element in root.iter():
        tag = element.tag.replace(SVG, "")
        assert tag not in {"script", "foreignObject", "iframe", "image"}, (path, tag)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (path, name)
            assert "javascript:" not in value.lower(), (path, name)
            if name.endswith("href"):
                pytest.fail(f"{path}: link {value}")
    return root


def graphviz_edges(path: Path) -> list[tuple[str, str]]:
    """Edges of a Graphviz SVG, from each edge group's title `A->B`."""
    root = svg_tree(path)
    edges = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "edge":
            title = group.find(f"{SVG}title").text
            sender, receiver = title.split("->")
            if not sender.startswith("legend"):
                edges.append((sender, receiver))
    return edges


def plantuml_messages(path: Path, lifeline_ids: list[str]) -> list[tuple[str, str, str]]:
    """(sender, receiver, first label line) of every arrow in a PlantUML sequence SVG:
    lifelines are the dashed vertical lines (in participant order), an arrow is the
    solid line drawn just before its label, and its head polygon sits at the receiver."""
    root = svg_tree(path)
    elements = list(root.iter())
    lifelines = []
    for element in elements:
        if (
            element.tag == f"{SVG}line"
            and "dasharray" in element.get("style", "")
            and element.get("x1") == element.get("x2")
        ):
            x = float(element.get("x1"))
            if all(abs(x - seen) > 1 for seen in lifelines):
                lifelines.append(x)
    assert len(lifelines) == len(lifeline_ids)

    def nearest(x: float) -> str:
        return lifeline_ids[min(range(len(lifelines)), key=lambda i: abs(lifelines[i] - x))]

    messages = []
    for index, element in enumerate(elements):
        if element.tag != f"{SVG}text" or not re.match(r"\d+\. (IF|PUB)-", element.text or ""):
            continue
        line = next(
            e for e in reversed(elements[:index]) if e.tag == f"{SVG}line" and "dasharray" not in e.get("style", "")
        )
        head = next(e for e in reversed(elements[:index]) if e.tag == f"{SVG}polygon")
        x1, x2 = float(line.get("x1")), float(line.get("x2"))
        tip = sum(float(p.split(",")[0]) for p in head.get("points").split()) / len(head.get("points").split())
        receiver = nearest(tip)
        sender = nearest(x1) if nearest(x1) != receiver else nearest(x2)
        messages.append((sender, receiver, element.text))
    return messages


# --------------------------------------------------------------------------- the fixture, rendered once


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render") / "out"
    result = render(VALID_MODEL, out)
    assert result.exit_code == 0, result.output
    return out


def test_fixture_files_and_kinds(rendered):
    names = sorted(files_of(rendered))
    assert names == sorted(
        ["manifest.json"]
        + [f"diagrams/sequence/BP005.{e}" for e in ("puml", "svg", "png", "mmd")]
        + [f"diagrams/communication/BP005.{e}" for e in ("svg", "png", "mmd")]
        + [f"diagrams/communication/market.{e}" for e in ("svg", "mmd")]
        + [f"diagrams/context/{r}.{e}" for r in ("ADS", "MDS", "REGS", "SDS", "SUP") for e in ("svg", "mmd")]
    )


def test_golden_text_and_svg(rendered, update_golden):
    """Mermaid, PlantUML and SVG of the fixture model, byte for byte."""
    produced = {name: data for name, data in files_of(rendered / "diagrams").items() if not name.endswith(".png")}
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in produced.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = files_of(GOLDEN)
    assert sorted(produced) == sorted(expected), "run pytest --update-golden after an intended change"
    for name in produced:
        assert produced[name].decode() == expected[name].decode(), f"{name} differs from tests/golden/diagrams"


def test_sequence_arrows_in_step_order_between_the_right_lifelines(rendered):
    model = check_model(VALID_MODEL).model
    view = sequence_view(model, model.processes["BP005"])
    expected = [(m.sender, m.receiver, m.label) for m in view.messages()]
    assert expected == [
        ("SDS", "MDS", "2. IF-021 UTC Settlement Period Consumption Data"),
        ("SDS", "SUP", "2. IF-021"),  # the same step again: the name once is enough
        ("REGS", "SUP", "3. IF-018 Notification of Registration Data Item Changes"),
    ]
    folder = rendered / "diagrams/sequence"
    puml = (folder / "BP005.puml").read_text()
    assert [(s, r, label.replace("\\n", " ")) for s, r, label in puml_arrows(puml)] == expected
    assert "hnote over P_SDS : 1. Validate and\\nestimate consumption" in puml
    assert re.search(r"^opt When registration data changed\nP_REGS -\[#1F5FA8\]> P_SUP : 3\. ", puml, re.M)
    assert mmd_arrows((folder / "BP005.mmd").read_text()) == expected
    ids = [l.id for l in view.lifelines]
    assert ids == ["SDS", "MDS", "SUP", "REGS"]  # the participants' order
    svg = plantuml_messages(folder / "BP005.svg", ids)
    assert [(s, r) for s, r, _ in svg] == [(s, r) for s, r, _ in expected]
    assert [t.split()[0] for _, _, t in svg] == ["2.", "2.", "3."]


def test_communication_edges(rendered):
    folder = rendered / "diagrams"
    # IF-021 has two senders (SDS and ADS): each has its edges, in the market and in context
    assert sorted(graphviz_edges(folder / "communication/market.svg")) == [
        ("ADS", "MDS"),
        ("ADS", "SUP"),
        ("REGS", "SDS"),
        ("REGS", "SUP"),
        ("SDS", "MDS"),
        ("SDS", "SUP"),
    ]
    assert graphviz_edges(folder / "communication/BP005.svg") == [("SDS", "MDS"), ("SDS", "SUP"), ("REGS", "SUP")]
    assert sorted(graphviz_edges(folder / "context/SUP.svg")) == [("ADS", "SUP"), ("REGS", "SUP"), ("SDS", "SUP")]
    assert sorted(graphviz_edges(folder / "context/SDS.svg")) == [("REGS", "SDS"), ("SDS", "MDS"), ("SDS", "SUP")]
    assert sorted(graphviz_edges(folder / "context/ADS.svg")) == [("ADS", "MDS"), ("ADS", "SUP")]
    market = (folder / "communication/market.mmd").read_text()
    assert 'r_SDS -->|"IF-021<br/>[DIP]"| r_MDS' in market
    assert 'subgraph cat_central["Central services"]' in market


def test_outputs_are_byte_stable(rendered):
    for path in rendered.rglob("*"):
        if path.suffix in {".svg", ".puml", ".mmd", ".json"}:
            text = path.read_text(encoding="utf-8")
            assert str(rendered.parent) not in text and "/tmp" not in text and ".rendering-" not in text, path
            assert "PlantUML version" not in text and "Java" not in text, path
        if path.suffix == ".png":
            data = path.read_bytes()
            assert strip_png_metadata(data) == data, f"{path} carries text or time chunks"
            assert b"tEXt" not in data and b"zTXt" not in data and b"iTXt" not in data and b"tIME" not in data


def test_manifest_lists_every_file_with_its_hash(rendered):
    manifest = json.loads((rendered / "manifest.json").read_text())
    entries = {e["path"]: e for e in manifest["artefacts"]}
    assert set(entries) == set(files_of(rendered)) - {"manifest.json"}
    for path, entry in entries.items():
        data = (rendered / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    assert entries["diagrams/sequence/BP005.png"]["sources"] == ["BP005", "IF-021", "IF-018"]
    assert entries["diagrams/context/SUP.svg"]["kind"] == "context-diagram"


def test_two_renders_are_identical(rendered, tmp_path):
    result = render(VALID_MODEL, tmp_path / "again", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert files_of(tmp_path / "again") == files_of(rendered)


# --------------------------------------------------------------------------- selection


def test_only_sequence_writes_only_sequence_files(tmp_path):
    result = render(VALID_MODEL, tmp_path / "out", only="sequence")
    assert result.exit_code == 0, result.output
    assert sorted(files_of(tmp_path / "out")) == [
        "diagrams/sequence/BP005.mmd",
        "diagrams/sequence/BP005.png",
        "diagrams/sequence/BP005.puml",
        "diagrams/sequence/BP005.svg",
        "manifest.json",
    ]


TRANCHE_2 = {
    "processes/BP006.yaml": """
process:
  id: BP006
  name: Supplier Updates
  tranche: 2
  participants: [SUP, REGS]
  steps:
    - {id: 1, name: Decide the update, actor: SUP}
    - {id: 2, name: Send the update, actor: SUP, interface: IF-025}
""",
    "interfaces/IF-025.yaml": """
interface:
  id: IF-025
  name: Supplier Updates to Registration
  tranche: 2
  senders: [SUP]
  receivers: [REGS]
  transport: DTN
  data_items:
    - ref: DI-001
""",
}


def test_tranche_restricts_every_diagram(tmp_path):
    model = copy_model(tmp_path / "model")
    for rel, text in TRANCHE_2.items():
        write(model, rel, text)
    assert_valid(model)
    result = render(model, tmp_path / "out", "--tranche", "2", only="communication,sequence")
    assert result.exit_code == 0, result.output
    names = set(files_of(tmp_path / "out"))
    assert {n.rsplit(".", 1)[0] for n in names if n != "manifest.json"} == {
        "diagrams/sequence/BP006",
        "diagrams/communication/BP006",
        "diagrams/communication/market",
        "diagrams/context/SUP",
        "diagrams/context/REGS",
    }
    assert graphviz_edges(tmp_path / "out/diagrams/communication/market.svg") == [("SUP", "REGS")]
    dot_market = (tmp_path / "out/diagrams/communication/market.svg").read_text()
    assert "stroke-dasharray" in dot_market  # DTN is dashed
    assert "DTN (Data Transfer Network)" in dot_market and "DIP (" not in dot_market  # the legend
    assert "-.->" in (tmp_path / "out/diagrams/communication/market.mmd").read_text()


# --------------------------------------------------------------------------- hostile text

EVIL = '<script>alert(1)</script> "q" \'s #1; 50% %date() !include /etc/passwd [[http://x.invalid]] **b** --s-- \\N \\n {x} | `c` & </text>'
LONG = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6

HOSTILE = {
    "hostile.yaml": f"""
role:
  id: EVIL
  name: {json.dumps(EVIL + " " + LONG)}
  category: other
""",
    "interfaces/IF-099.yaml": f"""
interface:
  id: IF-099
  name: {json.dumps(EVIL)}
  tranche: 1
  senders: [EVIL]
  receivers: [SUP]
  transport: DTN
  data_items:
    - ref: DI-001
""",
    "processes/BP099.yaml": f"""
process:
  id: BP099
  name: {json.dumps(EVIL)}
  tranche: 1
  participants: [EVIL, SUP]
  steps:
    - id: 1
      name: {json.dumps(LONG + " " + EVIL)}
      actor: EVIL
    - id: 2
      name: send
      actor: EVIL
      interface: IF-099
      condition: {json.dumps(EVIL)}
""",
}


def test_hostile_text_breaks_nothing(tmp_path):
    model = copy_model(tmp_path / "model")
    for rel, text in HOSTILE.items():
        write(model, rel, text)
    assert_valid(model)
    out = tmp_path / "out"
    result = render(model, out)
    assert result.exit_code == 0, result.output
    for path in sorted(out.rglob("*.svg")):
        svg_tree(path)  # well-formed, nothing that runs or links
    seq = out / "diagrams/sequence/BP099"
    puml = seq.with_suffix(".puml").read_text()
    body = puml.split("\n", 1)[1]
    assert "%date" not in body and "!include" not in body and "[[" not in body and "**" not in body
    assert puml_arrows(puml)[0][:2] == ("EVIL", "SUP")
    # the text reaches the picture as text: the date function did not run, the tag is shown
    svg = seq.with_suffix(".svg").read_text()
    assert "Exception" not in svg and "error has occur" not in svg
    assert "%date()" in svg and "\\N \\n" in svg and "&lt;script&gt;" in svg and "[[http://x.invalid]]" in svg
    assert plantuml_messages(seq.with_suffix(".svg"), ["EVIL", "SUP"])[0][:2] == ("EVIL", "SUP")
    mmd = seq.with_suffix(".mmd").read_text()
    assert_mermaid_text_safe(mmd)
    assert all(MERMAID_SEQUENCE_LINE.match(line) for line in mmd.splitlines()), mmd
    assert mmd_arrows(mmd)[0][:2] == ("EVIL", "SUP")
    for name in ("communication/market", "communication/BP099", "context/EVIL"):
        flow = (out / f"diagrams/{name}.mmd").read_text()
        assert_mermaid_text_safe(flow)
        assert all(MERMAID_FLOW_LINE.match(line) for line in flow.splitlines()), flow
        assert ("EVIL", "SUP") in graphviz_edges(out / f"diagrams/{name}.svg")
    market = (out / "diagrams/communication/market.svg").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in market  # the role's name, as text
    # no line of any label is longer than the wrapping allows
    assert LONG not in market and LONG not in svg


def test_text_escapers():
    assert plantuml.text("a <b> %date() **x** --y-- ~z_ [[u]] é") == (
        "a &#60;b&#62; &#37;date() &#42;&#42;x&#42;&#42; &#45;-y&#45;- &#126;z&#95; &#91;&#91;u&#93;&#93; é"
    )
    assert plantuml.text("a\\n $1") == "a<U+005C>n <U+0024>1"
    assert mermaid.text('a "b" #c; <d> 50% x:y') == "a #34;b#34; #35;c#59; #60;d#62; 50#37; x#58;y"
    # one policy with the documents: a control character is shown as U+FFFD (#65533;)
    assert mermaid.text("one\ntwo\x00three") == "one two#65533;three"


# --------------------------------------------------------------------------- failures leave out/ alone


@pytest.fixture
def previous_out(tmp_path) -> tuple[Path, dict]:
    out = tmp_path / "out"
    (out / "old").mkdir(parents=True)
    (out / "old/file.txt").write_text("previous render")
    # a previous render's manifest: render replaces only its own output (tests/test_output_safety.py)
    manifest = {"tool": {"name": "mhhsarch"}, "artefacts": [{"path": "old/file.txt"}]}
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out, files_of(out)


def test_failing_job_leaves_previous_output_and_exits_2(previous_out, monkeypatch):
    out, before = previous_out
    from mhhsarch.render.diagrams import communication

    def explode(*args, **kwargs):
        raise RuntimeError("boom in the middle")

    monkeypatch.setattr(communication, "write_diagrams", explode)
    result = render(VALID_MODEL, out, only="communication")  # no JVM needed to fail
    assert result.exit_code == 2
    assert "render failed" in result.output and "boom in the middle" in result.output
    assert "Traceback" not in result.output
    assert files_of(out) == before
    assert not [p for p in out.parent.iterdir() if ".rendering-" in p.name]


def _fake_program(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_failing_tool_leaves_previous_output_and_exits_2(previous_out, tmp_path, monkeypatch):
    out, before = previous_out
    bin_dir = tmp_path / "bin"
    _fake_program(bin_dir, "plantuml", "echo 'Error line 3: syntax' >&2\nexit 200\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = render(VALID_MODEL, out, only="sequence")
    assert result.exit_code == 2
    assert "plantuml" in result.output and "exited 200" in result.output and "Error line 3" in result.output
    assert "Traceback" not in result.output
    assert files_of(out) == before


def test_missing_tool_names_the_package(previous_out, tmp_path, monkeypatch):
    out, before = previous_out
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dot", "git"):  # graphviz present, PlantUML not
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bin_dir / tool)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = render(VALID_MODEL, out)
    assert result.exit_code == 2
    assert "apt-get install plantuml" in result.output
    assert files_of(out) == before
