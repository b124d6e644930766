"""The render cache (render/cache.py): a no-op re-render reuses every file, a change
re-renders exactly what shows it, the output is byte-identical to a clean render, a
damaged cache is never trusted; and the per-diagram time limit names the diagram.

Every render runs the CLI in a process of its own, as a user would (so a cache key that
depended on the process, such as set order under hash randomisation, would show)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
MODEL = REPO / "model"
EPOCH = "1700000000"
# no JVM and no LibreOffice: the documents' renderers that are quick
CHEAP = "markdown,views,payload-schemas,catalogue"


def render(model: Path, out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    environment["PYTHONPATH"] = str(REPO / "src")
    return subprocess.run(
        [sys.executable, "-m", "mhhsarch", "-q", "render", str(model), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env=environment,
    )


def rendered(model: Path, out: Path, *extra: str, env: dict | None = None) -> dict:
    done = render(model, out, *extra, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def reused(manifest: dict) -> set[str]:
    return set(manifest["cache"]["reused"])


def paths(manifest: dict) -> set[str]:
    return {a["path"] for a in manifest["artefacts"]}


def tree(folder: Path) -> dict[str, str]:
    """Every file below `folder` by its sha256, the manifest without its `cache` part (the
    one part an incremental render writes differently)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if rel == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("cache")
            data = json.dumps(manifest, sort_keys=True).encode()
        files[rel] = hashlib.sha256(data).hexdigest()
    return files


@pytest.fixture
def model(tmp_path) -> Path:
    """A copy of the shipped model (outside git: no version history from commits)."""
    return Path(shutil.copytree(MODEL, tmp_path / "model"))


def change_description(model: Path, interface: str = "IF-021") -> None:
    path = model / "interfaces" / f"{interface}.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "  description: >-\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "    Changed for the cache test.\n", 1), encoding="utf-8")


def test_no_op_rerender_of_the_whole_model_reuses_everything_and_matches_a_clean_render(model, tmp_path):
    first = rendered(model, tmp_path / "out")
    assert first["cache"] == {"enabled": True, "reused": []}
    assert (tmp_path / ".out.mhhsarch-cache" / "index.json").is_file()
    assert not (tmp_path / "out" / ".mhhsarch-cache").exists()  # the output stays a clean render output
    again = rendered(model, tmp_path / "out")
    assert reused(again) == paths(again) == paths(first)
    clean = rendered(model, tmp_path / "clean", "--no-cache")
    assert clean["cache"] == {"enabled": False, "reused": []}
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")


def test_one_interface_description_re_renders_only_what_shows_it(model, tmp_path):
    out = tmp_path / "out"
    before = rendered(model, out, "--only", CHEAP)
    old = {a["path"]: a["sha256"] for a in before["artefacts"]}
    change_description(model)
    after = rendered(model, out, "--only", CHEAP)
    again = set(paths(after) - reused(after))
    new = {a["path"]: a["sha256"] for a in after["artefacts"]}
    changed = {p for p in new if new[p] != old.get(p)}
    assert changed <= again  # everything that changed was rendered again ...
    # ... and that is the interface's own document and view, nothing else: no other
    # interface's, and not the whole-model catalogue, which shows no descriptions
    assert again == {"markdown/specs/IF-021.md", "views/interfaces/IF-021.json"}, sorted(again)
    assert "markdown/specs/IF-022.md" in reused(after)
    assert tree(out) == tree_of_clean(model, tmp_path, "--only", CHEAP)


def test_a_name_the_catalogue_shows_re_renders_the_whole_model_artefacts(model, tmp_path):
    """The catalogue reads every interface: its key holds them all."""
    out = tmp_path / "out"
    name = "UTC Settlement Period Consumption Data"
    before = rendered(model, out, "--only", CHEAP)

    def view_of(markdown: str) -> Path:  # markdown/specs/IF-001.md -> views/interfaces/IF-001.json
        kind, stem = markdown.removeprefix("markdown/").removesuffix(".md").split("/")
        return out / "views" / {"specs": "interfaces", "processes": "processes"}[kind] / f"{stem}.json"

    markdown = {p for p in paths(before) if p.startswith("markdown/")}
    # the documents whose view reads the name (the key is what the view reads: a little
    # more than the Markdown template prints, never less)
    showing = {p for p in markdown if name in view_of(p).read_text(encoding="utf-8")}
    path = model / "interfaces" / "IF-021.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"  name: {name}", "  name: Renamed", 1), "utf-8")
    after = rendered(model, out, "--only", CHEAP)
    again = paths(after) - reused(after)
    assert {"catalogue/data_catalogue.xlsx", "views/catalogue.json", "markdown/specs/IF-021.md"} <= again
    # of the Markdown documents: every one that changed (the interface's own, the processes
    # that send it, the interfaces that refer to it), and only documents whose view held the
    # words (a few hold them in a text of their own, unchanged, and are rightly reused)
    old = {a["path"]: a["sha256"] for a in before["artefacts"]}
    changed = {a["path"] for a in after["artefacts"] if a["sha256"] != old[a["path"]]}
    assert {p for p in changed if p.startswith("markdown/")} <= {p for p in again if p.startswith("markdown/")}
    assert {p for p in again if p.startswith("markdown/")} <= showing
    assert len(changed & markdown) > 2 and len(showing) < len(markdown)
    assert tree(out) == tree_of_clean(model, tmp_path, "--only", CHEAP)


def tree_of_clean(model: Path, tmp_path: Path, *extra: str) -> dict[str, str]:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    rendered(model, clean, "--no-cache", *extra)
    return tree(clean)


def test_a_description_reaches_the_documents_and_diagrams_that_show_it(model, tmp_path):
    """With the Word documents (which embed the diagrams): the interface's specification is
    rendered again; the other specifications are reused."""
    out = tmp_path / "out"
    rendered(model, out, "--only", "specs")
    change_description(model)
    after = rendered(model, out, "--only", "specs")
    again = paths(after) - reused(after)
    assert "specs/IF-021.docx" in again
    assert "specs/IF-022.docx" in reused(after)
    assert not any(p.startswith("diagrams/sequence/") for p in again)  # a description is in no sequence diagram
    assert tree(out) == tree_of_clean(model, tmp_path, "--only", "specs")


def test_a_template_change_re_renders_every_artefact_that_uses_it(model, tmp_path):
    templates = Path(shutil.copytree(REPO / "templates", tmp_path / "mytemplates"))
    out = tmp_path / "out"
    before = rendered(model, out, "--only", "markdown", "--template", str(templates))
    template = templates / "interface_spec.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\nEdited template.\n", encoding="utf-8")
    after = rendered(model, out, "--only", "markdown", "--template", str(templates))
    specs = {p for p in paths(after) if p.startswith("markdown/specs/")}
    processes = {p for p in paths(after) if p.startswith("markdown/processes/")}
    assert specs and processes and paths(before) == paths(after)
    assert reused(after) == processes  # every specification again, no process description
    assert all("Edited template." in (out / p).read_text(encoding="utf-8") for p in specs)


def test_a_damaged_cache_is_ignored(model, tmp_path):
    out = tmp_path / "out"
    cache = tmp_path / ".out.mhhsarch-cache"
    rendered(model, out, "--only", CHEAP)
    expected = tree(out)
    index = json.loads((cache / "index.json").read_text(encoding="utf-8"))
    (path, sha, _), *_ = index["entries"][sorted(index["entries"])[0]]
    victim = cache / "objects" / sha[:2] / sha
    victim.write_bytes(victim.read_bytes()[:10])  # truncated
    again = rendered(model, out, "--only", CHEAP)
    assert path not in reused(again)  # not trusted ...
    assert len(reused(again)) == len(paths(again)) - 1  # ... and only that one rendered again
    assert tree(out) == expected
    (cache / "index.json").write_text("{not json", encoding="utf-8")  # garbage index
    third = rendered(model, out, "--only", CHEAP)
    assert reused(third) == set()
    assert tree(out) == expected
    index = json.loads((cache / "index.json").read_text(encoding="utf-8"))
    index["tool"] = "another version"
    (cache / "index.json").write_text(json.dumps(index), encoding="utf-8")
    assert reused(rendered(model, out, "--only", CHEAP)) == set()


def test_no_cache_renders_everything(model, tmp_path):
    out = tmp_path / "out"
    rendered(model, out, "--only", CHEAP)
    forced = rendered(model, out, "--only", CHEAP, "--no-cache")
    assert forced["cache"] == {"enabled": False, "reused": []}
    # and it refilled the cache: the next render reuses all
    assert reused(rendered(model, out, "--only", CHEAP)) == paths(forced)


def test_an_edited_output_file_is_not_put_back(model, tmp_path):
    """Output files are hard links to the cache's: one edited in place is caught by its sha256."""
    out = tmp_path / "out"
    rendered(model, out, "--only", CHEAP)
    expected = tree(out)
    edited = out / "markdown/specs/IF-021.md"
    with open(edited, "a", encoding="utf-8") as handle:
        handle.write("edited by hand\n")
    again = rendered(model, out, "--only", CHEAP)
    assert "markdown/specs/IF-021.md" not in reused(again)
    assert tree(out) == expected


def test_a_diagram_over_the_time_limit_is_named_with_the_model_size(model, tmp_path):
    done = render(
        model, tmp_path / "out", "--only", "communication", "--no-cache", env={"MHHSARCH_DIAGRAM_TIMEOUT": "0.001"}
    )
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert "took more than 0.001s to draw" in message, message
    assert "diagram diagrams/" in message and "roles" in message and "interfaces" in message
    assert "MHHSARCH_DIAGRAM_TIMEOUT" in message
    assert not (tmp_path / "out").exists()  # nothing published


def test_a_large_market_is_drawn_by_category_with_a_drill_down_each(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from mhhsarch.pipeline import check_model
    from mhhsarch.render.views.diagrams import MARKET_FLAT_ROLES, MARKET_PART_ROLES, market_views
    from synth import generate

    generate(tmp_path / "big", 4, 0)
    checked = check_model(tmp_path / "big")
    model = checked.model
    assert len(model.roles) > MARKET_FLAT_ROLES
    views = market_views(model, model.interfaces.values(), "market")
    overview, *drill = views
    categories = {r.category for r in model.roles.values()}
    assert overview.id == "market" and {n.id for n in overview.nodes} == categories
    # every interface is counted: the edges of the overview stand for all of them
    assert set(overview.interfaces) == set(model.interfaces)
    for category in categories:
        parts = [v for v in drill if v.id == f"market-{category}" or v.id.startswith(f"market-{category}-")]
        assert parts, category
        shown = [n.id for v in parts for n in v.nodes if n.id in model.roles]
        # each role of the category in exactly one part, at most MARKET_PART_ROLES a part
        assert sorted(shown) == sorted(r.id for r in model.roles.values() if r.category == category)
        assert all(sum(1 for n in v.nodes if n.id in model.roles) <= MARKET_PART_ROLES for v in parts)
    # the shipped model is small: one flat picture, as before
    shipped = check_model(MODEL).model
    (flat,) = market_views(shipped, shipped.interfaces.values(), "market")
    assert {n.id for n in flat.nodes} <= set(shipped.roles)


def test_a_render_of_a_subset_keeps_what_the_full_render_cached(model, tmp_path):
    out = tmp_path / "out"
    full = rendered(model, out, "--only", CHEAP)
    change_description(model)  # not a no-op: the jobs are looked up one by one
    subset = rendered(model, out, "--only", "markdown")
    assert reused(subset) == paths(subset) - {"markdown/specs/IF-021.md"}
    again = rendered(model, out, "--only", CHEAP)
    # the catalogue and the views were cached by the first render, and kept through the second
    assert "catalogue/data_catalogue.xlsx" in reused(again) and "views/interfaces/IF-022.json" in reused(again)
    assert paths(again) - reused(again) == {"views/interfaces/IF-021.json"}
    assert paths(again) == paths(full)
