"""Publishing: plan every renderer's jobs, run them into a temporary folder, write the
manifest, then swap the folder into place.

The swap is the only moment the output folder changes: a failed or interrupted
render deletes its temporary folder and leaves the previous output as it was.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from mhhsarch import __version__
from mhhsarch.graph import ModelGraph
from mhhsarch.model.model import Model
from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, RenderOptions

MANIFEST = "manifest.json"


class RenderError(Exception):
    """A render that cannot complete (a tool failed or is missing); the message says why."""


@dataclass
class Published:
    out: Path
    artefacts: list[Artefact]
    seconds: float


# Jobs for forked workers: set before the pool starts, inherited by fork, so jobs
# (closures over the model) are never pickled.
_JOBS: list[Job] = []


def run_job(job: Job) -> None:
    """Run one job; any failure becomes a RenderError naming the job (the CLI prints it
    as one line and exits 2; a traceback would only say which bug, not which artefact)."""
    try:
        job.run()
    except RenderError:
        raise
    except Exception as error:
        raise RenderError(f"{job.name}: {type(error).__name__}: {error}") from error


def _run_job(index: int) -> int:
    run_job(_JOBS[index])
    return index


def run_jobs(jobs: list[Job], workers: int, progress: Callable[[Job], None]) -> None:
    global _JOBS
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            run_job(job)
            progress(job)
        return
    _JOBS = jobs
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
            futures = [pool.submit(_run_job, i) for i in range(len(jobs))]
            try:
                for future in as_completed(futures):
                    progress(jobs[future.result()])
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # do not start what is queued
                raise
    finally:
        _JOBS = []


def model_provenance(model_dir: Path) -> dict:
    """The git commit of the model folder when it is in a repository (and whether it has
    uncommitted changes); nothing when git or the repository is absent."""

    def git(*args) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(model_dir), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {}
    status = git("status", "--porcelain", "--", ".")
    committed_at = git("log", "-1", "--format=%ct", "--", ".")
    return {
        "commit": commit,
        "dirty": bool(status),
        "committed_at": int(committed_at) if committed_at and committed_at.isdigit() else None,
    }


def source_date_epoch(provenance: dict) -> int:
    """The one timestamp artefacts may carry: SOURCE_DATE_EPOCH, else the model's last
    commit time, else 1980-01-01 (the earliest a zip entry can hold)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return max(int(value), 315532800)
    return max(provenance.get("committed_at") or 0, 315532800)


def publish(
    model: Model,
    graph: ModelGraph,
    out: Path,
    renderers: list[Renderer],
    options: RenderOptions,
    provenance: dict | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Published:
    started = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.rendering-", dir=out.parent))
    try:
        ctx = RenderContext(model, graph, staging, options)
        artefacts: list[Artefact] = []
        for phase in sorted({r.phase for r in renderers}):
            jobs = [job for r in renderers if r.phase == phase for job in r.plan(ctx)]
            done = 0
            total = len(jobs)

            def tick(job: Job, _total=total) -> None:
                nonlocal done
                done += 1
                if progress:
                    progress(job.name, done, _total)

            run_jobs(jobs, options.jobs, tick)
            artefacts.extend(a for job in jobs for a in job.artefacts)
        _check_outputs(staging, artefacts)
        write_manifest(staging, model, artefacts, options, provenance or {})
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Published(out, sorted(artefacts, key=lambda a: a.path), time.perf_counter() - started)


def _check_outputs(root: Path, artefacts: list[Artefact]) -> None:
    declared = {a.path for a in artefacts}
    if len(declared) != len(artefacts):
        raise RenderError("two renderers declared the same output file")
    written = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    missing = sorted(declared - written)
    extra = sorted(written - declared)
    if missing:
        raise RenderError(f"renderers did not write: {', '.join(missing[:5])}")
    if extra:
        raise RenderError(f"renderers wrote undeclared files: {', '.join(extra[:5])}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(
    root: Path, model: Model, artefacts: list[Artefact], options: RenderOptions, provenance: dict
) -> None:
    entries = []
    for artefact in sorted(artefacts, key=lambda a: a.path):
        path = root / artefact.path
        entries.append(
            {
                "path": artefact.path,
                "kind": artefact.kind,
                "size": path.stat().st_size,
                "sha256": sha256_file(path),
                "sources": list(artefact.sources),
            }
        )
    manifest = {
        "tool": {"name": "mhhsarch", "version": __version__},
        "model": {
            "name": model.config.name,
            "version": model.config.version,
            "baseline": model.config.baseline,
            **{k: provenance[k] for k in ("commit", "dirty") if k in provenance},
        },
        "source_date_epoch": options.source_date_epoch,
        "tranche": options.tranche,
        "artefacts": entries,
    }
    with open(root / MANIFEST, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(manifest, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def _swap_into_place(staging: Path, out: Path) -> None:
    """Replace `out` by `staging` with two renames; the old tree is removed afterwards."""
    old = None
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise RenderError(f"{out} exists and is not a folder")
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
        os.rmdir(old)
        os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        if old is not None:
            os.rename(old, out)  # put the previous output back
        raise
    out.chmod(0o755)  # mkdtemp made it private
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
