"""Interface sequence diagrams with PlantUML, one per process:
`diagrams/sequence/BPxxx.{puml,svg,png,mmd}`.

A lifeline per participant (in the order the process lists them); one arrow per
interface step and receiver, labelled "n. IF-xxx name" and coloured by transport;
internal steps as notes on the actor's lifeline; conditions as `opt` / `alt`
fragments (views.sequence_view decides which).

PlantUML is a JVM: starting it costs about a second, so all diagrams are drawn in
one call per format, and the two formats are two jobs that run side by side. Each
of those jobs writes the sources to a private folder first (jobs of a phase run in
any order, so they cannot wait for the .puml files of the sources job).

Model text goes through `text()`: everything outside letters, digits and plain
punctuation becomes a numeric character reference (`&#60;`), which PlantUML shows
as the character itself. So no name can start a preprocessor directive (`!include`),
call a built-in (`%date()`), fetch an image (`<img:...>`), add a link (`[[...]]`)
or style text (`**`, `//`, `--`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.diagrams import mermaid
from mhhsarch.render.diagrams.common import (
    FONT,
    SEQUENCE_DIR,
    category_fill,
    clean,
    missing_program,
    run_tool,
    strip_xml_comments,
    tidy_png,
    tool_env,
    transport_style,
    wrap,
)
from mhhsarch.render.diagrams.views import Fragment, Item, Message, Note, SequenceView, sequence_view
from mhhsarch.render.publish import RenderError

KIND = "sequence-diagram"
# Wrapping widths (characters): message labels and notes.
MESSAGE_WIDTH, NOTE_WIDTH = 46, 30
# PlantUML's default image limit (4096 px) would crop long processes.
IMAGE_LIMIT = "20000"

_SAFE = re.compile(r"[\w .,:;()'?-]")


def text(value) -> str:
    """Model text for PlantUML: one line, markup characters as `&#NN;`."""
    line = clean(value)
    out = []
    for index, ch in enumerate(line):
        doubled = index + 1 < len(line) and line[index + 1] == ch
        if ch != "_" and _SAFE.fullmatch(ch) and not (ch == "-" and doubled):
            out.append(ch)
        elif ch in "\\$":
            # PlantUML 1.2020 decodes `&#NN;` through a regex replacement, where `\` and
            # `$` are special and make it draw a stack trace; its `<U+XXXX>` form is safe
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(f"&#{ord(ch)};")
    return "".join(out)


def lines(value, width: int, max_lines: int = 6) -> str:
    """Wrapped model text, lines joined by PlantUML's `\\n`."""
    return "\\n".join(text(line) for line in wrap(value, width, max_lines))


def alias(role_id: str) -> str:
    return "P_" + re.sub(r"[^A-Za-z0-9_]", "_", role_id)


def puml_source(view: SequenceView) -> str:
    out = [
        f"@startuml {view.id}",
        f'skinparam defaultFontName "{FONT}"',
        "skinparam defaultFontSize 12",
        "skinparam shadowing false",
        "skinparam sequenceMessageAlign left",
        "skinparam ParticipantPadding 12",
        "skinparam BoxPadding 8",
        "skinparam ArrowColor #333333",
        "skinparam SequenceLifeLineBorderColor #999999",
        "skinparam ParticipantBorderColor #555555",
        "skinparam NoteBackgroundColor #FFF8DC",
        "skinparam NoteBorderColor #B5A66C",
        "skinparam SequenceGroupBorderColor #888888",
        "skinparam SequenceGroupHeaderFontStyle bold",
        f"title <b>{text(view.title)}</b>",
    ]
    for lifeline in view.lifelines:
        out.append(
            f'participant "<b>{text(lifeline.id)}</b>\\n{lines(lifeline.name, 20, 3)}" as {alias(lifeline.id)} '
            f"{category_fill(lifeline.category)}"
        )
    _items(view.items, out)
    transports = view.transports
    if transports:
        out.append("legend top right")
        for transport in transports:
            style = transport_style(transport)
            name = text(style.legend) if transport else "transport not given"
            out.append(f"<color:{style.colour}>\u2501\u2501\u2501</color> {name}")
        out.append("endlegend")
    out.append("@enduml")
    return "\n".join(out) + "\n"


def _items(items: tuple[Item, ...], out: list[str]) -> None:
    for item in items:
        if isinstance(item, Message):
            colour = transport_style(item.transport).colour
            out.append(f"{alias(item.sender)} -[{colour}]> {alias(item.receiver)} : {lines(item.label, MESSAGE_WIDTH)}")
        elif isinstance(item, Note):
            out.append(f"hnote over {alias(item.actor)} : {lines(item.label, NOTE_WIDTH)}")
        elif isinstance(item, Fragment):
            for index, branch in enumerate(item.branches):
                keyword = item.kind if index == 0 else "else"
                out.append(f"{keyword} {lines(branch.condition, 60, 3)}")
                _items(branch.items, out)
            out.append("end")


def run_plantuml(sources: dict[str, str], fmt: str, out_dir: Path) -> None:
    """Draw every source (file stem -> text) into `out_dir` in one JVM, then make the
    files byte-stable (no embedded source, version or Java runtime)."""
    env = tool_env()
    env["PLANTUML_LIMIT_SIZE"] = IMAGE_LIMIT
    # a short-lived JVM starts faster without the optimising compiler, and with
    # PlantUML's classes loaded from a class-data archive (see _class_data_options)
    env["JAVA_TOOL_OPTIONS"] = " ".join(["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", *_class_data_options()])
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mhhsarch-puml-") as tmp:
        files = []
        for stem, source in sources.items():
            path = Path(tmp) / f"{stem}.puml"
            path.write_text(source, encoding="utf-8")
            files.append(str(path))
        what = f"sequence diagrams ({fmt.upper()})"
        messages = run_tool(
            ["plantuml", f"-t{fmt}", "-charset", "UTF-8", "-nometadata", "-o", str(out_dir.resolve()), *files],
            what,
            env=env,
        )
    _publish_class_data_archive()
    # PlantUML exits 0 when drawing fails: it draws the stack trace instead
    problems = [line for line in messages.splitlines() if "Exception" in line or "error has occur" in line]
    if problems:
        raise RenderError(f"{what}: PlantUML failed: {' '.join(problems[0].split())[:300]}")
    for stem in sources:
        target = out_dir / f"{stem}.{fmt}"
        if not target.is_file():
            continue  # reported by the publisher as a file not written
        if fmt == "png":
            tidy_png(target)
        else:
            target.write_text(strip_xml_comments(target.read_text(encoding="utf-8")), encoding="utf-8")


def _class_data_options() -> list[str]:
    """Java options that load PlantUML's classes from a dynamic class-data archive in
    the user's cache folder, writing the archive on the first run.

    Measured on the shipped model (22 diagrams, one JVM per format): PNG 4.4 s -> 3.1 s,
    SVG 3.2 s -> 2.1 s. The archive (about 10 MB) is keyed by the PlantUML jar and the
    Java version, so an upgrade of either makes a new one; the images are the same
    bytes with or without it. Where the cache folder is not writable, nothing changes.
    """
    jar = Path("/usr/share/plantuml/plantuml.jar")
    java = shutil.which("java")
    if not jar.is_file() or java is None:
        return []
    cache = _cache_dir()
    try:
        jar_stat, java_stat = jar.stat(), Path(java).resolve().stat()
        key = hashlib.sha256(
            f"{jar_stat.st_size}:{jar_stat.st_mtime_ns}:{Path(java).resolve()}:{java_stat.st_mtime_ns}".encode()
        ).hexdigest()[:16]
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        return []
    archive = cache / f"plantuml-{key}.jsa"
    quiet = "-Xlog:disable"  # the JVM's class-sharing warnings are not PlantUML's output
    if archive.is_file():
        return [f"-XX:SharedArchiveFile={archive}", quiet]
    if not os.access(cache, os.W_OK):
        return []
    # Written at exit under a name of this process, then renamed: two jobs may race.
    return [f"-XX:ArchiveClassesAtExit={cache / f'.plantuml-{key}.{os.getpid()}.jsa'}", quiet]


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mhhsarch"


def _publish_class_data_archive() -> None:
    cache = _cache_dir()
    for partial in cache.glob(f".plantuml-*.{os.getpid()}.jsa"):
        final = cache / (partial.name[1:].rsplit(".", 2)[0] + ".jsa")
        try:
            os.replace(partial, final)
        except OSError:
            pass


class SequenceRenderer(Renderer):
    name = "sequence"
    title = "Interface sequence diagrams, one per process (PlantUML SVG, PNG; Mermaid)"
    phase = 0

    def available(self, ctx: RenderContext) -> str | None:
        return missing_program("plantuml", "plantuml")

    def plan(self, ctx: RenderContext) -> list[Job]:
        views = [sequence_view(ctx.model, p) for p in ctx.processes]
        if not views:
            return []
        sources = {v.id: puml_source(v) for v in views}

        def sources_of(view: SequenceView) -> tuple[str, ...]:
            return (view.id, *dict.fromkeys(m.interface for m in view.messages()))

        def artefacts(ext: str) -> list[Artefact]:
            return [Artefact(f"{SEQUENCE_DIR}/{v.id}.{ext}", KIND, sources_of(v)) for v in views]

        def write_sources() -> None:
            for view in views:
                ctx.write_text(f"{SEQUENCE_DIR}/{view.id}.puml", sources[view.id])
                ctx.write_text(f"{SEQUENCE_DIR}/{view.id}.mmd", mermaid.sequence(view))

        out_dir = ctx.out / SEQUENCE_DIR
        # the JVM jobs first, so that with --jobs N they start before the many small jobs
        return [
            Job("sequence diagrams (SVG)", artefacts("svg"), lambda: run_plantuml(sources, "svg", out_dir)),
            Job("sequence diagrams (PNG)", artefacts("png"), lambda: run_plantuml(sources, "png", out_dir)),
            Job("sequence diagrams (PlantUML, Mermaid)", artefacts("puml") + artefacts("mmd"), write_sources),
        ]
