"""Change control: `mhhsarch diff` classifies every change between two git revisions of a
model (a fixture pair with known changes of every class), `--fail-on` gates on them,
the working tree is never touched, and `impact` / selectors follow the graph."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import copy_model
from mhhsarch.change.diff import Change, classify
from mhhsarch.change.select import select
from mhhsarch.pipeline import check_model


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def mhhsarch(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", *args], capture_output=True, text=True, cwd=repo, timeout=120
    )


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def commit(repo: Path, message: str, tag: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", message)
    git(repo, "tag", tag)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """base: the fixture model; head: a change of every class; editorial: wording only."""
    root = tmp_path_factory.mktemp("change")
    git(root, "init", "-q")
    model = copy_model(root / "model")
    commit(root, "base", "base")

    def interface(data):
        i = data["interface"]
        i["receivers"] = ["MDS"]  # SUP no longer gets it
        i["description"] = "Now described."
        next(u for u in i["data_items"] if u["ref"] == "DI-002")["repeats"] = "1"
        i["data_items"].append({"ref": "DI-003", "mandatory": False})

    def items(data):
        by_id = {d["id"]: d for d in data["data_items"]}
        by_id["DI-001"]["length"] = 12
        by_id["DI-001"]["format"] = "^\\d{12}$"
        by_id["DI-004"]["length"] = 20
        by_id["DI-002"]["type"] = "integer"
        for field in ("unit", "precision", "scale"):
            by_id["DI-002"].pop(field, None)
        by_id["DI-003"]["name"] = "Energisation State"

    def sets(data):
        values = data["valid_sets"][0]["values"]
        data["valid_sets"][0]["values"] = [v for v in values if v["code"] != "D"] + [
            {"code": "X", "meaning": "Unknown"}
        ]

    edit(model / "interfaces/IF-021.yaml", interface)
    edit(model / "data_catalogue/items.yaml", items)
    edit(model / "data_catalogue/valid_sets.yaml", sets)
    assert not check_model(model).has_errors
    commit(root, "head", "head")

    edit(model / "interfaces/IF-021.yaml", lambda d: d["interface"].update(description="Described again, better."))
    commit(root, "wording", "editorial")
    return root


def changes_of(done: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(done.stdout)["changes"]


def test_every_change_is_classified_right(repo):
    done = mhhsarch(repo, "diff", "base", "head", "--format", "json")
    assert done.returncode == 0, done.stderr
    found = {(c["kind"], c["id"], c["field"], c["change"]): c for c in changes_of(done)}
    expected = {
        ("interface", "IF-021", "receivers[SUP]", "removed"): ("breaking", "RECEIVER_REMOVED"),
        ("interface", "IF-021", "data_items[DI-003]", "added"): ("non-breaking", "OPTIONAL_ITEM_ADDED"),
        ("interface", "IF-021", "data_items[DI-002].repeats", "modified"): ("breaking", "CARDINALITY_CHANGED"),
        ("interface", "IF-021", "description", "modified"): ("editorial", "WORDING"),
        ("data_item", "DI-001", "length", "modified"): ("breaking", "LENGTH_NARROWED"),
        ("data_item", "DI-001", "format", "modified"): ("breaking", "FORMAT_CHANGED"),
        ("data_item", "DI-004", "length", "modified"): ("non-breaking", "LENGTH_WIDENED"),
        ("data_item", "DI-002", "type", "modified"): ("breaking", "TYPE_CHANGED"),
        ("data_item", "DI-003", "name", "modified"): ("editorial", "WORDING"),
        ("valid_set", "VS-ENERGISATION-STATUS", "values[D]", "removed"): ("breaking", "CODE_REMOVED"),
        ("valid_set", "VS-ENERGISATION-STATUS", "values[X]", "added"): ("non-breaking", "CODE_ADDED"),
    }
    for key, (klass, rule) in expected.items():
        assert key in found, (key, sorted(found))
        assert (found[key]["class"], found[key]["rule"]) == (klass, rule), (key, found[key])
    old_new = found[("data_item", "DI-001", "length", "modified")]
    assert (old_new["old"], old_new["new"]) == (13, 12)
    assert "specs/IF-021.docx" in found[("interface", "IF-021", "receivers[SUP]", "removed")]["artefacts"]
    assert (
        "catalogue/data_catalogue.xlsx"
        in found[("valid_set", "VS-ENERGISATION-STATUS", "values[D]", "removed")]["artefacts"]
    )
    # IF-021 changed but kept version 1.0.0
    warnings = json.loads(done.stdout)["warnings"]
    assert [w["rule"] for w in warnings] == ["VERSION_NOT_BUMPED"] and "IF-021" in warnings[0]["message"]


def test_fail_on_breaking_and_any(repo):
    assert mhhsarch(repo, "diff", "base", "head", "--fail-on", "breaking").returncode == 1
    editorial = mhhsarch(repo, "diff", "head", "editorial", "--fail-on", "breaking", "--format", "json")
    assert editorial.returncode == 0, editorial.stderr
    assert {c["class"] for c in changes_of(editorial)} == {"editorial"}
    assert mhhsarch(repo, "diff", "head", "editorial", "--fail-on", "any").returncode == 1
    assert mhhsarch(repo, "diff", "editorial", "editorial", "--fail-on", "any").returncode == 0


def test_markdown_for_a_pull_request_and_the_working_tree_untouched(repo):
    status, head = git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD")
    path = repo / "model/interfaces/IF-021.yaml"
    before = path.read_text(encoding="utf-8")
    path.write_text(before.replace("Described again, better.", "Uncommitted wording."), encoding="utf-8")
    try:
        done = mhhsarch(repo, "diff", "editorial", "--format", "markdown")  # HEAD: the working tree
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("### mhhsarch diff `editorial`")
        assert "| editorial | interface IF-021 | description | modified |" in done.stdout
    finally:
        path.write_text(before, encoding="utf-8")
    assert git(repo, "status", "--porcelain") == status and git(repo, "rev-parse", "HEAD") == head


def test_a_bad_revision_is_a_one_line_error(repo):
    done = mhhsarch(repo, "diff", "no-such-tag")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no-such-tag" in done.stderr and "Traceback" not in done.stderr


def test_two_model_folders_can_be_compared(repo, tmp_path):
    other = copy_model(tmp_path / "other")
    done = mhhsarch(repo, "diff", str(other), "--format", "json")  # the fixture vs the working tree (editorial)
    assert done.returncode == 0, done.stderr
    assert any(c["rule"] == "RECEIVER_REMOVED" for c in changes_of(done))


def test_impact_lists_dependants_with_their_path(repo):
    done = mhhsarch(repo, "impact", "DI-001", "--format", "json")
    assert done.returncode == 0, done.stderr
    [entry] = json.loads(done.stdout)["selected"]
    by_node = {(d["kind"], d["id"]): d["path"] for d in entry["dependants"]}
    assert by_node[("interface", "IF-021")] == ["interface IF-021", "data_item DI-001"]
    path = by_node[("process", "BP005")]  # through one of the interfaces that carry DI-001
    assert len(path) == 3 and path[0] == "process BP005" and path[-1] == "data_item DI-001", path
    assert "specs/IF-021.docx" in entry["documents"] and "processes/BP005.docx" in entry["documents"]
    assert mhhsarch(repo, "impact", "DI-999").returncode == 2


def test_selectors_over_the_fixture_graph(tmp_path):
    checked = check_model(copy_model(tmp_path / "model"))
    model, graph = checked.model, checked.graph

    def ids(*selectors: str, modified=None) -> set:
        return {i for _, i in select(model, graph, selectors, modified)}

    assert ids("kind:interface") == set(model.interfaces)
    assert ids("kind:interface,tranche:1") == {i.id for i in model.interfaces.values() if i.tranche == 1}
    assert ids("IF-021") == {"IF-021"}
    assert {"BP005"} <= ids("IF-021+") and "DI-001" not in ids("IF-021+")
    assert {"DI-001", "DI-002"} <= ids("+IF-021") and "C-0001" not in ids("+IF-021")
    assert "C-0001" in ids("IF-021+")  # a comment on IF-021 depends on it
    assert ids("role:SUP") >= {"IF-021"} and all(i.startswith(("IF", "BP", "PUB")) for i in ids("role:SUP"))
    assert ids("IF-021 IF-018") == {"IF-021", "IF-018"}  # a union
    assert ids("state:modified", modified={("interface", "IF-018")}) == {"IF-018"}


def test_classification_rules_on_single_changes():
    def rule_of(**kw) -> str:
        return classify(
            Change(
                kw.pop("kind"), "X", kw.pop("field", None), kw.pop("change"), kw.pop("old", None), kw.pop("new", None)
            )
        ).rule

    assert rule_of(kind="interface", change="removed") == "INTERFACE_REMOVED"
    assert rule_of(kind="data_item", change="removed") == "DATA_ITEM_REMOVED"
    assert rule_of(kind="interface", field="transport", change="modified", old="DIP", new="API") == "TRANSPORT_CHANGED"
    assert rule_of(kind="interface", field="senders[ADS]", change="removed", old="ADS") == "SENDER_REMOVED"
    assert (
        rule_of(kind="interface", field="data_items[DI-9]", change="added", new={"ref": "DI-9", "mandatory": True})
        == "MANDATORY_ITEM_ADDED"
    )
    assert (
        rule_of(kind="interface", field="data_items[DI-9].mandatory", change="modified", old=False, new=True)
        == "ITEM_MADE_MANDATORY"
    )
    assert rule_of(kind="interface", change="added") == "ENTITY_ADDED"
    assert rule_of(kind="process", change="added") == "ENTITY_ADDED"
    assert rule_of(kind="interface", field="principles[DP-03]", change="added", new="DP-03") == "REFERENCE"


def test_diff_of_the_shipped_model_against_itself_is_fast_and_empty():
    repo_root = Path(__file__).parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "diff", "model", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=repo_root,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["changes"] == []
