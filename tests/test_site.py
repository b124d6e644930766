"""The review site (render/site.py): page count, reproducibility, and in a real browser
(Debian's Chromium driven by Playwright): links resolve, search, diagram links, no console
errors, and an axe-core scan without serious or critical violations."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "valid"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _render(out: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "render", str(FIXTURE), "--out", str(out), "--only", "site"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    _render(out)
    return out / "site"


def test_page_count_is_entity_count_plus_indexes(site):
    from mhhsarch.source.loader import load_model

    model = load_model(FIXTURE).model
    kinds = ("processes", "interfaces", "roles", "capabilities", "data_items", "valid_sets", "entities", "principles")
    kinds += ("artefacts",)  # registered documents (BRS007)
    entities = sum(len(getattr(model, k)) for k in kinds)
    assert model.artefacts
    tranches = {x.tranche for x in (*model.processes.values(), *model.interfaces.values(), *model.artefacts.values())}
    pages = sorted(p for p in site.rglob("*.html"))
    assert len(pages) == entities + len(tranches) + 3  # + index.html, catalogue.html and tracker.html


def test_site_is_byte_identical_across_renders(site, tmp_path):
    _render(tmp_path / "again")
    again = tmp_path / "again" / "site"
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second


playwright = pytest.importorskip("playwright.sync_api")
needs_browser = pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"), reason="no chromium")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


@needs_browser
def test_every_internal_link_and_asset_resolves(site, page):
    out = site.parent
    seen, broken, pending = set(), [], [site / "index.html"]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        page.goto(current.as_uri())
        targets = page.eval_on_selector_all(
            "a[href], link[href], script[src]",
            "els => els.map(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href)",
        )
        for target in targets:
            if not target.startswith("file://"):
                broken.append((current.name, target))  # nothing may point off the site
                continue
            path = Path(target[len("file://") :].split("#")[0])
            if not path.exists():
                broken.append((current.name, target))
            elif path.suffix == ".html" and path.is_relative_to(site):
                pending.append(path)
        assert page.console_errors == [], (current, page.console_errors)
    assert broken == []
    assert len(seen) == len(list(site.rglob("*.html")))
    assert out.is_dir()


@needs_browser
def test_search_finds_an_interface_by_id_and_by_a_word_of_its_name(site, page):
    page.goto((site / "index.html").as_uri())
    page.fill("#search-box", "IF-018")
    assert "IF-018" in page.inner_text("#search-results")
    name = re.sub(r"^IF-018\s*", "", page.inner_text("#search-results a >> nth=0"))
    word = max(name.split(), key=len)
    page.fill("#search-box", word.lower())
    assert "IF-018" in page.inner_text("#search-results")
    page.click("#search-results a >> nth=0")
    assert page.url.endswith("interfaces/IF-018.html")


@needs_browser
def test_clicking_a_diagram_node_opens_its_page(site, page):
    page.goto((site / "processes" / "BP005.html").as_uri())
    node = page.locator("figure.diagram svg a").first
    node.click()
    page.wait_for_load_state()
    assert "/roles/" in page.url
    assert page.locator("h1").inner_text()


@needs_browser
def test_no_serious_or_critical_accessibility_violations(site, page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    pages = ("index.html", "catalogue.html", "processes/BP005.html", "interfaces/IF-018.html", "tracker.html")
    for rel in (*pages, "tranches/1.html", "documents/BRS007.html"):
        page.goto((site / rel).as_uri())
        violations = axe.run(page).response["violations"]
        bad = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], (rel, bad)


@needs_browser
def test_clicking_a_sequence_diagram_participant_or_message_opens_its_page(site, page):
    page.goto((site / "processes" / "BP005.html").as_uri())
    message = page.locator('figure.diagram svg a[aria-label^="Interface "]').first
    interface = (message.get_attribute("aria-label") or "").removeprefix("Interface ")
    message.click()
    page.wait_for_url(f"**/interfaces/{interface}.html")
    assert page.locator("h1").inner_text().startswith(interface)
    page.go_back()
    # the participants of the sequence diagrams (the last figures) link to their roles
    participant = page.locator('figure.diagram svg a[aria-label^="Role "]').last
    role = (participant.get_attribute("aria-label") or "").removeprefix("Role ")
    participant.click()
    page.wait_for_url(f"**/roles/{role}.html")
    assert page.locator("h1").inner_text().startswith(role)


def test_a_participant_with_one_step_says_step(site):
    pages = [p.read_text(encoding="utf-8") for p in (site / "processes").glob("*.html")]
    assert any(" step)</li>" in page for page in pages)
    assert not any("(1 steps)" in page for page in pages)


def test_tracker_page_and_registered_documents(site):
    """The tracker page says what `mhhsarch tracker` counts; a registered document has its
    page and its row in the pack index, with its comments counted by status."""
    from mhhsarch.pipeline import check_model
    from mhhsarch.review.tracker import as_json, tracker

    data = as_json(tracker(check_model(FIXTURE).model))
    page = (site / "tracker.html").read_text(encoding="utf-8")
    for entry in data["tranches"]:
        for artefact in entry["artefacts"]:
            assert artefact["id"] in page
        for open_comment in entry["unresolved"]:
            assert f"<strong>{open_comment['id']}</strong>" in page
    assert data["tranches"][0]["unresolved"], "the fixture has an open comment"
    document = (site / "documents" / "BRS007.html").read_text(encoding="utf-8")
    assert "Requirements specification" in document and "1 open" in document
    pack = (site / "tranches" / "1.html").read_text(encoding="utf-8")
    row = re.search(r"<tr><td><a href=\"../documents/BRS007.html\">BRS007</a>.*?</tr>", pack)
    assert row, "BRS007 is in tranche 1's pack index"
    counts = re.findall(r"<td>(\d+)</td>", row.group())
    assert counts[-1] == "1" and sum(map(int, counts)) == 1  # one open comment, open is the last column
