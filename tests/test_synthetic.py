"""Synthetic models (benchmarks/synth.py) must validate with no error-level finding.

They are the benchmark's input, so a finding here is either a generator bug or a
validator false positive.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO_ROOT = Path(__file__).parents[1]


def _load_synth():
    path = REPO_ROOT / "benchmarks" / "synth.py"
    spec = importlib.util.spec_from_file_location("mhhsarch_bench_synth", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


def _validate(model_dir: Path) -> tuple[int, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "mhhsarch", "validate", str(model_dir), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=model_dir.parent,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"validate printed no JSON (exit {result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return result.returncode, report


@pytest.mark.parametrize("scale, seed", [(1, 0), (1, 1), (1, 2), (2, 0)])
def test_synthetic_model_is_clean(tmp_path: Path, scale: int, seed: int) -> None:
    model_dir = tmp_path / "model"
    counts = synth.generate(model_dir, scale, seed)
    assert counts["processes"] == 26 * scale
    assert counts["data_items"] == 400 * scale

    returncode, report = _validate(model_dir)

    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    listing = "\n".join(
        f"{d['file']}:{d['line']}:{d['column']}: {d['code']} {d['entity']}: {d['message']}" for d in errors[:20]
    )
    assert not errors, f"{len(errors)} error(s) on a synthetic model:\n{listing}"
    assert returncode == 0


def test_generator_is_deterministic(tmp_path: Path) -> None:
    synth.generate(tmp_path / "a", 1, seed=3)
    synth.generate(tmp_path / "b", 1, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.yaml"))
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_scale_limit() -> None:
    with pytest.raises(ValueError):
        synth.generate(Path("unused"), synth.MAX_SCALE + 1)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), scale=st.integers(1, 3))
def test_any_seed_and_scale_is_clean(tmp_path_factory, seed: int, scale: int) -> None:
    """In process (fast): no finding at all, not even a warning."""
    from mhhsarch.pipeline import check_model

    model_dir = tmp_path_factory.mktemp("synth") / "model"
    synth.generate(model_dir, scale, seed)
    checked = check_model(model_dir)
    assert [(d.code, str(d.span), d.message) for d in checked.diagnostics][:5] == []


def test_parallel_parse_reports_exactly_what_serial_parse_does(tmp_path, monkeypatch):
    """Large models are parsed by two processes; diagnostics from files the child
    parsed must still carry their exact positions and source lines."""
    from mhhsarch.diagnostics import formatters
    from mhhsarch.pipeline import check_model
    from mhhsarch.source import loader

    model_dir = tmp_path / "model"
    synth.generate(model_dir, 2, 7)
    files = sorted(model_dir.rglob("*.yaml"))
    assert len(files) > loader.PARALLEL_FROM_FILES
    last = files[-1]  # in the child's half
    text = last.read_text(encoding="utf-8")
    last.write_text(text + "\nbogus_kind: []\n", encoding="utf-8")
    (model_dir / "zz-broken.yaml").write_text("roles:\n  - id: SUP\n    name: [unclosed\n", encoding="utf-8")

    def report(checked):
        return formatters.format_text(formatters.report_of(checked))

    monkeypatch.chdir(tmp_path)
    parallel = report(check_model(Path("model")))
    monkeypatch.setattr(loader, "PARALLEL_FROM_FILES", 10**9)
    serial = report(check_model(Path("model")))
    assert parallel == serial
    assert "bogus_kind: []" in parallel and "[Y103]" in parallel and "[Y101]" in parallel
