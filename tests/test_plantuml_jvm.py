"""mhhsarch's PlantUML driver (render/diagrams/plantuml_jvm.py): the same bytes as the
`plantuml` command, a diagram PlantUML cannot read named in the error, and the command
used whenever the `plantuml` on PATH is not the launcher of the jar the driver runs."""

from __future__ import annotations

import shutil
import stat
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


def test_the_driver_draws_the_bytes_the_command_draws(tmp_path, monkeypatch):
    """Both formats from one layout, two diagrams at a time, against the command's SVG
    and PNG run one format at a time: every file the same (BP002 is drawn in parts)."""
    assert plantuml_jvm.driver() is not None, "the driver does not build on this machine"
    sources, counts = shipped_sources("BP001", "BP002", "BP005")
    assert counts["BP002"] > 1
    plantuml_jvm.run_plantuml(sources, ("svg", "png"), tmp_path / "driver", counts, threads=2)
    monkeypatch.setattr(plantuml_jvm, "driver", lambda: None)
    for fmt in ("svg", "png"):
        plantuml_jvm.run_plantuml(sources, (fmt,), tmp_path / "command", counts)
    by_driver, by_command = files_of(tmp_path / "driver"), files_of(tmp_path / "command")
    assert len(by_driver) == 2 * sum(counts.values())
    assert by_driver == by_command


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
