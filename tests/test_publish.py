"""The publisher's phases (render/publish.py): the next phase is planned while this
phase's jobs run, a plan that reads earlier files waits for them, and a failing plan made
ahead fails the render with its own message and leaves the previous output."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import copy_model
from mhhsarch.pipeline import check_model
from mhhsarch.render.base import Artefact, Job, Renderer, RenderError, RenderOptions
from mhhsarch.render.publish import publish

WAIT = 20.0  # seconds a job waits for the plan made beside it: far more than it needs


class Waiting(Renderer):
    """Phase 0: a job (in a worker) that finishes only once the phase-1 plan has begun."""

    name, title, phase = "waiting", "phase 0", 0

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def plan(self, ctx):
        def run() -> None:
            deadline = time.monotonic() + WAIT
            while not self.marker.exists():
                if time.monotonic() > deadline:
                    raise RenderError("the next phase was not planned while this job ran")
                time.sleep(0.02)
            ctx.write_text("first.txt", "phase 0\n")

        return [Job("wait for the plan", [Artefact("first.txt", "text")], run)]


class PlannedAhead(Renderer):
    name, title, phase = "planned-ahead", "phase 1", 1

    def __init__(self, marker: Path, fail: bool = False) -> None:
        self.marker, self.fail = marker, fail

    def plan(self, ctx):
        self.marker.write_text("planning\n")
        if self.fail:
            raise RenderError("the phase-1 plan failed")
        return [Job("second", [Artefact("second.txt", "text")], lambda: ctx.write_text("second.txt", "phase 1\n"))]


class ReadsOutputs(Renderer):
    """Like the PDF batch: its plan lists what the earlier phases wrote."""

    name, title, phase = "reads-outputs", "phase 1, planned after phase 0", 1
    plan_reads_outputs = True

    def plan(self, ctx):
        seen = sorted(p.name for p in ctx.out.glob("*.txt"))
        text = " ".join(seen) + "\n"
        return [Job("listing", [Artefact("listing.lst", "text")], lambda: ctx.write_text("listing.lst", text))]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    return check_model(copy_model(tmp_path_factory.mktemp("model") / "model"))


def test_the_next_phase_is_planned_while_this_phase_runs(checked, tmp_path):
    marker = tmp_path / "planning"
    renderers = [Waiting(marker), PlannedAhead(marker), ReadsOutputs()]
    published = publish(checked.model, checked.graph, tmp_path / "out", renderers, RenderOptions(jobs=2))
    assert (tmp_path / "out/first.txt").read_text() == "phase 0\n"
    assert (tmp_path / "out/second.txt").read_text() == "phase 1\n"
    # planned after phase 0 had written its file, not ahead
    assert (tmp_path / "out/listing.lst").read_text() == "first.txt\n"
    assert sorted(a.path for a in published.artefacts) == ["first.txt", "listing.lst", "second.txt"]


def test_a_plan_made_ahead_that_fails_fails_the_render(checked, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    marker = tmp_path / "planning"
    with pytest.raises(RenderError, match="the phase-1 plan failed"):
        publish(checked.model, checked.graph, out, [Waiting(marker), PlannedAhead(marker, fail=True)], RenderOptions())
    assert list(out.iterdir()) == []  # nothing half-written is published
    assert not [p for p in tmp_path.iterdir() if ".rendering-" in p.name]
