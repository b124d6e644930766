"""What the diagram writers share: the font, the transport and category styles, text
clean-up and wrapping, calling the external tools, and making their output byte-stable."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from mhhsarch.render.base import RenderError
from mhhsarch.render.documents.text import clean as display_text

# One font everywhere (Debian: fonts-dejavu-core), so that layouts and PNGs do not
# depend on the machine's default font.
FONT = "DejaVu Sans"
# Sequence diagrams: narrower than DejaVu Sans by a tenth at the same height, so that
# a dozen participants fit a printed page at a legible size (Debian: fonts-dejavu-extra,
# which the Word templates' tables use too).
SEQUENCE_FONT = "DejaVu Sans Condensed"

SEQUENCE_DIR = "diagrams/sequence"
COMMUNICATION_DIR = "diagrams/communication"
CONTEXT_DIR = "diagrams/context"


@dataclass(frozen=True)
class TransportStyle:
    line: str  # graphviz edge style
    colour: str
    legend: str


TRANSPORTS: dict[str, TransportStyle] = {
    "DIP": TransportStyle("solid", "#1F5FA8", "DIP (Data Integration Platform)"),
    "DTN": TransportStyle("dashed", "#C0561B", "DTN (Data Transfer Network)"),
    "API": TransportStyle("dotted", "#2E7D32", "API"),
    "file": TransportStyle("bold", "#6D6D6D", "file transfer"),
    # an edge of an aggregated market diagram standing for interfaces over several transports
    "mixed": TransportStyle("solid", "#444444", "several transports (counted on the label)"),
}
OTHER_TRANSPORT = TransportStyle("solid", "#444444", "other")


def transport_style(transport: str | None) -> TransportStyle:
    return TRANSPORTS.get(transport or "", OTHER_TRANSPORT)


# Role categories in the order the market diagram groups them, with a heading and a fill.
CATEGORIES: dict[str, tuple[str, str]] = {
    "supplier": ("Suppliers", "#FCE4D6"),
    "agent": ("Agents and data services", "#E2EFDA"),
    "central": ("Central services", "#DDEBF7"),
    "network": ("Networks", "#FFF2CC"),
    "platform": ("Platforms", "#EDE7F6"),
    "customer": ("Customers", "#F2F2F2"),
    "other": ("Other", "#FFFFFF"),
}


def category_order(category: str) -> int:
    keys = list(CATEGORIES)
    return keys.index(category) if category in keys else len(keys)


def category_fill(category: str) -> str:
    return CATEGORIES.get(category, CATEGORIES["other"])[1]


def category_heading(category: str) -> str:
    return CATEGORIES.get(category, (category.title(), ""))[0]


# --------------------------------------------------------------------------- text


def clean(text) -> str:
    """Model text on one line, by the same policy as the documents (`documents.text.clean`:
    zero-width and bidi controls removed, other control characters shown as U+FFFD);
    whitespace runs, line breaks included, become one space."""
    return " ".join(display_text(text).split())


def wrap(text, width: int, max_lines: int | None = 6) -> list[str]:
    """`text` cleaned and wrapped to lines of at most `width` characters; words longer
    than a line are broken, and more than `max_lines` lines (None: no limit) end with an
    ellipsis, so that a shortened text shows that it goes on."""
    lines = textwrap.wrap(
        clean(text), width, break_long_words=True, break_on_hyphens=True, max_lines=max_lines, placeholder=" …"
    )
    return lines or [""]


# --------------------------------------------------------------------------- tools


def missing_program(program: str, package: str) -> str | None:
    """None when `program` is on PATH, else a message naming the Debian package."""
    if shutil.which(program):
        return None
    return f"'{program}' is not installed (Debian/Ubuntu: apt-get install {package})"


def tool_env() -> dict[str, str]:
    """A fixed locale for the external tools, so number formats never vary."""
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"
    env.pop("DISPLAY", None)  # headless: never talk to an X server
    return env


def run_tool(
    argv: list[str],
    what: str,
    stdin: bytes | None = None,
    env: dict | None = None,
    timeout: float = 600,
    cwd: str | None = None,
) -> str:
    """Run an external program; a failure becomes a RenderError naming `what`.
    Returns what it wrote on stderr."""
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, env=env or tool_env(), timeout=timeout, cwd=cwd)
    except FileNotFoundError:
        raise RenderError(f"{what}: '{argv[0]}' is not installed") from None
    except subprocess.TimeoutExpired:
        raise RenderError(f"{what}: '{argv[0]}' took more than {timeout:.0f}s") from None
    except OSError as error:
        raise RenderError(f"{what}: cannot run '{argv[0]}': {error.strerror or error}") from None
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode("utf-8", "replace").split())[:400] or "no message"
        raise RenderError(f"{what}: '{argv[0]}' exited {done.returncode}: {detail}")
    return done.stderr.decode("utf-8", "replace")


# A diagram that takes longer than this (seconds) to draw stops the render with an error
# naming it, rather than a render that seems to hang; MHHSARCH_DIAGRAM_TIMEOUT changes it.
DIAGRAM_TIME_LIMIT = 120.0
TIME_LIMIT_VARIABLE = "MHHSARCH_DIAGRAM_TIMEOUT"


def diagram_time_limit() -> float:
    value = os.environ.get(TIME_LIMIT_VARIABLE, "").strip()
    if not value:
        return DIAGRAM_TIME_LIMIT
    try:
        limit = float(value)
    except ValueError:
        raise RenderError(f"{TIME_LIMIT_VARIABLE} must be a number of seconds, not {value[:40]!r}") from None
    if not limit > 0:
        raise RenderError(f"{TIME_LIMIT_VARIABLE} must be more than 0 seconds, not {value[:40]!r}")
    return limit


def model_size(model) -> str:
    """The model's size, for messages about diagrams that take too long."""
    return (
        f"{len(model.roles)} roles, {len(model.interfaces)} interfaces, {len(model.processes)} processes, "
        f"{len(model.data_items)} data items"
    )


def run_batch(
    argv: list[str],
    what: str,
    expected: list[tuple[str, list[Path]]],
    size: str,
    env: dict | None = None,
    cwd: str | None = None,
) -> str:
    """Run a program that draws many diagrams one after the other (dot -O, PlantUML), with
    a time limit per diagram: `expected` is (diagram name, the files it writes) in the
    order the program draws them; each time a diagram is complete the clock starts again
    for the next. One that takes longer than the limit stops the program, and the error
    names it and the model's size. Returns what the program wrote on stderr."""
    import time

    limit = diagram_time_limit()
    with open(os.devnull, "rb") as devnull, tempfile.TemporaryFile() as err:
        try:
            process = subprocess.Popen(
                argv, stdin=devnull, stdout=subprocess.DEVNULL, stderr=err, env=env or tool_env(), cwd=cwd
            )
        except FileNotFoundError:
            raise RenderError(f"{what}: '{argv[0]}' is not installed") from None
        except OSError as error:
            raise RenderError(f"{what}: cannot run '{argv[0]}': {error.strerror or error}") from None
        try:
            done, complete, scanned = 0, 0, time.monotonic()
            deadline = time.monotonic() + limit
            while process.poll() is None:
                while done < len(expected) and all(p.exists() for p in expected[done][1]):
                    done += 1
                    deadline = time.monotonic() + limit
                if time.monotonic() - scanned > 1:
                    # once a second, all of them: a program that draws in another order is
                    # making progress too, and gets the time for the next diagram
                    scanned = time.monotonic()
                    now = done + sum(1 for _, files in expected[done:] if all(p.exists() for p in files))
                    if now > complete:
                        complete, deadline = now, scanned + limit
                if time.monotonic() > deadline:
                    name = expected[min(done, len(expected) - 1)][0] if expected else what
                    raise RenderError(
                        f"{what}: diagram {name} took more than {limit:g}s to draw ('{argv[0]}' stopped; the model "
                        f"has {size}); a diagram this large needs a simpler view, or raise the limit with "
                        f"{TIME_LIMIT_VARIABLE}=SECONDS"
                    )
                time.sleep(0.05)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        err.seek(0)
        stderr = err.read()
    if process.returncode != 0:
        detail = " ".join(stderr.decode("utf-8", "replace").split())[:400] or "no message"
        raise RenderError(f"{what}: '{argv[0]}' exited {process.returncode}: {detail}")
    return stderr.decode("utf-8", "replace")


# --------------------------------------------------------------------------- byte-stable output

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that carry pixels or fixed rendering facts; text (PlantUML stores its source,
# version and the Java runtime there) and time chunks are dropped.
_PNG_KEEP = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"pHYs", b"gAMA", b"cHRM", b"sRGB", b"bKGD"}


def strip_png_metadata(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise RenderError("a diagram tool wrote a PNG file that is not a PNG")
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind in _PNG_KEEP:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    return b"".join(out)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise RenderError("a diagram tool wrote a PNG file that is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def tidy_png(path: Path) -> None:
    data = path.read_bytes()
    tidy = strip_png_metadata(data)
    if tidy != data:
        path.write_bytes(tidy)


_XML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def strip_xml_comments(svg: str) -> str:
    return _XML_COMMENT.sub("", svg)
