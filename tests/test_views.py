"""Views: the format-neutral content of every artefact, as JSON (`render --only views`).

Snapshots of the interface specification, process description and catalogue views of
the fixture model; rewrite them with `pytest --update-golden` after an intended change.
The views are plain data: what the snapshot holds is what every writer can show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_model
from mhhsarch.pipeline import check_model
from mhhsarch.render.views import as_data
from mhhsarch.render.views.interface_spec import interface_spec_view

GOLDEN = Path(__file__).parent / "golden" / "views"
EPOCH = "1700000000"
SNAPSHOTS = {
    "IF-021.json": "views/interfaces/IF-021.json",
    "BP005.json": "views/processes/BP005.json",
    "catalogue.json": "views/catalogue.json",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    model = copy_model(root / "model")
    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "render", str(model), "--out", str(root / "out"), "--only", "views"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "SOURCE_DATE_EPOCH": EPOCH},
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    return {"out": root / "out", "model": model, "root": root}


def test_view_snapshots(rendered, update_golden):
    for golden_name, rel in SNAPSHOTS.items():
        produced = (rendered["out"] / rel).read_text(encoding="utf-8")
        golden = GOLDEN / golden_name
        if update_golden:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(produced, encoding="utf-8")
        assert golden.is_file(), "run pytest --update-golden to create the view snapshots"
        assert produced == golden.read_text(encoding="utf-8"), f"{rel} differs from {golden}"


def test_a_view_for_every_artefact_and_nothing_else(rendered):
    checked = check_model(rendered["model"])
    out = rendered["out"]
    names = {p.relative_to(out).as_posix() for p in out.rglob("*.json")} - {"manifest.json"}
    expected = {f"views/interfaces/{i}.json" for i in checked.model.interfaces}
    expected |= {f"views/processes/{p}.json" for p in checked.model.processes}
    expected |= {"views/catalogue.json"}
    expected |= {f"views/diagrams/sequence/{p}.json" for p in checked.model.processes}
    expected |= {f"views/diagrams/communication/{p}.json" for p in checked.model.processes}
    expected |= {"views/diagrams/communication/market.json"}
    assert expected <= names, sorted(expected - names)
    assert {n for n in names if not n.startswith("views/diagrams/context/")} == expected
    # only views: no document, no diagram was rendered
    assert not [p for p in out.rglob("*") if p.is_file() and p.suffix not in (".json",)]


def test_views_are_plain_data_equal_to_the_view_objects(rendered):
    checked = check_model(rendered["model"])
    interface = checked.model.interfaces["IF-021"]
    view = interface_spec_view(checked.model, checked.graph, interface, int(EPOCH))
    written = json.loads((rendered["out"] / "views/interfaces/IF-021.json").read_text(encoding="utf-8"))
    assert written == as_data(view)
    # what a reviewer reads in the specification is in the view
    header = [u.ref for u in interface.data_items if checked.model.data_items[u.ref].in_header]
    assert header == ["DI-005", "DI-006"]  # the fixture's DIP CommonBlock fields: in their own section
    assert [row["id"] for row in written["header_items"]] == header
    assert [row["id"] for row in written["data_items"]] == [u.ref for u in interface.data_items if u.ref not in header]
    assert written["info"]["document_id"] == "IF-021"
    assert {p["role_id"] for p in written["parties"]} == {*interface.senders, *interface.receivers}


def test_view_json_is_the_text_json_dumps_writes(rendered):
    """views_json writes the JSON itself (json's indenting encoder is pure Python): the
    same text as json.dumps, for real views and for awkward values."""
    from dataclasses import dataclass

    from mhhsarch.render.views_json import view_json

    @dataclass(frozen=True)
    class Odd:
        text: str
        numbers: tuple
        nested: dict
        empty: tuple = ()
        nothing: None = None

    checked = check_model(rendered["model"])
    views = [
        interface_spec_view(checked.model, checked.graph, i, int(EPOCH)) for i in checked.model.interfaces.values()
    ]
    views.append(
        Odd(
            'quote " back\\slash \u2028 tab\t nul\x00 é 😀',
            (0, -1, 2**70, 1.5, 1e-7, float("nan"), float("inf"), True, False, None),
            {"b": [], "a": {}, "c": [{"x": ""}]},
        )
    )
    for view in views:
        assert view_json(view) == json.dumps(as_data(view), indent=2, ensure_ascii=False) + "\n"
