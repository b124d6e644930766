"""`mhhsarch serve`: the review site with live reload, for the design team.

    watcher (main thread)  model/*.yaml, templates/site/* changed
        -> LiveSite.build: check the model; on errors keep the last good site and say so;
           else redraw only the diagrams whose source text changed, and rewrite only
           the pages whose view, diagrams or templates changed
        -> a new state (generation, problems) for every open page
    HTTP server (threads)  the site folder on 127.0.0.1 only; every HTML page it sends
        gets a small script (never written into the files) that listens to
        /__mhhsarch/events (Server-Sent Events) and reloads the page on a new
        generation, or shows the model's errors over the page with file:line.

Everything is kept in this process between builds (the previous diagram sources, each
page's inputs and text), so a one-file edit costs a model check, the views, one
PlantUML or Graphviz call for the diagrams it touches and the pages it touches.

The site is written into a folder of serve's own (a temporary folder by default; with
--out, a folder serve marks as its own), never into a render's output.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from mhhsarch.diagnostics.core import Diagnostic, Severity, printable
from mhhsarch.pipeline import check_model

HOST = "127.0.0.1"
PREFIX = "/__mhhsarch/"
MARKER = ".mhhsarch-serve"  # in an --out folder: serve made it, serve may rewrite it
RENDERERS = frozenset({"site", "sequence", "communication"})
KEEPALIVE_SECONDS = 10.0
IDLE_MS = 2000  # no change for this long: collect garbage
TEMPLATE_SUFFIXES = (".j2", ".css", ".js")
SOURCE_SUFFIXES = (".yaml", ".yml", *TEMPLATE_SUFFIXES)
_TEMPLATE_PLACE = re.compile(r"template (\S+?):(\d+): ")


class ServeError(Exception):
    """serve cannot start (port in use, a refused folder): one line, exit 2."""


class Stopped(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: serve ends cleanly."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# --------------------------------------------------------------------------- the state


@dataclass(frozen=True)
class State:
    """What open pages are told: the site's generation (a new one: reload) and the
    problems of the last build (shown over the page; the site stays the last good one)."""

    generation: int = 0
    problems: tuple[dict, ...] = ()
    built: bool = False  # a good site exists

    def as_json(self) -> str:
        return json.dumps(
            {"generation": self.generation, "problems": list(self.problems), "built": self.built}, sort_keys=True
        )


class Broadcast:
    """The current state and a condition the event streams wait on."""

    def __init__(self) -> None:
        self._state = State()
        self._version = 0
        self._condition = threading.Condition()
        self.closing = False

    @property
    def state(self) -> State:
        with self._condition:
            return self._state

    def publish(self, state: State) -> None:
        with self._condition:
            if state != self._state:
                self._state = state
                self._version += 1
                self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self.closing = True
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, State]:
        """Wait until the state is newer than version `seen` (or the timeout, or closing)."""
        with self._condition:
            self._condition.wait_for(lambda: self._version != seen or self.closing, timeout)
            return self._version, self._state


def problem_of(diagnostic: Diagnostic) -> dict:
    return {
        "path": diagnostic.span.path,
        "line": diagnostic.span.line,
        "column": diagnostic.span.column,
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "message": diagnostic.message,
    }


# --------------------------------------------------------------------------- the builder


@dataclass
class BuildReport:
    seconds: float
    problems: int = 0
    warnings: int = 0
    diagrams: int = 0
    pages: int = 0
    failure: str | None = None  # a build that failed (a template error, a tool that failed)


@dataclass
class _Page:
    key: object
    text: str


class PlantUMLPipe:
    """One PlantUML process for the whole session (`plantuml -pipe`): a diagram's text in,
    its SVG out, up to a delimiter line. Started on first use, restarted once if it died."""

    DELIMITER = "@@@mhhsarch-serve-end-of-diagram@@@"
    TIMEOUT = 60.0

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self._pending = b""
        self._lock = threading.Lock()  # one diagram at a time (a build, or the warm-up)

    def warm_up(self, sources: list[str], stop: threading.Event) -> None:
        """Draw these once more, for nothing but the JVM's compiler: a cold PlantUML takes
        about 90 ms a part, a warm one 30 ms. Stops as soon as `stop` is set (a build)."""
        from mhhsarch.render.base import RenderError

        for source in sources:
            if stop.is_set():
                return
            try:
                self.draw(source)
            except RenderError:
                return

    def _start(self) -> subprocess.Popen:
        from mhhsarch.render.diagrams.plantuml_jvm import plantuml_command

        # a session's JVM draws many diagrams: worth the optimising compiler
        argv, env = plantuml_command(diagrams=1000)
        argv += ["-pipe", "-tsvg", "-charset", "UTF-8", "-nometadata", "-pipedelimitor", self.DELIMITER]
        # its own session: Ctrl-C on the terminal stops serve, which then ends this cleanly
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        self._pending = b""
        return self.process

    def draw(self, source: str) -> str:
        with self._lock:
            return self._draw(source)

    def _draw(self, source: str) -> str:
        from mhhsarch.render.base import RenderError
        from mhhsarch.render.diagrams.common import strip_xml_comments

        for attempt in (1, 2):
            process = self.process if self.process is not None and self.process.poll() is None else self._start()
            try:
                assert process.stdin is not None
                process.stdin.write(source.encode("utf-8"))
                process.stdin.flush()
                svg = self._read_until_delimiter(process)
            except (OSError, EOFError):
                self.close()
                if attempt == 2:
                    raise RenderError("sequence diagrams: PlantUML (plantuml -pipe) stopped unexpectedly") from None
                continue
            start = svg.find("<svg")
            if start < 0:
                detail = " ".join(svg.split())[:300] or "no output"
                raise RenderError(f"sequence diagrams: PlantUML could not draw a diagram: {detail}")
            return strip_xml_comments(svg[:start] + svg[start:].rstrip()) + "\n"
        raise AssertionError("unreachable")

    def _read_until_delimiter(self, process: subprocess.Popen) -> str:
        import select

        assert process.stdout is not None
        marker = self.DELIMITER.encode()
        deadline = time.monotonic() + self.TIMEOUT
        buffer = self._pending
        while marker not in buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, left))
            if not ready:
                raise EOFError("timed out")
            chunk = os.read(process.stdout.fileno(), 1 << 16)
            if not chunk:
                raise EOFError("closed")
            buffer += chunk
        svg, _, rest = buffer.partition(marker)
        self._pending = rest.lstrip(b"\r\n")
        return svg.decode("utf-8", "replace").strip()

    def close(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            assert process.stdin is not None
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class LiveSite:
    """The site of one model, rebuilt in place below `root` (`root/site/...`, the
    diagrams in `root/diagrams/...`), keeping what it needs to redo only what changed."""

    model_dir: Path
    root: Path
    template_dir: Path | None = None
    epoch: int = 0
    _puml: dict[str, str] = field(default_factory=dict)  # SVG path -> PlantUML source
    _dot: dict[str, str] = field(default_factory=dict)  # SVG path -> DOT source
    _pages: dict[str, _Page] = field(default_factory=dict)  # page path below site/ -> inputs, text
    _files: dict[str, bytes] = field(default_factory=dict)  # assets, search index
    _writer: object = None
    _history: dict | None = None
    _wanted: set[str] = field(default_factory=set)  # communication diagrams shown beyond the processes'
    _unplaced: set[str] = field(default_factory=set)  # drawn, their pages not yet rewritten
    _template_change: bool = False  # a template changed, the pages not yet rewritten

    def __post_init__(self) -> None:
        from mhhsarch.render.templates import template_folders

        self.folders = template_folders(self.template_dir, self.model_dir)
        self._plantuml = PlantUMLPipe()
        self._warm_stop = threading.Event()
        self._warm: threading.Thread | None = None

    def close(self) -> None:
        self._warm_stop.set()
        if self._warm is not None:
            self._warm.join(timeout=10)
        self._plantuml.close()

    def watched(self) -> list[Path]:
        """The folders to watch: the model and each template folder's site/ templates."""
        found = [self.model_dir]
        found += [f / "site" for f in self.folders if (f / "site").is_dir()]
        return found

    def is_template(self, path: Path) -> bool:
        return any(_inside(path, f / "site") for f in self.folders)

    def build(self, templates_changed: bool = False) -> tuple[BuildReport, list[Diagnostic]]:
        """Check the model and, when it has no errors, bring the site up to date.
        Returns the report and the diagnostics (errors first)."""
        started = time.perf_counter()
        checked = check_model(self.model_dir)
        shown = sorted(checked.diagnostics, key=lambda d: (-d.severity.rank, d.sort_key()))
        errors = [d for d in shown if d.severity is Severity.ERROR]
        warnings = len(shown) - len(errors)
        if errors:
            return BuildReport(time.perf_counter() - started, len(errors), warnings), errors
        from mhhsarch.change.history import histories
        from mhhsarch.render.base import RenderContext, RenderOptions
        from mhhsarch.render.diagrams.common import COMMUNICATION_DIR, SEQUENCE_DIR
        from mhhsarch.render.site import site_plan

        if self._history is None:
            self._history = histories(checked.model, self.model_dir)
        options = RenderOptions(
            only=RENDERERS,
            jobs=1,
            template_dir=self.template_dir,
            template_folders=self.folders,
            source_date_epoch=self.epoch,
            history=self._history,
        )
        ctx = RenderContext(checked.model, checked.graph, self.root, options)
        # The diagrams are drawn (mostly waiting for PlantUML and dot) while the site's
        # views are built; only writing the pages needs the drawings. Only the
        # communication diagrams the pages show: the processes', not the market's nor the
        # roles' (at scale, dot takes longer over the market than over all the rest).
        wanted = self._wanted | {f"{COMMUNICATION_DIR}/{p.id}.svg" for p in ctx.processes}
        with ThreadPoolExecutor(max_workers=2) as pool:
            sequence = pool.submit(self._sequence, ctx)
            communication = pool.submit(self._communication, ctx, wanted)
            plan = site_plan(ctx)
            redrawn = sequence.result() | communication.result()
        figures = {svg for page in plan.pages for _, svg, _ in page.figures if not svg.startswith(SEQUENCE_DIR + "/")}
        if figures - wanted:  # a view that shows more (drawn now, and from the start next time)
            self._wanted = figures
            redrawn |= self._communication(ctx, wanted | figures)
        # drawings not yet in their pages (a build that failed after drawing) count as redrawn
        self._unplaced |= redrawn
        self._template_change |= templates_changed
        pages = self._site(plan, self._unplaced, self._template_change)
        self._unplaced, self._template_change = set(), False
        return BuildReport(time.perf_counter() - started, 0, warnings, len(redrawn), pages), []

    # --- diagrams: only those whose source text changed ------------------------------------

    def _sequence(self, ctx) -> set[str]:
        """Each part of each sequence diagram as a diagram of its own (the same lifelines,
        title and legend; PlantUML's pipe draws one page per diagram), drawn by a PlantUML
        that stays running: about 30 ms a part once warm, not a second's JVM start. A part
        is redrawn only when its PlantUML text changed."""
        from mhhsarch.render.views.diagrams import parts, sequence_view
        from mhhsarch.render.writers.plantuml import puml_source

        self._warm_stop.set()  # a build wants PlantUML: the warm-up gives way
        sources = {}
        for process in ctx.processes:
            view = sequence_view(ctx.model, process)
            for png, page in parts(ctx.model, process):  # the parts the site's views show
                sources[png.removesuffix(".png") + ".svg"] = puml_source(view, (page,))
        changed = sorted(k for k, v in sources.items() if self._puml.get(k) != v)
        gone = set(self._puml) - set(sources)
        for rel in gone:
            (self.root / rel).unlink(missing_ok=True)
        for rel in changed:
            _write(self.root / rel, self._plantuml.draw(sources[rel]).encode("utf-8"))
        first = not self._puml
        self._puml = sources
        if first and changed:  # after the first build, warm PlantUML up while the user reads
            self._warm_stop = threading.Event()
            self._warm = threading.Thread(
                target=self._plantuml.warm_up,
                args=(list(sources.values()), self._warm_stop),
                name="plantuml-warm-up",
                daemon=True,
            )
            self._warm.start()
        return set(changed) | gone

    def _communication(self, ctx, wanted: set[str]) -> set[str]:
        """The `wanted` communication diagrams whose DOT text changed, in one dot call."""
        from mhhsarch.render.diagrams.common import clean, run_tool
        from mhhsarch.render.diagrams.communication import _BATCH_PAGE_ID, CommunicationRenderer
        from mhhsarch.render.writers.dot import dot_source

        tooltips = {i.id: clean(i.name) for i in ctx.model.interfaces.values()}
        sources = {
            rel: dot_source(view, tooltips)
            for folder, _, view, _ in CommunicationRenderer().views(ctx)
            if (rel := f"{folder}/{view.id}.svg") in wanted
        }
        changed = sorted(k for k, v in sources.items() if self._dot.get(k) != v)
        gone = set(self._dot) - set(sources)
        for rel in gone:
            (self.root / rel).unlink(missing_ok=True)
        if changed:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=".dot-", dir=self.root) as tmp:
                names = []
                for index, rel in enumerate(changed):
                    (Path(tmp) / f"{index:04d}.gv").write_text(sources[rel], encoding="utf-8")
                    names.append(f"{index:04d}.gv")
                run_tool(["dot", "-Tsvg", "-O", *names], "communication diagrams", cwd=tmp)
                for index, rel in enumerate(changed):
                    svg = (Path(tmp) / f"{index:04d}.gv.svg").read_text(encoding="utf-8")
                    _write(self.root / rel, _BATCH_PAGE_ID.sub('id="graph', svg, count=1).encode("utf-8"))
        self._dot = sources
        return set(changed) | gone

    # --- pages: only those whose inputs changed ---------------------------------------------
    def _site(self, plan, redrawn: set[str], templates_changed: bool) -> int:
        from mhhsarch.render.site import ASSETS, SEARCH_INDEX, SiteWriter

        if self._writer is None or templates_changed:
            self._writer = SiteWriter(plan.folders, self.root)
            for stale in self._pages.values():
                stale.key = None  # every page again (its text is kept: unchanged files stay)
        writer = self._writer
        assert isinstance(writer, SiteWriter)
        writer.forget(redrawn)
        site = self.root / "site"
        written = 0
        files = {f"assets/{a}": writer.asset(a) for a in ASSETS}
        files[SEARCH_INDEX] = plan.search.encode("utf-8")
        for rel, data in files.items():
            if self._files.get(rel) != data:
                _write(site / rel, data)
                written += 1
        self._files = files
        pages: dict[str, _Page] = {}
        for page in plan.pages:
            key = (page.template, page.view, page.extra)
            known = self._pages.get(page.rel)
            if known is not None and known.key == key and not any(svg in redrawn for _, svg, _ in page.figures):
                pages[page.rel] = known
                continue
            text = writer.page(plan, page)
            if known is None or known.text != text:
                _write(site / page.rel, text.encode("utf-8"))
                written += 1
            pages[page.rel] = _Page(key, text)
        for rel in set(self._pages) - set(pages):
            (site / rel).unlink(missing_ok=True)
            written += 1
        self._pages = pages
        return written


def _write(path: Path, data: bytes) -> None:
    """Replace a file at once (a page is never read half written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- HTTP

LIVE_JS = r"""(function () {
  "use strict";
  var script = document.currentScript;
  var generation = script ? script.getAttribute("data-generation") : null;
  var overlay = null;
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "mhhsarch-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;left:0;right:0;top:0;max-height:70vh;overflow:auto;z-index:2147483647;" +
      "background:#fff4f4;color:#111;border-bottom:4px solid #b00020;padding:1em 1.5em;" +
      "font:14px/1.4 system-ui,sans-serif;box-shadow:0 2px 12px rgba(0,0,0,.3)";
    var h = document.createElement("h2");
    h.style.cssText = "margin:0 0 .5em;font-size:1.1em;color:#8a0015";
    var count = problems.length === 1 ? "1 error" : problems.length + " errors";
    h.textContent = (problems.some(function (p) { return p.code; }) ? "The model has " + count
      : "The site could not be rebuilt") + "; this is the last good site.";
    overlay.appendChild(h);
    var list = document.createElement("ol");
    list.style.cssText = "margin:0;padding-left:1.5em";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var where = p.path ? p.path + ":" + p.line + ":" + p.column : "";
      if (where) {
        var a = document.createElement("a");
        a.href = "/__mhhsarch/source?path=" + encodeURIComponent(p.path) + "#L" + p.line;
        a.className = "mhhsarch-where";
        a.textContent = where;
        a.style.cssText = "font-family:monospace;color:#0b3d91";
        li.appendChild(a);
        li.appendChild(document.createTextNode(": "));
      }
      var text = document.createElement("span");
      text.textContent = (p.severity || "error") + ": " + p.message + (p.code ? " [" + p.code + "]" : "");
      li.appendChild(text);
      list.appendChild(li);
    });
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }
  var events = new EventSource("/__mhhsarch/events");
  events.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.problems.length) { show(state.problems); return; }
    hide();
    if (state.built && String(state.generation) !== generation) { events.close(); location.reload(); }
  };
})();
"""

PLACEHOLDER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mhhsarch serve</title></head>
<body><main><h1>No site yet</h1><p>The model has errors, so nothing could be built yet.
Fix them and this page reloads.</p></main></body></html>
"""


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, site: Path, sources: list[Path], broadcast: Broadcast, log: Callable[[str], None]):
        self.site = site
        self.sources = sources  # the watched folders: the overlay's source links show their files
        self.broadcast = broadcast
        self.log = log
        super().__init__((HOST, port), Handler)


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "mhhsarch-serve"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the console shows builds, not requests

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in (HOST, "localhost"):
            # another site's page that renamed itself to 127.0.0.1 (DNS rebinding) gets nothing
            return self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"forbidden\n")
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path == PREFIX + "events":
            return self._events()
        if path == PREFIX + "live.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_JS.encode())
        if path == PREFIX + "state":
            data = self.server.broadcast.state.as_json().encode()
            return self._send(HTTPStatus.OK, "application/json", data)
        if path == PREFIX + "source":
            return self._source(parse_qs(url.query).get("path", [""])[0])
        return self._file(path)

    def _send(self, status: HTTPStatus, kind: str, body: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if etag is None:
            self.send_header("Cache-Control", "no-store")
        else:
            self.send_header("Cache-Control", "no-cache")
            self.send_header("ETag", etag)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _file(self, path: str) -> None:
        site = self.server.site
        target = (site / path.lstrip("/")).resolve()
        if not _inside(target, site) or "/." in path:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")
        if target.is_dir() or path.endswith("/"):
            target = target / "index.html"
        state = self.server.broadcast.state
        if not target.is_file():
            if target == (site / "index.html").resolve() and not state.built:
                return self._send(HTTPStatus.OK, "text/html; charset=utf-8", _with_live(PLACEHOLDER, state))
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")
        if target.suffix == ".html":
            text = target.read_text(encoding="utf-8")
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", _with_live(text, state))
        # assets: the browser keeps them and asks whether they changed (a reload fetches
        # only the page, and the search index only when it changed)
        stat = target.stat()
        tag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", tag)
            self.end_headers()
            return
        kinds = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png"}
        self._send(HTTPStatus.OK, kinds.get(target.suffix, "application/octet-stream"), target.read_bytes(), tag)

    def _source(self, rel: str) -> None:
        """A model or template file with numbered lines (the overlay links a diagnostic
        here, at #L<line>); nothing outside the watched folders."""
        target = Path(rel).resolve()  # diagnostics' paths are relative to the working folder
        watched = any(_inside(target, folder) for folder in self.server.sources)
        if not rel or not watched or not target.is_file() or target.suffix not in SOURCE_SUFFIXES:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")
        lines = target.read_text(encoding="utf-8", errors="replace").splitlines()
        rows = "\n".join(
            f'<tr id="L{n}"><td class="n">{n}</td><td><pre>{html.escape(line)}</pre></td></tr>'
            for n, line in enumerate(lines, start=1)
        )
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(rel)}</title><style>body{{font:14px system-ui,sans-serif}}"
            "table{border-collapse:collapse}pre{margin:0}td.n{color:#555;text-align:right;padding-right:1em}"
            "tr:target{background:#ffe08a}</style></head><body><main>"
            f"<h1>{html.escape(rel)}</h1><table>{rows}</table></main></body></html>\n"
        )
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"))

    def _events(self) -> None:
        """Server-Sent Events: the state now, then every new state (and a comment now and
        then, so that a closed page is noticed), until the client or the server goes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        broadcast = self.server.broadcast
        seen, state = broadcast.wait(-1, 0)
        try:
            self.wfile.write(f"retry: 500\ndata: {state.as_json()}\n\n".encode())
            self.wfile.flush()
            while not broadcast.closing:
                version, state = broadcast.wait(seen, KEEPALIVE_SECONDS)
                if broadcast.closing:
                    break
                if version != seen:
                    seen = version
                    self.wfile.write(f"data: {state.as_json()}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True


def _with_live(page: str, state: State) -> bytes:
    """A served page with the live-reload script (the file on disk has none)."""
    tag = f'<script src="{PREFIX}live.js" data-generation="{state.generation}"></script>\n'
    at = page.rfind("</body>")
    page = page[:at] + tag + page[at:] if at >= 0 else page + tag
    return page.encode("utf-8")


# --------------------------------------------------------------------------- the loop


def _output_folder(out: Path | None, model_dir: Path, stack: contextlib.ExitStack) -> Path:
    """serve's own folder: a new temporary one (removed at the end), or --out, which must be
    new, empty or an earlier serve's (never a render's output or the model)."""
    if out is None:
        folder = Path(tempfile.mkdtemp(prefix="mhhsarch-serve-"))
        stack.callback(shutil.rmtree, folder, True)
        return folder
    if _inside(out, model_dir) or _inside(model_dir, out):
        raise ServeError(f"--out {out} must be outside the model folder {model_dir} (and not contain it)")
    if out.exists():
        if not out.is_dir():
            raise ServeError(f"--out {out} is not a folder")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise ServeError(
                f"--out {out} is not empty and not an earlier `mhhsarch serve` folder (no {MARKER} in it); "
                "serve never writes into a render's output: name a new folder"
            )
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("mhhsarch serve writes here; safe to delete\n", encoding="utf-8")
    return out


@contextlib.contextmanager
def _stop_signals(received: list[int]) -> Iterator[None]:
    """SIGTERM (and SIGHUP) end serve like Ctrl-C does; `received` notes the signal (the
    watcher turns whatever interrupted it into a plain KeyboardInterrupt)."""

    def stop(signum: int, frame) -> None:
        received.append(signum)
        raise Stopped(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def serve(
    model_dir: Path,
    port: int = 8000,
    out: Path | None = None,
    template_dir: Path | None = None,
    say: Callable[[str], None] | None = None,
    verbose: bool = False,
) -> int:
    """Build, serve and rebuild on every change until Ctrl-C or SIGTERM; returns the exit
    status (0). Raises ServeError when it cannot start."""
    import watchfiles

    from mhhsarch.render.base import RenderError
    from mhhsarch.render.publish import model_provenance, source_date_epoch

    def log(message: str) -> None:
        (say or _stderr)(message)

    model_dir = Path(model_dir)
    if template_dir is not None and not template_dir.is_dir():
        raise ServeError(f"template folder '{template_dir}' is not a folder")
    if not 0 <= port <= 65535:
        raise ServeError(f"--port {port} is not a port number (0 to 65535; 0: any free port)")
    try:
        epoch = source_date_epoch(model_provenance(model_dir))
    except RenderError as error:
        raise ServeError(str(error)) from None
    for program, package in (("dot", "graphviz"), ("plantuml", "plantuml")):
        if shutil.which(program) is None:
            raise ServeError(f"'{program}' is not installed (apt-get install {package}); serve draws the diagrams")
    broadcast = Broadcast()
    received: list[int] = []
    with contextlib.ExitStack() as stack, _stop_signals(received):
        root = _output_folder(out, model_dir, stack)
        live = LiveSite(model_dir, root, template_dir, epoch)
        stack.callback(live.close)
        try:
            server = Server(port, root / "site", live.watched(), broadcast, log)
        except OSError as error:
            reason = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be opened: {error.strerror or error}"
            raise ServeError(f"port {port} on {HOST} {reason} (choose another with --port)") from None
        stack.callback(server.server_close)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http")
        stop = threading.Event()
        try:
            _rebuild(live, broadcast, log, initial=True)
            thread.start()
            url = f"http://{HOST}:{server.server_address[1]}/"
            watched = ", ".join(str(p) for p in live.watched())
            log(f"serving {url} (site in {root / 'site'}); watching {watched}; Ctrl-C to stop")
            for changes in watchfiles.watch(
                *live.watched(),
                watch_filter=lambda _change, path: _relevant(live, Path(path)),
                stop_event=stop,
                debounce=400,
                step=30,
                raise_interrupt=True,
                rust_timeout=IDLE_MS,
                yield_on_timeout=True,
            ):
                if not changes:  # idle: now is the time to free the previous builds' models
                    _collect_garbage()
                    continue
                paths = sorted({Path(p) for _, p in changes})
                templates = any(live.is_template(p) for p in paths)
                if verbose:
                    mtimes = [p.stat().st_mtime for p in paths if p.exists()]
                    after = f" (seen {time.time() - max(mtimes):.2f} s after the save)" if mtimes else ""
                    shown = ", ".join(_shown(p) for p in paths[:5]) + (" ..." if len(paths) > 5 else "")
                    log(f"changed: {shown}{after}")
                _rebuild(live, broadcast, log, templates_changed=templates, changed=paths)
        except KeyboardInterrupt as error:
            signum = received[-1] if received else getattr(error, "signum", signal.SIGINT)
            log(f"stopped ({signal.Signals(signum).name})")
        finally:
            stop.set()
            broadcast.close()
            if thread.is_alive():
                server.shutdown()
                thread.join(timeout=5)
    return 0


def _relevant(live: LiveSite, path: Path) -> bool:
    if path.name.startswith(".") or path.name.endswith("~"):
        return False
    if live.is_template(path):
        return path.suffix in TEMPLATE_SUFFIXES
    return path.suffix in (".yaml", ".yml")


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    return str(path)


def _rebuild(
    live: LiveSite,
    broadcast: Broadcast,
    log: Callable[[str], None],
    initial: bool = False,
    templates_changed: bool = False,
    changed: list[Path] | None = None,
) -> None:
    """One build; its outcome becomes the new state. A failure (a template error, a tool
    that failed) is shown like a model error: the last good site stays."""
    from mhhsarch.render.base import RenderError
    from mhhsarch.render.writers.text import TextTemplateProblem

    before = broadcast.state
    started = time.perf_counter()
    try:
        report, errors = live.build(templates_changed)
    except (RenderError, TextTemplateProblem, OSError) as error:
        _failed(broadcast, log, f"the site could not be built: {error}", error)
        return
    except Exception as error:  # a bug: shown, and serve goes on with the last good site
        _failed(broadcast, log, f"the site could not be built ({type(error).__name__}: {error})", error)
        return
    if errors:
        for d in errors:
            log(printable(f"{d.span}: error: {d.message} [{d.code}]"))
        log(
            f"{len(errors)} error(s) in {report.seconds:.2f} s; the browser shows them, the site stays the last good one"
        )
        broadcast.publish(State(before.generation, tuple(problem_of(d) for d in errors), before.built))
    else:
        changed_site = initial or report.pages > 0 or not before.built
        generation = before.generation + 1 if changed_site else before.generation
        broadcast.publish(State(generation, (), True))
        what = ", ".join(_shown(p) for p in (changed or [])[:3])
        log(
            f"{'built' if initial else 'rebuilt'} in {time.perf_counter() - started:.2f} s: "
            f"{report.pages} file(s) written, {report.diagrams} diagram(s) drawn"
            + (f", {report.warnings} warning(s)" if report.warnings else "")
            + (f" ({what})" if what else "")
        )


def _failed(broadcast: Broadcast, log: Callable[[str], None], message: str, error: BaseException) -> None:
    log(printable(message))
    place = _TEMPLATE_PLACE.search(str(error))  # a template's error says where
    path, line = (place.group(1), int(place.group(2))) if place else ("", 0)
    problem = {"path": path, "line": line, "column": 1, "severity": "error", "code": "", "message": message}
    before = broadcast.state
    broadcast.publish(State(before.generation, (problem,), before.built))


def _collect_garbage() -> None:
    """The check freezes what it loads, for speed (pipeline._no_cyclic_gc), so earlier
    builds' models are never collected on their own. Done when nothing has changed for a
    while: a collection holds the interpreter for a moment, and right after a build it
    would delay the pages the browser is reloading."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


def _stderr(message: str) -> None:
    print(f"mhhsarch: {message}", file=sys.stderr, flush=True)
