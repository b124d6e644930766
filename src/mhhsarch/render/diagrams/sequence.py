"""Interface sequence diagrams with PlantUML, one per process:
`diagrams/sequence/BPxxx.{puml,svg,png,mmd}`.

A lifeline per participant (in the order the process lists them); one arrow per
interface step and receiver, labelled "n. IF-xxx name" and coloured by transport;
internal steps as notes on the actor's lifeline; conditions as `opt` / `alt`
fragments (views.sequence_view decides which).

A long process is drawn in parts (`paginate`; PlantUML's `newpage`, which repeats the
lifeline heads on every part): `BPxxx.png`, `BPxxx_001.png`, ... as PlantUML names
them, each part well within PlantUML's image limit (a PNG beyond it is cut without a
word). `parts` names the files; the documents embed every part.

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
from dataclasses import dataclass
from pathlib import Path

from mhhsarch.model.entities import Process
from mhhsarch.model.model import Model
from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer
from mhhsarch.render.diagrams import mermaid
from mhhsarch.render.diagrams.common import (
    FONT,
    SEQUENCE_DIR,
    category_fill,
    clean,
    missing_program,
    png_size,
    run_tool,
    strip_xml_comments,
    tidy_png,
    tool_env,
    transport_style,
    wrap,
)
from mhhsarch.render.diagrams.views import Branch, Fragment, Item, Message, Note, SequenceView, sequence_view
from mhhsarch.render.publish import RenderError

KIND = "sequence-diagram"
# Wrapping (characters a line, lines): message labels, notes, fragment conditions, the title.
MESSAGE_WIDTH, NOTE_WIDTH = 46, 30
CONDITION_WIDTH, CONDITION_LINES = 60, 3
TITLE_WIDTH, TITLE_LINES = 90, 2
# PlantUML cuts a PNG at this size without a word (its default, 4096 px, would cut
# ordinary processes); run_plantuml refuses a PNG that reaches it.
IMAGE_LIMIT = "20000"
# The height (px) a part of a long diagram may reach by estimate. The estimate below
# is within a few per cent of what PlantUML draws (measured with PlantUML 1.2020 and
# DejaVu Sans 12 on 50-item diagrams and a 400-step process); the limit is over six
# times this, and a part stays near a page's shape for the documents.
PART_HEIGHT = 3000
TEXT_LINE, ARROW, NOTE, FRAGMENT_HEAD, FRAGMENT_FOOT, HEADS = 14, 16, 19, 18, 12, 150

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


def title(value) -> str:
    """A diagram title in bold, wrapped (a long name must not widen the picture past the limit)."""
    return "\\n".join(f"<b>{text(line)}</b>" for line in wrap(value, TITLE_WIDTH, TITLE_LINES))


# --------------------------------------------------------------------------- long processes in parts


@dataclass(frozen=True)
class _Row:
    """One message or note, with the fragment branch it is drawn in (if any)."""

    item: Message | Note
    fragment: int | None = None  # index of the fragment among the diagram's items
    kind: str = ""
    branch: int = 0
    condition: str = ""
    opens_branch: bool = False  # the branch's first item


def _rows(items: tuple[Item, ...]) -> list[_Row]:
    rows = []
    for index, item in enumerate(items):
        if isinstance(item, Fragment):
            for number, branch in enumerate(item.branches):
                for position, inner in enumerate(branch.items):
                    assert not isinstance(inner, Fragment), "sequence_view does not nest fragments"
                    rows.append(_Row(inner, index, item.kind, number, branch.condition, position == 0))
        else:
            rows.append(_Row(item))
    return rows


def _height(row: _Row, previous: _Row | None) -> int:
    """The estimated height of `row` drawn after `previous` on the same part."""
    item = row.item
    if isinstance(item, Message):
        height = ARROW + TEXT_LINE * len(wrap(item.label, MESSAGE_WIDTH))
    else:
        height = NOTE + TEXT_LINE * len(wrap(item.label, NOTE_WIDTH))
    if row.fragment is not None:
        if previous is None or (previous.fragment, previous.branch) != (row.fragment, row.branch):
            height += FRAGMENT_HEAD + TEXT_LINE * len(wrap(row.condition, CONDITION_WIDTH, CONDITION_LINES))
        if previous is None or previous.fragment != row.fragment:
            height += FRAGMENT_FOOT
    return height


def _unit_height(rows: list[_Row], previous: _Row | None) -> int:
    total = 0
    for row in rows:
        total += _height(row, previous)
        previous = row
    return total


def _items_of(rows: list[_Row]) -> tuple[Item, ...]:
    """The rows of one part as items again; a fragment split between parts is drawn on
    each with its condition, marked "(continued)" where a branch goes on from a part before."""
    items: list[Item] = []
    index = 0
    while index < len(rows):
        row = rows[index]
        if row.fragment is None:
            items.append(row.item)
            index += 1
            continue
        branches = []
        while index < len(rows) and rows[index].fragment == row.fragment:
            first = rows[index]
            inner = []
            while index < len(rows) and (rows[index].fragment, rows[index].branch) == (first.fragment, first.branch):
                inner.append(rows[index].item)
                index += 1
            condition = first.condition if first.opens_branch else f"{first.condition} (continued)"
            branches.append(Branch(condition, tuple(inner)))
        items.append(Fragment(row.kind, tuple(branches)))
    return tuple(items)


def paginate(view: SequenceView, part_height: int = PART_HEIGHT) -> tuple[SequenceView, ...]:
    """`view` as the parts it is drawn in: itself when it fits in one, else parts of
    consecutive items, each within `part_height` by estimate, titled "(part k of n)"."""
    # one step's arrows to several receivers stay on one part (the later ones are
    # labelled without the interface's name)
    units: list[list[_Row]] = []
    for row in _rows(view.items):
        if units and isinstance(row.item, Message) and row.item.repeat:
            units[-1].append(row)
        else:
            units.append([row])
    pages: list[list[_Row]] = [[]]
    used = HEADS
    for unit in units:
        height = _unit_height(unit, pages[-1][-1] if pages[-1] else None)
        if pages[-1] and used + height > part_height:
            pages.append([])
            used = HEADS
            height = _unit_height(unit, None)
        pages[-1].extend(unit)
        used += height
    if len(pages) == 1:
        return (view,)
    return tuple(
        SequenceView(view.id, f"{view.title} (part {n} of {len(pages)})", view.lifelines, _items_of(rows))
        for n, rows in enumerate(pages, 1)
    )


def part_stems(process_id: str, count: int) -> list[str]:
    """The file names (without extension) PlantUML gives the parts: BP001, BP001_001, ..."""
    return [process_id] + [f"{process_id}_{n:03d}" for n in range(1, count)]


def parts(model: Model, process: Process) -> list[tuple[str, SequenceView]]:
    """(PNG path below the output folder, what it shows) for each part of the process's
    sequence diagram, as the renderer writes them (for the documents that embed them)."""
    pages = paginate(sequence_view(model, process))
    return [(f"{SEQUENCE_DIR}/{stem}.png", page) for stem, page in zip(part_stems(process.id, len(pages)), pages)]


def alias(role_id: str) -> str:
    return "P_" + re.sub(r"[^A-Za-z0-9_]", "_", role_id)


def puml_source(view: SequenceView, pages: tuple[SequenceView, ...] | None = None) -> str:
    """The PlantUML text of `view`, drawn in `pages` (from `paginate`; default: one)."""
    pages = pages or (view,)
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
        f"title {title(pages[0].title)}",
    ]
    for lifeline in view.lifelines:
        out.append(
            f'participant "<b>{text(lifeline.id)}</b>\\n{lines(lifeline.name, 20, 3)}" as {alias(lifeline.id)} '
            f"{category_fill(lifeline.category)}"
        )
    for number, page in enumerate(pages):
        if number:
            out.append(f"newpage {title(page.title)}")
        _items(page.items, out)
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
                out.append(f"{keyword} {lines(branch.condition, CONDITION_WIDTH, CONDITION_LINES)}")
                _items(branch.items, out)
            out.append("end")


def run_plantuml(sources: dict[str, str], fmt: str, out_dir: Path, counts: dict[str, int] | None = None) -> None:
    """Draw every source (file stem -> text; `counts`: how many parts it is drawn in,
    default one) into `out_dir` in one JVM, then make the files byte-stable (no
    embedded source, version or Java runtime). A PNG that reached PlantUML's limit was
    cut: that is an error, never a silently shortened picture."""
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
    limit = int(IMAGE_LIMIT)
    for stem in (s for source in sources for s in part_stems(source, (counts or {}).get(source, 1))):
        target = out_dir / f"{stem}.{fmt}"
        if not target.is_file():
            continue  # reported by the publisher as a file not written
        if fmt == "png":
            tidy_png(target)
            width, height = png_size(target.read_bytes())
            if max(width, height) >= limit:
                raise RenderError(
                    f"{what}: {stem}.png is {width} x {height} px, PlantUML's limit, so part of it is cut off "
                    "(a process with this many participants or this much text cannot be drawn as one picture)"
                )
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
        """`warnings` (after plan) names the diagrams drawn in parts."""
        self.warnings: list[str] = []
        views = [sequence_view(ctx.model, p) for p in ctx.processes]
        if not views:
            return []
        pages = {v.id: paginate(v) for v in views}
        sources = {v.id: puml_source(v, pages[v.id]) for v in views}
        counts = {v.id: len(pages[v.id]) for v in views}
        for process in ctx.processes:
            if counts[process.id] > 1:
                stems = part_stems(process.id, counts[process.id])
                self.warnings.append(
                    f"the sequence diagram of {process.id} ({len(process.steps)} steps) is too long for one "
                    f"picture: drawn in {len(stems)} parts, {SEQUENCE_DIR}/{stems[0]}.png to {stems[-1]}.png "
                    "(and .svg)"
                )

        def sources_of(view: SequenceView) -> tuple[str, ...]:
            return (view.id, *dict.fromkeys(m.interface for m in view.messages()))

        def artefacts(ext: str) -> list[Artefact]:
            if ext in ("puml", "mmd"):
                return [Artefact(f"{SEQUENCE_DIR}/{v.id}.{ext}", KIND, sources_of(v)) for v in views]
            return [
                Artefact(f"{SEQUENCE_DIR}/{stem}.{ext}", KIND, sources_of(v))
                for v in views
                for stem in part_stems(v.id, counts[v.id])
            ]

        def write_sources() -> None:
            for view in views:
                ctx.write_text(f"{SEQUENCE_DIR}/{view.id}.puml", sources[view.id])
                ctx.write_text(f"{SEQUENCE_DIR}/{view.id}.mmd", mermaid.sequence(view))

        out_dir = ctx.out / SEQUENCE_DIR
        # the JVM jobs first, so that with --jobs N they start before the many small jobs
        return [
            Job("sequence diagrams (SVG)", artefacts("svg"), lambda: run_plantuml(sources, "svg", out_dir, counts)),
            Job("sequence diagrams (PNG)", artefacts("png"), lambda: run_plantuml(sources, "png", out_dir, counts)),
            Job("sequence diagrams (PlantUML, Mermaid)", artefacts("puml") + artefacts("mmd"), write_sources),
        ]
