"""mhhsarch's PlantUML driver (render/diagrams/plantuml_jvm.py): the same SVG bytes and
PNG pixels as the `plantuml` command, a diagram PlantUML cannot read named in the error,
and the command used whenever the `plantuml` on PATH is not the launcher of the jar the
driver runs."""

from __future__ import annotations

import shutil
import stat
import struct
import zlib
from pathlib import Path

import pytest

from mhhsarch.render.base import RenderError
from mhhsarch.render.diagrams import plantuml_jvm
from mhhsarch.render.views.diagrams import paginate, sequence_view
from mhhsarch.render.writers.plantuml import puml_source
from mhhsarch.source.loader import load_model

SHIPPED = Path(__file__).resolve().parents[1] / "model"

pytestmark = pytest.mark.skipif(
    not (shutil.which("plantuml") and shutil.which("javac")), reason="needs plantuml and a Java compiler"
)


def shipped_sources(*ids: str) -> tuple[dict[str, str], dict[str, int]]:
    model = load_model(SHIPPED).model
    sources, counts = {}, {}
    for process_id in ids:
        view = sequence_view(model, model.processes[process_id])
        pages = paginate(view)
        sources[process_id], counts[process_id] = puml_source(view, pages), len(pages)
    return sources, counts


def files_of(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, colour type, the unfiltered rows) of an 8-bit RGB or RGBA PNG."""
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    step = 3 if colour == 2 else 4
    raw, stride, rows, previous, at = zlib.decompress(idat), width * step, [], bytearray(width * step), 0
    for _ in range(height):
        kind, row = raw[at], bytearray(raw[at + 1 : at + 1 + stride])
        at += 1 + stride
        for x in range(stride):
            left, up = row[x - step] if x >= step else 0, previous[x]
            corner = previous[x - step] if x >= step else 0
            if kind == 1:
                row[x] = (row[x] + left) & 255
            elif kind == 2:
                row[x] = (row[x] + up) & 255
            elif kind == 3:
                row[x] = (row[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                row[x] = (row[x] + near[2]) & 255
        rows.append(bytes(row))
        previous = row
    return width, height, colour, b"".join(rows)


def test_the_driver_draws_what_the_command_draws(tmp_path, monkeypatch):
    """Both formats from one layout, two diagrams at a time, against the command's SVG
    and PNG run one format at a time: the same SVG files and the same PNG pixels (its PNG
    writer compresses differently; BP002 is drawn in parts)."""
    assert plantuml_jvm.driver() is not None, "the driver does not build on this machine"
    sources, counts = shipped_sources("BP001", "BP002", "BP005")
    assert counts["BP002"] > 1
    plantuml_jvm.run_plantuml(sources, ("svg", "png"), tmp_path / "driver", counts, threads=2)
    monkeypatch.setattr(plantuml_jvm, "driver", lambda: None)
    for fmt in ("svg", "png"):
        plantuml_jvm.run_plantuml(sources, (fmt,), tmp_path / "command", counts)
    by_driver, by_command = files_of(tmp_path / "driver"), files_of(tmp_path / "command")
    assert len(by_driver) == 2 * sum(counts.values()) and by_driver.keys() == by_command.keys()
    for name, data in by_driver.items():
        if name.endswith(".svg"):
            assert data == by_command[name], name
        else:
            assert png_pixels(data) == png_pixels(by_command[name]), name


def test_a_diagram_plantuml_cannot_read_is_named(tmp_path):
    sources, counts = shipped_sources("BP001")
    sources["BROKEN"] = "@startuml BROKEN\nthis is -> not :: a sequence {{{\n@enduml\n"
    with pytest.raises(RenderError) as raised:
        plantuml_jvm.run_plantuml(sources, ("svg", "png"), tmp_path, counts)
    assert "BROKEN" in str(raised.value) and "BP001" not in str(raised.value)
    assert (tmp_path / "BP001.svg").is_file()  # the others are still drawn
    assert not list(tmp_path.glob(".*.part"))


def test_another_plantuml_on_path_is_run_as_a_command(tmp_path, monkeypatch):
    launcher = tmp_path / "plantuml"
    launcher.write_text('#!/bin/sh\nexec java -jar /opt/plantuml-newer.jar "$@"\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert plantuml_jvm.driver() is None
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert plantuml_jvm.driver() is not None
