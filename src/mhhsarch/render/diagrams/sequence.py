"""Interface sequence diagrams with PlantUML, one per process:
`diagrams/sequence/BPxxx.{puml,svg,png,mmd}`.

The view (`views.diagrams.sequence_view`) says what a diagram shows and the parts a
long process is drawn in (`paginate`): `BPxxx.png`, `BPxxx_001.png`, ... as PlantUML
names them, each part well within PlantUML's image limit (a PNG beyond it is cut
without a word); the documents embed every part. The PlantUML and Mermaid writers
turn the view into text; this renderer runs PlantUML on it.

PlantUML is a JVM: starting it costs about a second, so all diagrams are drawn in
one call per format, and the two formats are two jobs that run side by side. Each
of those jobs writes the sources to a private folder first (jobs of a phase run in
any order, so they cannot wait for the .puml files of the sources job).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, RenderError
from mhhsarch.render.diagrams.common import (
    SEQUENCE_DIR,
    missing_program,
    model_size,
    png_size,
    run_batch,
    strip_xml_comments,
    tidy_png,
    tool_env,
)
from mhhsarch.render.views.diagrams import SequenceView, paginate, part_stems, sequence_view
from mhhsarch.render.writers import mermaid
from mhhsarch.render.writers.plantuml import puml_source

KIND = "sequence-diagram"
# PlantUML cuts a PNG at this size without a word (its default, 4096 px, would cut
# ordinary processes); run_plantuml refuses a PNG that reaches it.
IMAGE_LIMIT = "20000"


def run_plantuml(
    sources: dict[str, str], fmt: str, out_dir: Path, counts: dict[str, int] | None = None, size: str = ""
) -> None:
    """Draw every source (file stem -> text; `counts`: how many parts it is drawn in,
    default one) into `out_dir` in one JVM, then make the files byte-stable (no
    embedded source, version or Java runtime). A PNG that reached PlantUML's limit was
    cut: that is an error, never a silently shortened picture.

    The time limit is per diagram (`diagram_time_limit`): PlantUML draws the files in
    the order given, so the batch may run while each next diagram appears in time; the
    one that does not is named in the error, with the model's size."""
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
        expected = [
            (f"{SEQUENCE_DIR}/{stem}", [out_dir / f"{s}.{fmt}" for s in part_stems(stem, (counts or {}).get(stem, 1))])
            for stem in sources
        ]
        messages = run_batch(
            ["plantuml", f"-t{fmt}", "-charset", "UTF-8", "-nometadata", "-o", str(out_dir.resolve()), *files],
            what,
            expected,
            size,
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
        long = [p for p in ctx.processes if counts[p.id] > 1]
        if len(long) == 1:
            process = long[0]
            stems = part_stems(process.id, counts[process.id])
            self.warnings.append(
                f"the sequence diagram of {process.id} ({len(process.steps)} steps) is too long for one "
                f"picture: drawn in {len(stems)} parts, {SEQUENCE_DIR}/{stems[0]}.png to {stems[-1]}.png "
                "(and .svg)"
            )
        elif long:
            # one line for all of them: a model with many long processes is not many problems
            listed = ", ".join(f"{p.id} ({counts[p.id]})" for p in long)
            self.warnings.append(
                f"{len(long)} sequence diagrams are too long for one picture and are drawn in parts "
                f"({SEQUENCE_DIR}/ID.png, ID_001.png, ...; parts per process: {listed})"
            )

        def sources_of(view: SequenceView) -> tuple[str, ...]:
            return (view.id, *dict.fromkeys(m.interface for m in view.messages()))

        def artefacts(view: SequenceView, ext: str) -> list[Artefact]:
            stems = (view.id,) if ext in ("puml", "mmd") else part_stems(view.id, counts[view.id])
            return [Artefact(f"{SEQUENCE_DIR}/{stem}.{ext}", KIND, sources_of(view)) for stem in stems]

        out_dir = ctx.out / SEQUENCE_DIR
        size = model_size(ctx.model)

        def drawn(fmt: str):
            """The batch of one format: every diagram not reused, in one JVM."""

            def batch(members: list[Job]) -> list[Job]:
                ids = [job.name.rsplit(" ", 1)[1] for job in members]
                chosen = {i: sources[i] for i in ids}
                return [
                    Job(
                        f"sequence diagrams ({fmt.upper()}, {len(ids)})",
                        [a for job in members for a in job.artefacts],
                        lambda: run_plantuml(chosen, fmt, out_dir, counts, size),
                    )
                ]

            return batch

        def write_texts(members: list[Job]) -> list[Job]:
            ids = [job.name.rsplit(" ", 1)[1] for job in members]

            def run() -> None:
                for view_id in ids:
                    ctx.write_text(f"{SEQUENCE_DIR}/{view_id}.puml", sources[view_id])
                    ctx.write_text(f"{SEQUENCE_DIR}/{view_id}.mmd", texts[view_id])

            return [
                Job(
                    f"sequence diagrams (PlantUML, Mermaid, {len(ids)})", [a for j in members for a in j.artefacts], run
                )
            ]

        texts = {v.id: mermaid.sequence(v) for v in views}
        # One job per diagram and format, so that each is cached on its own; the jobs that
        # are not reused are drawn together, one JVM per format (the JVM's start-up is a
        # second, a diagram tens of milliseconds), and the two formats run side by side.
        batches = {fmt: drawn(fmt) for fmt in ("svg", "png")}
        jobs = []
        for view in views:
            for fmt in ("svg", "png"):
                jobs.append(
                    Job(
                        f"sequence-{fmt} {view.id}",
                        artefacts(view, fmt),
                        _never_alone,
                        inputs=(fmt, sources[view.id], counts[view.id]),
                        batch=batches[fmt],
                    )
                )
            jobs.append(
                Job(
                    f"sequence-text {view.id}",
                    artefacts(view, "puml") + artefacts(view, "mmd"),
                    _never_alone,
                    inputs=(sources[view.id], texts[view.id]),
                    batch=write_texts,
                )
            )
        return jobs


def _never_alone() -> None:
    raise RenderError("a batched diagram job was run on its own")
