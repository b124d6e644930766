"""`mhhsarch serve` (serve.py), as a designer uses it: a subprocess serving a copy of the
shipped model, a page open in Debian's Chromium (Playwright), YAML files edited on disk.
The page reloads with the new name, a broken file shows its diagnostic with file:line
over the page and a fix takes it away; Ctrl-C and SIGTERM end it cleanly; it listens on
127.0.0.1 only; a port in use is one line and exit 2."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from test_site import ARGS, CHROMIUM

REPO = Path(__file__).parents[1]
SHIPPED = REPO / "model"
FIXTURE = Path(__file__).parent / "fixtures" / "valid"
STARTUP_SECONDS = 90  # the first build draws every diagram; a loaded CI machine is slow
RELOAD_SECONDS = 15  # generous bound for a loaded machine; the measured latency is printed

pytestmark = pytest.mark.skipif(
    not (shutil.which("dot") and shutil.which("plantuml")), reason="serve draws diagrams: needs graphviz and plantuml"
)


class Serve:
    """A running `mhhsarch serve MODEL --port 0` and what it said on stderr."""

    def __init__(self, cwd: Path, model: str = "model", *extra: str) -> None:
        self.cwd = cwd
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mhhsarch", "serve", model, "--port", "0", *extra],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            for line in self.lines:
                found = re.search(r"serving (http://\S+/) ", line)
                if found:
                    return found.group(1)
            if self.process.poll() is not None:
                self._reader.join(timeout=5)
                raise AssertionError(f"serve ended at start ({self.process.returncode}): {self.stderr}")
            time.sleep(0.05)
        self.stop(signal.SIGKILL)
        raise AssertionError(f"serve did not start within {STARTUP_SECONDS} s: {self.stderr}")

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    def stop(self, signum: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(timeout=5)
        return code


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    shutil.copytree(SHIPPED, folder / "model")
    server = Serve(folder)
    yield server
    server.stop(signal.SIGKILL)


playwright = pytest.importorskip("playwright.sync_api")
needs_browser = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    found.add(address)
    return found


def test_serves_on_127_0_0_1_only(served):
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    assert served.url.startswith("http://127.0.0.1:")
    if os.path.exists("/proc/net/tcp"):
        assert _listening_addresses(port) == {"127.0.0.1"}


def test_a_request_for_another_host_name_is_refused(served):
    """A page of another site that resolves its own name to 127.0.0.1 (DNS rebinding)
    cannot read the model through serve."""
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    request = Request(served.url + "__mhhsarch/source?path=model/market.yaml", headers={"Host": "evil.example:80"})
    with pytest.raises(HTTPError) as refused:
        urlopen(request, timeout=10)
    assert refused.value.code == 403
    with urlopen(served.url + "__mhhsarch/source?path=model/market.yaml", timeout=10) as response:
        assert "roles" in response.read().decode("utf-8")


def test_served_pages_get_the_live_script_the_files_do_not(served):
    from urllib.request import urlopen

    with urlopen(served.url + "interfaces/IF-021.html", timeout=10) as response:
        page = response.read().decode("utf-8")
    assert '<script src="/__mhhsarch/live.js"' in page
    site = Path(re.search(r"site in (\S+)\)", served.stderr).group(1))
    on_disk = (site / "interfaces" / "IF-021.html").read_text(encoding="utf-8")
    assert "__mhhsarch" not in on_disk
    assert on_disk.count("<h1>") == 1
    with urlopen(served.url + "assets/site.css", timeout=10) as response:
        assert "__mhhsarch" not in response.read().decode("utf-8")


@needs_browser
def test_an_edit_reloads_the_page_with_the_new_name(served, browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served.url + "interfaces/IF-021.html")
    assert "UTC Settlement Period Consumption Data" in page.inner_text("h1")
    page.evaluate("window.__before_edit = true")
    started = time.monotonic()
    _edit(
        served.cwd / "model" / "interfaces" / "IF-021.yaml",
        "name: UTC Settlement Period Consumption Data",
        "name: Half-Hourly Consumption Renamed In Serve",
    )
    page.wait_for_function(
        "document.querySelector('h1').textContent.includes('Renamed In Serve')", timeout=RELOAD_SECONDS * 1000
    )
    print(f"edit -> page shows the new name: {time.monotonic() - started:.2f} s")
    assert page.evaluate("window.__before_edit") is None  # a new document: the page was reloaded
    # the process page's sequence diagram (drawn again) says it too, and links it
    page.goto(served.url + "processes/BP005.html")
    message = page.locator('figure.diagram svg a[aria-label="Interface IF-021"]').first
    assert "Renamed" in (message.text_content() or "")
    assert errors == []
    page.close()


@needs_browser
def test_a_broken_file_shows_its_diagnostic_and_a_fix_takes_it_away(served, browser):
    page = browser.new_page()
    page.goto(served.url + "interfaces/IF-018.html")
    heading = page.inner_text("h1")
    path = served.cwd / "model" / "interfaces" / "IF-018.yaml"
    original = path.read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(original.splitlines(), 1) if text.startswith("  transport: "))
    _edit(path, "\n  transport: ", "\n  transport: PIGEON_")
    try:
        overlay = page.wait_for_selector("#mhhsarch-overlay", timeout=RELOAD_SECONDS * 1000)
        text = overlay.inner_text()
        assert f"model/interfaces/IF-018.yaml:{line}:" in text
        assert "transport" in text and "S204" in text
        where = page.inner_text("#mhhsarch-overlay a.mhhsarch-where")
        assert where.startswith(f"model/interfaces/IF-018.yaml:{line}:")
        assert page.inner_text("h1") == heading  # the last good site is still shown under it
        # the link shows the file at that line
        source = browser.new_page()
        source.goto(served.url + page.get_attribute("#mhhsarch-overlay a.mhhsarch-where", "href").lstrip("/"))
        assert "PIGEON_" in source.inner_text(f"#L{line}")
        source.close()
    finally:
        path.write_text(original, encoding="utf-8")
    page.wait_for_selector("#mhhsarch-overlay", state="detached", timeout=RELOAD_SECONDS * 1000)
    assert page.inner_text("h1") == heading
    page.close()


@needs_browser
def test_clicking_a_sequence_diagram_message_opens_its_interface(served, browser):
    page = browser.new_page()
    page.goto(served.url + "processes/BP005.html")
    page.locator('figure.diagram svg a[aria-label="Interface IF-022"]').first.click()
    page.wait_for_url("**/interfaces/IF-022.html")
    assert page.inner_text("h1").startswith("IF-022")
    page.go_back()
    page.locator('figure.diagram svg a[aria-label="Role LSS"]').last.click()
    page.wait_for_url("**/roles/LSS.html")
    page.close()


def test_ctrl_c_ends_it_cleanly(served):
    """Last of the module's tests on the shared server: SIGINT ends it, exit 0, one line."""
    site = Path(re.search(r"site in (\S+)\)", served.stderr).group(1))
    assert site.is_dir()
    code = served.stop(signal.SIGINT)
    assert code == 0, served.stderr
    assert "Traceback" not in served.stderr
    assert served.lines[-1] == "mhhsarch: stopped (SIGINT)"
    assert not site.parent.exists()  # the temporary folder is removed


def test_sigterm_ends_it_cleanly(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "model")
    server = Serve(tmp_path)
    code = server.stop(signal.SIGTERM)
    assert code == 0, server.stderr
    assert "Traceback" not in server.stderr
    assert server.lines[-1] == "mhhsarch: stopped (SIGTERM)"


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "mhhsarch", "serve", str(FIXTURE), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.strip() == f"mhhsarch: error: port {port} on 127.0.0.1 is in use (choose another with --port)"


def test_out_must_be_serves_own_folder(tmp_path):
    rendered = tmp_path / "out"
    rendered.mkdir()
    (rendered / "manifest.json").write_text("{}")
    done = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "serve", str(FIXTURE), "--port", "0", "--out", str(rendered)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "not an earlier `mhhsarch serve` folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in rendered.iterdir()) == ["manifest.json"]


def _state(url: str) -> dict:
    import json
    from urllib.request import urlopen

    with urlopen(url + "__mhhsarch/state", timeout=10) as response:
        return json.loads(response.read())


def _wait(predicate, what: str, seconds: float = RELOAD_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_a_template_edit_rebuilds_and_a_template_error_is_placed(tmp_path):
    from urllib.request import urlopen

    shutil.copytree(FIXTURE, tmp_path / "model")
    (tmp_path / "tpl" / "site").mkdir(parents=True)
    base = tmp_path / "tpl" / "site" / "base.html.j2"
    shutil.copyfile(REPO / "src" / "mhhsarch" / "templates" / "site" / "base.html.j2", base)
    server = Serve(tmp_path, "model", "--template", "tpl")
    try:
        generation = _state(server.url)["generation"]
        _edit(base, "<footer>", "<footer><p>Team footer</p>")
        _wait(lambda: _state(server.url)["generation"] > generation, "a new generation after the template edit")
        with urlopen(server.url + "processes/BP005.html", timeout=10) as response:
            assert "<p>Team footer</p>" in response.read().decode("utf-8")
        line = next(n for n, text in enumerate(base.read_text().splitlines(), 1) if "Team footer" in text)
        _edit(base, "<p>Team footer</p>", "<p>{{ unclosed </p>")
        problems = _wait(lambda: _state(server.url)["problems"], "the template error in the state")
        assert problems[0]["path"] == "tpl/site/base.html.j2"
        assert problems[0]["line"] in (line, line + 1)  # Jinja reports the line after an unclosed tag
        assert "could not be built" in problems[0]["message"]
        _edit(base, "<p>{{ unclosed </p>", "<p>Fixed footer</p>")
        _wait(lambda: not _state(server.url)["problems"], "the problem gone after the fix")
        with urlopen(server.url + "processes/BP005.html", timeout=10) as response:
            assert "<p>Fixed footer</p>" in response.read().decode("utf-8")
    finally:
        assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in server.stderr
