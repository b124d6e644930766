"""Running PlantUML: one JVM draws a batch of sequence diagrams.

PlantUML is a JVM: starting it costs about a second, a diagram tens of milliseconds,
so diagrams are drawn in batches, a JVM each. Two ways to run one, the faster first:

  driver    mhhsarch's entry point (`plantuml_java/MhhsarchDraw.java`), compiled once per
            PlantUML and Java into the user's cache folder (`mhhsarch-plantuml-KEY.jar`):
            each diagram is read once and laid out once per format (not once per page
            and format), SVG and PNG written from it, a diagram per core at a time in one
            JVM; PNGs by a writer that takes PlantUML's pixels straight from the image
            (`MhhsarchPng.java`). On PlantUML 1.2020.2 (Debian 12) the jar also holds a
            copy of its regular-expression class that compiles each pattern once
            (`plantuml_java/net/.../MyPattern.java`). Needs `javac`.
  command   the `plantuml` command, once per format: where there is no Java compiler,
            the `plantuml` on PATH is not Debian's launcher of its jar, or the driver does
            not compile against it.

Measured on the scale-10 synthetic model (260 processes, 608 pictures): the command,
a JVM for SVG and one for PNG, 133 s of CPU; the driver 41 s. The SVGs are the same
bytes, the PNGs the same pixels (about 5% smaller files).
The JVM loads its classes from a class-data archive kept beside the driver (start-up
about a second shorter), and uses its optimising compiler only for batches long enough
to repay it.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from mhhsarch.render.base import RenderError
from mhhsarch.render.diagrams.common import (
    SEQUENCE_DIR,
    png_size,
    run_batch,
    strip_xml_comments,
    tidy_png,
    tool_env,
)
from mhhsarch.render.views.diagrams import part_stems

PLANTUML_JAR = Path("/usr/share/plantuml/plantuml.jar")
JAVA_SOURCES = Path(__file__).with_name("plantuml_java")
DRIVER_CLASS = "MhhsarchDraw"
# The class `MyPattern.java` copies, in the jar of Debian's plantuml 1:1.2020.2+ds-3; in any
# other jar the copy would replace a class it does not match, so it is left out.
PATTERN_CLASS = "net/sourceforge/plantuml/command/regex/MyPattern.class"
PATTERN_CLASS_SHA256 = "0d69e34d2fbcd39e80c73295c1e0de5e085a0d3df59929b2da5e9f76196c73ee"
# PlantUML cuts a PNG at this size without a word (its default, 4096 px, would cut
# ordinary processes); a PNG that reaches it is refused.
IMAGE_LIMIT = "20000"
# Below this many diagrams a JVM is done before its optimising compiler pays off (the
# shipped model's 22 processes: faster with the quick compiler only).
OPTIMISE_FROM = 40

_DRIVER: dict[tuple, Path | None] = {}


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mhhsarch"


def driver() -> Path | None:
    """The driver jar for the installed PlantUML and Java, compiled on first use; None
    when it cannot be had (the `plantuml` command is used instead). Once a process for
    the programs on PATH."""
    programs = tuple(shutil.which(name) for name in ("plantuml", "java", "javac"))
    if programs not in _DRIVER:
        _DRIVER[programs] = _build_driver()
    return _DRIVER[programs]


def _java_sources(patch: bool) -> list[Path]:
    sources = [JAVA_SOURCES / f"{DRIVER_CLASS}.java", JAVA_SOURCES / "MhhsarchPng.java"]
    if patch:
        sources.append(JAVA_SOURCES / "net/sourceforge/plantuml/command/regex/MyPattern.java")
    return sources


def _pattern_class_matches() -> bool:
    try:
        with zipfile.ZipFile(PLANTUML_JAR) as jar:
            data = jar.read(PATTERN_CLASS)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return hashlib.sha256(data).hexdigest() == PATTERN_CLASS_SHA256


def _command_runs_the_jar() -> bool:
    """Whether the `plantuml` command on PATH is the launcher of PLANTUML_JAR (Debian's
    shell script): the driver draws with the PlantUML the user has chosen, never another."""
    command = shutil.which("plantuml")
    if command is None:
        return False
    try:
        with open(command, "rb") as launcher:
            head = launcher.read(8192)
    except OSError:
        return False
    return head.startswith(b"#!") and str(PLANTUML_JAR).encode() in head


def _files_key(paths: list[Path]) -> str:
    """A digest of files by path, size and time of change (a reinstalled PlantUML or Java
    changes it)."""
    key = hashlib.sha256()
    for path in paths:
        info = path.stat()
        key.update(f"{path} {info.st_size} {info.st_mtime_ns}\n".encode())
    return key.hexdigest()


def _build_driver() -> Path | None:
    java, javac = shutil.which("java"), shutil.which("javac")
    if not (java and javac and PLANTUML_JAR.is_file() and _command_runs_the_jar()):
        return None
    patch = _pattern_class_matches()
    sources = _java_sources(patch)
    try:
        key = hashlib.sha256(_files_key([PLANTUML_JAR, Path(java).resolve(), Path(javac).resolve()]).encode())
        for source in sources:
            key.update(source.name.encode() + b"\0" + source.read_bytes())
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jar = folder / f"mhhsarch-plantuml-{key.hexdigest()[:16]}.jar"
    if jar.is_file():
        return jar
    try:
        with tempfile.TemporaryDirectory(prefix=".mhhsarch-plantuml-", dir=folder) as tmp:
            classes = Path(tmp) / "classes"
            done = subprocess.run(
                [javac, "-encoding", "UTF-8", "-nowarn", "-cp", str(PLANTUML_JAR), "-d", str(classes)]
                + [str(s) for s in sources],
                capture_output=True,
                env=tool_env(),
                timeout=120,
            )
            if done.returncode != 0:
                return None
            partial = Path(tmp) / jar.name
            _write_jar(classes, partial)
            os.replace(partial, jar)  # two renders may build it at once: either result is the same
    except (OSError, subprocess.SubprocessError):
        return None
    return jar


def _write_jar(classes: Path, target: Path) -> None:
    """The compiled classes as a jar (the class-data archive takes classes from jars only),
    with fixed dates."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as jar:
        for path in sorted(classes.rglob("*.class")):
            entry = zipfile.ZipInfo(path.relative_to(classes).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            jar.writestr(entry, path.read_bytes())
    target.write_bytes(buffer.getvalue())


def _class_data_options(classpath: list[Path]) -> list[str]:
    """Java options that load the classes of `classpath` from a dynamic class-data archive
    in the cache folder, writing the archive on the first run.

    Measured on the shipped model (22 diagrams, one JVM per format): PNG 4.4 s -> 3.1 s,
    SVG 3.2 s -> 2.1 s. The archive (about 10 MB) is keyed by the class path's jars and the
    Java version, so an upgrade of either makes a new one; the images are the same bytes
    with or without it. Where the cache folder is not writable, nothing changes."""
    java = shutil.which("java")
    if java is None or not all(p.is_file() for p in classpath):
        return []
    folder = cache_dir()
    try:
        key = _files_key([*classpath, Path(java).resolve()])
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return []
    archive = folder / f"plantuml-{key[:16]}.jsa"
    quiet = "-Xlog:disable"  # the JVM's class-sharing warnings are not PlantUML's output
    if archive.is_file():
        return [f"-XX:SharedArchiveFile={archive}", quiet]
    if not os.access(folder, os.W_OK):
        return []
    # Written at exit under a name of this process, then renamed: two jobs may race.
    return [f"-XX:ArchiveClassesAtExit={folder / f'.{archive.stem}.{os.getpid()}.jsa'}", quiet]


def _publish_class_data_archive() -> None:
    folder = cache_dir()
    for partial in folder.glob(f".plantuml-*.{os.getpid()}.jsa"):
        final = folder / (partial.name[1:].rsplit(".", 2)[0] + ".jsa")
        try:
            os.replace(partial, final)
        except OSError:
            pass


def _jvm_options(diagrams: int, classpath: list[Path]) -> list[str]:
    quick = ["-XX:TieredStopAtLevel=1"] if diagrams < OPTIMISE_FROM else []
    return ["-Djava.awt.headless=true", "-XX:+UseSerialGC", *quick, *_class_data_options(classpath)]


def _java_command(diagrams: int, jar: Path, main: str) -> tuple[list[str], dict[str, str]]:
    """The start of a command line that runs `main` with the driver jar before PlantUML's
    on the class path, and its environment."""
    env = tool_env()
    env["PLANTUML_LIMIT_SIZE"] = IMAGE_LIMIT
    classpath = [jar, PLANTUML_JAR]
    argv = ["java", *_jvm_options(diagrams, classpath), "-cp", os.pathsep.join(map(str, classpath)), main]
    return argv, env


def plantuml_command(diagrams: int) -> tuple[list[str], dict[str, str]]:
    """The start of a command line that runs PlantUML's own command-line program (its
    options follow), and its environment: through the driver's class path where there is
    one (its faster pattern class), else the `plantuml` command. `diagrams`: about how
    many it will draw (a JVM that draws many is worth its optimising compiler)."""
    jar = driver()
    if jar is not None:
        return _java_command(diagrams, jar, "net.sourceforge.plantuml.Run")
    env = tool_env()
    env["PLANTUML_LIMIT_SIZE"] = IMAGE_LIMIT
    env["JAVA_TOOL_OPTIONS"] = " ".join(_jvm_options(diagrams, [PLANTUML_JAR])[1:])
    return ["plantuml"], env


def run_plantuml(
    sources: dict[str, str],
    formats: tuple[str, ...],
    out_dir: Path,
    counts: dict[str, int] | None = None,
    size: str = "",
    threads: int = 1,
) -> None:
    """Draw every source (file stem -> text; `counts`: how many parts it is drawn in,
    default one) in each of `formats` into `out_dir`, in one JVM, `threads` at a time
    (without the driver: one format and one at a time, by the `plantuml` command), then
    make the files byte-stable (no embedded source, version or Java runtime). A PNG that
    reached PlantUML's limit was cut: that is an error, never a silently shortened picture.

    The time limit is per diagram (`common.diagram_time_limit`): the diagrams are drawn in
    the order given, so the batch may run while each next one appears in time; the one
    that does not is named in the error, with the model's size."""
    jar = driver()
    if jar is None and len(formats) != 1:
        raise RenderError("sequence diagrams: the plantuml command draws one format per call")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mhhsarch-puml-") as tmp:
        files = []
        for stem, source in sources.items():
            path = Path(tmp) / f"{stem}.puml"
            path.write_text(source, encoding="utf-8")
            files.append(str(path))
        what = f"sequence diagrams ({', '.join(f.upper() for f in formats)})"
        expected = [
            (
                f"{SEQUENCE_DIR}/{stem}",
                [out_dir / f"{s}.{f}" for s in part_stems(stem, (counts or {}).get(stem, 1)) for f in formats],
            )
            for stem in sources
        ]
        if jar is not None:
            argv, env = _java_command(len(sources), jar, DRIVER_CLASS)
            argv += [str(out_dir.resolve()), ",".join(formats), str(threads), *files]
        else:
            argv, env = plantuml_command(len(sources))
            argv += [f"-t{formats[0]}", "-charset", "UTF-8", "-nometadata", "-o", str(out_dir.resolve()), *files]
        messages = run_batch(argv, what, expected, size, env=env)
    _publish_class_data_archive()
    # PlantUML exits 0 when drawing fails: it draws the stack trace instead
    problems = [line for line in messages.splitlines() if "Exception" in line or "error has occur" in line]
    if problems:
        raise RenderError(f"{what}: PlantUML failed: {' '.join(problems[0].split())[:300]}")
    limit = int(IMAGE_LIMIT)
    for stem in (s for source in sources for s in part_stems(source, (counts or {}).get(source, 1))):
        for fmt in formats:
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
