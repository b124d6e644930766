"""Publishing: plan every renderer's jobs, run them into a temporary folder, write the
manifest, then swap the folder into place.

The swap is the only moment the output folder changes: a failed or interrupted
render deletes its temporary folder and leaves the previous output as it was.
Which folders may be replaced at all, and the run folder a render works in, are in
`outdir.py`.

Interruptions: while a render runs, SIGTERM and SIGHUP are handled like Ctrl-C (the
run folder is removed, the previous output stays). Every job runs in a worker
process that leads its own process group, so whatever a job starts (dot, java,
LibreOffice and their children) can be killed with the worker as one group; a
worker whose parent died (SIGKILL cannot be caught) kills its own group.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from mhhsarch import __version__
from mhhsarch.render.base import Artefact, Job, RenderContext, Renderer, RenderError, RenderOptions
from mhhsarch.render.cache import Cache, InputsDigests, sha256_file
from mhhsarch.render.outdir import MANIFEST, OutputFolderError, RunFolder, check_replaceable, real_output_folder

if TYPE_CHECKING:  # a no-op re-render (`republish`) never loads a model: no graph library to import
    from mhhsarch.graph import ModelGraph
    from mhhsarch.model.model import Model

# The dates a zip entry (and so a Word or Excel file) can hold: 1980-01-01 to 2107-12-31.
EARLIEST_ZIP_EPOCH = 315532800
LATEST_ZIP_EPOCH = 4354819199
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PARENT_CHECK_SECONDS = 0.5


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP during a render. A KeyboardInterrupt, so that every
    clean-up written for Ctrl-C runs for a service manager's SIGTERM too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Published:
    out: Path
    artefacts: list[Artefact]
    seconds: float
    # what renderers had to reduce or supply (a diagram drawn in parts, a template's
    # missing page set-up): decided at plan time, so known in this process
    warnings: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # paths taken from the cache


# Jobs for forked workers: set before the pool starts, inherited by fork, so jobs
# (closures over the model) are never pickled.
_JOBS: list[Job] = []
# Where the jobs write: each worker hashes the files its job wrote (sha256 of hundreds of
# megabytes at scale 10 is seconds the main process would spend alone between phases).
_ROOT: list[Path] = []
# File descriptors the workers must not keep open (the run folder's lock: it must end
# with the render's main process, or a sweeper would take a killed render for a live one).
_CLOSE_IN_WORKERS: list[int] = []


def run_job(job: Job) -> None:
    """Run one job; any failure becomes a RenderError naming the job (the CLI prints it
    as one line and exits 2; a traceback would only say which bug, not which artefact)."""
    try:
        job.run()
    except RenderError:
        raise
    except Exception as error:
        raise RenderError(f"{job.name}: {type(error).__name__}: {error}") from error


def _run_job(index: int) -> tuple[int, float, dict[str, str]]:
    started = time.perf_counter()
    job = _JOBS[index]
    run_job(job)
    hashes = {}
    for root in _ROOT:
        for artefact in job.artefacts:
            with contextlib.suppress(OSError):  # not written: reported by _check_outputs
                hashes[artefact.path] = sha256_file(root / artefact.path)
    _tidy_worker()
    return index, time.perf_counter() - started, hashes


# A document's lxml trees hang in reference cycles (python-docx's parts and their
# package), which Python's collector is slow to visit: it counts Python objects, not the
# megabytes libxml2 holds for them. Collected every few jobs, and the freed memory handed
# back to the system, a worker writing 430 documents at scale 10 stays at about 250 MiB
# instead of 400.
TIDY_EVERY = 20
_jobs_since_tidy = 0


def _tidy_worker() -> None:
    global _jobs_since_tidy
    _jobs_since_tidy += 1
    if _jobs_since_tidy < TIDY_EVERY:
        return
    _jobs_since_tidy = 0
    gc.collect()  # cheap: what the worker inherited is frozen (run_jobs)
    if _malloc_trim is not None:
        _malloc_trim(0)


def _libc_malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_malloc_trim = _libc_malloc_trim() if sys.platform.startswith("linux") else None


def _start_worker(parent: int, close: tuple[int, ...]) -> None:
    """First thing in every worker: lead a process group of its own (what its jobs start
    joins it, so the publisher kills worker and tools with one killpg; and Ctrl-C on a
    terminal reaches only the main process, which then does exactly that), default
    signal actions, no terminal input, and a watch on the parent."""
    os.setpgid(0, 0)
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    for fd in close:
        with contextlib.suppress(OSError):
            os.close(fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # a background process group reading the terminal would stop for ever
    os.close(devnull)
    threading.Thread(target=_die_with_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _die_with_parent(parent: int) -> None:
    """The main process was killed (SIGKILL cannot be caught): take this worker's group,
    the worker and every tool it started, down with it instead of leaving orphans."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os.killpg(0, signal.SIGKILL)


def _kill_groups(pids: list[int]) -> None:
    """SIGKILL each worker's process group (a worker killed before it made its group is
    killed alone). Called before the pool reaps the workers, so no pid has been reused."""
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        except PermissionError:
            pass


def run_jobs(
    jobs: list[Job],
    workers: int,
    progress: Callable[[Job, float], None],
    started: Callable[[], None] | None = None,
    root: Path | None = None,
) -> dict[str, str]:
    """Run `jobs` in up to `workers` forked worker processes, always in workers (also for
    one job): that is what makes their tools killable as a group. On a failure or an
    interruption the workers' groups are killed at once, not waited for. `started` is
    called once every worker has been forked (not at all when there are no jobs).
    Returns the sha256 of each file the jobs wrote below `root` (by artefact path)."""
    global _JOBS
    written: dict[str, str] = {}
    if not jobs:
        return written
    _JOBS = jobs
    _ROOT[:] = [root] if root is not None else []
    # The workers share the main process's memory (the model, the views) until they write
    # to it; the garbage collector's passes over those objects would write to every page.
    # Frozen, they are left alone: it cut the peak of the process tree at scale 10 by 100 MiB.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    known = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))),
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), tuple(_CLOSE_IN_WORKERS)),
    )

    def workers_now() -> set[int]:
        return {p.pid for p in multiprocessing.active_children() if p not in known and p.pid}

    worker_pids: set[int] = set()
    try:
        futures = [pool.submit(_run_job, i) for i in range(len(jobs))]
        # a fork pool starts all its workers at the first submit; noted now, as one that
        # dies is reaped (and gone from active_children) while its tools may still run
        worker_pids = workers_now()
        if started is not None:
            started()
        for future in as_completed(futures):
            index, seconds, hashes = future.result()
            written.update(hashes)
            progress(jobs[index], seconds)
    except BaseException as error:
        _kill_groups(sorted(worker_pids | workers_now()))
        pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(error, BrokenProcessPool):
            raise RenderError(
                "a render worker process died unexpectedly (killed by a signal or out of memory?)"
            ) from None
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        _JOBS = []
        _ROOT.clear()
        gc.unfreeze()
    return written


class _StopSignalsRaise:
    """While a render runs in the main thread: Ctrl-C, SIGTERM and SIGHUP raise Interrupted,
    once. After the first, and from `hold()` on (the swap and the clean-up), they are
    ignored, so that a second signal cannot cut a clean-up short and a render that has
    begun its swap completes it."""

    def __init__(self) -> None:
        self.raising = True
        self.previous: dict[int, signal.Handlers | int | Callable | None] = {}

    def __enter__(self) -> _StopSignalsRaise:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame) -> None:
        if self.raising:
            self.raising = False
            raise Interrupted(signum)

    def hold(self) -> None:
        self.raising = False

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def _temporary_files_in(folder: Path) -> Iterator[None]:
    """Temporary files of this process, its workers (fork inherits it) and the tools they
    run (TMPDIR) go into the run's work folder: a killed render's LibreOffice profiles and
    PlantUML sources are then swept with its run folder, not left in /tmp."""
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env


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


def environment_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as a number, None when unset or empty; RenderError when it is not
    plain ASCII digits (a negative or garbled value is refused, not silently ignored)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    shown = value if len(value) <= 40 else value[:40] + "..."
    if not re.fullmatch(r"[0-9]+", value):
        raise RenderError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, not {shown!r}")
    # more than 20 digits is past 2107 for certain (and int() of a huge string is slow)
    return _zip_safe(int(value) if len(value) <= 20 else LATEST_ZIP_EPOCH + 1, "SOURCE_DATE_EPOCH", shown)


def _zip_safe(epoch: int, origin: str, shown: str | None = None) -> int:
    if epoch > LATEST_ZIP_EPOCH:
        raise RenderError(
            f"{origin} {shown or epoch} is after 2107-12-31, the latest date a Word or Excel file (a zip) can hold "
            f"(at most {LATEST_ZIP_EPOCH})"
        )
    return max(epoch, EARLIEST_ZIP_EPOCH)


def source_date_epoch(provenance: dict) -> int:
    """The one timestamp artefacts may carry: SOURCE_DATE_EPOCH, else the model's last
    commit time, else 1980-01-01. Dates before 1980 become 1980-01-01 (the earliest a zip
    entry can hold); dates after 2107 are refused with a RenderError."""
    from_environment = environment_epoch()
    if from_environment is not None:
        return from_environment
    return _zip_safe(provenance.get("committed_at") or 0, "the model's last commit time")


def publish(
    model: Model,
    graph: ModelGraph,
    out: Path,
    renderers: list[Renderer],
    options: RenderOptions,
    provenance: dict | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    use_cache: bool = True,
    timings: dict | None = None,
    run_key: str | None = None,
) -> Published:
    """Render into a run folder beside `out` and swap the result into place. `out` must be
    replaceable (`outdir.check_replaceable`); a symlinked `out` is followed, its target
    replaced and the link kept. The CLI checks more before calling this
    (`outdir.check_output_folder`).

    The cache beside `out` (`render/cache.py`) gives back the files of unchanged jobs;
    `use_cache` False renders everything (and refills the cache). `timings`, when given,
    receives the seconds of each renderer and stage."""
    started = time.perf_counter()
    out = Path(out)
    try:
        target = real_output_folder(out)
        check_replaceable(target, out)
    except OutputFolderError as error:
        raise RenderError(str(error)) from None
    with _StopSignalsRaise() as signals:
        run = RunFolder.create(target)
        _CLOSE_IN_WORKERS[:] = [run.lock_fd]
        try:
            cache = Cache.open(target, enabled=use_cache)
            with _temporary_files_in(run.work):
                artefacts, hashes, reused = _render_into(
                    run.tree, model, graph, renderers, options, progress, cache, timings
                )
            stage = _stage_clock(timings)
            manifest = write_manifest(run.tree, model, artefacts, options, provenance or {}, hashes, reused, use_cache)
            warnings = [w for r in renderers for w in getattr(r, "warnings", ())]
            stage("manifest")
            signals.hold()  # from here on the render completes: the swap is not to be cut in half
            _swap_into_place(run, target, out)
            stage("swap")
            if run_key is not None:
                text = (target / MANIFEST).read_text(encoding="utf-8")
                cache.new_runs = {run_key: {"manifest": manifest, "text": text, "warnings": warnings}}
            cache.save()
            stage("cache save")
        except BaseException:
            signals.hold()
            raise
        finally:
            _CLOSE_IN_WORKERS.clear()
            stage = _stage_clock(timings)
            run.remove()
            stage("remove the previous output")
    return Published(
        out, sorted(artefacts, key=lambda a: a.path), time.perf_counter() - started, warnings, sorted(reused)
    )


def _stage_clock(timings: dict | None) -> Callable[[str], None]:
    """Records in `timings` the seconds since the last call (or since this one)."""
    last = [time.perf_counter()]

    def stage(name: str) -> None:
        now = time.perf_counter()
        if timings is not None:
            timings.setdefault("stages", {})[name] = now - last[0]
        last[0] = now

    return stage


def _render_into(
    tree: Path,
    model: Model,
    graph: ModelGraph,
    renderers: list[Renderer],
    options: RenderOptions,
    progress: Callable[[str, int, int], None] | None,
    cache: Cache | None = None,
    timings: dict | None = None,
) -> tuple[list[Artefact], dict[str, str], list[str]]:
    """Plan and run every phase into `tree`. Returns the artefacts, the sha256 of every
    file written (by path) and the paths reused from the cache."""
    ctx = RenderContext(model, graph, tree, options)
    artefacts: list[Artefact] = []
    hashes: dict[str, str] = {}
    reused: list[str] = []
    renderer_times = timings.setdefault("renderers", {}) if timings is not None else {}
    salt = _run_salt(options) if cache is not None else ""
    phases = sorted({r.phase for r in renderers})
    ahead: _PlanAhead | None = None
    earlier: dict[str, list[str]] = {}  # the earlier phases' artefacts by stem (`_stems`)
    for index, phase in enumerate(phases):
        stage = _stage_clock(timings)
        planned, plan_times = ahead.result() if ahead is not None else _plan(ctx, renderers, phase, None)
        if ahead is not None:  # what could not be planned ahead: it reads the earlier phases' files
            stage(f"plan {phase} (the rest of it, after phase {phases[index - 1]})")
            later, later_times = _plan(ctx, renderers, phase, True)
            planned += later
            plan_times.update(later_times)
        for name, seconds in plan_times.items():
            renderer_times[name] = renderer_times.get(name, 0.0) + seconds
        following = _stems([*artefacts, *(a for _, job in planned for a in job.artefacts)])
        ahead = None
        if index + 1 < len(phases):
            ahead = _PlanAhead(ctx, renderers, phases[index + 1], following if cache is not None else None)
        stage = _stage_clock(timings)
        pending: list[tuple[str, Job, str | None]] = []
        paths = _paths_pattern(earlier) if earlier else None
        for name, job in planned:
            key = _job_key(salt, name, job, ctx, hashes, earlier, paths) if cache is not None else None
            restored = cache.restore(key, [a.path for a in job.artefacts], tree) if cache and key else None
            if restored is None:
                pending.append((name, job, key))
            else:
                hashes.update(restored)
                reused.extend(restored)
        stage(f"cache lookup {phase}")
        to_run, owner = _batched(pending)
        done = len(planned) - len(pending)
        total = done + len(to_run)

        def tick(job: Job, seconds: float, _total=total, _owner=owner) -> None:
            nonlocal done
            done += 1
            name = _owner.get(id(job), "")
            renderer_times[name] = renderer_times.get(name, 0.0) + seconds
            if progress:
                progress(job.name, done, _total)

        written = run_jobs(to_run, options.jobs, tick, started=ahead.start if ahead is not None else None, root=tree)
        stage = _stage_clock(timings)
        for _, job, key in pending:
            files = []
            for artefact in job.artefacts:
                path = tree / artefact.path
                if not path.is_file():
                    continue  # reported by _check_outputs
                sha = hashes[artefact.path] = written.get(artefact.path) or sha256_file(path)
                files.append((artefact.path, sha, path.stat().st_size))
            if cache is not None and len(files) == len(job.artefacts):
                cache.store(key, files, tree)
        stage(f"hash and store {phase}")
        artefacts.extend(a for _, job in planned for a in job.artefacts)
        earlier = following
    if not artefacts:  # an empty output must never replace a previous one
        names = ", ".join(r.name for r in renderers) or "none"
        raise RenderError(
            f"nothing to render: the selected renderers ({names}) plan no artefacts (see --only and --tranche)"
        )
    stage = _stage_clock(timings)
    _check_outputs(tree, artefacts)
    stage("check outputs")
    return artefacts, hashes, reused


def _plan(
    ctx: RenderContext, renderers: list[Renderer], phase: int, reading_outputs: bool | None
) -> tuple[list[tuple[str, Job]], dict[str, float]]:
    """The jobs of a phase's renderers (of those whose `plan_reads_outputs` is
    `reading_outputs`; None: all), by renderer name, and each renderer's planning time."""
    planned: list[tuple[str, Job]] = []
    times: dict[str, float] = {}
    for renderer in renderers:
        if renderer.phase != phase or (reading_outputs is not None and renderer.plan_reads_outputs != reading_outputs):
            continue
        started = time.perf_counter()
        planned.extend((renderer.name, job) for job in renderer.plan(ctx))
        times[renderer.name] = times.get(renderer.name, 0.0) + time.perf_counter() - started
    return planned, times


class _PlanAhead:
    """The next phase's plan, made in a thread of the main process while this phase's jobs
    run in the workers: planning is pure Python (views of the whole model: seconds at
    scale 10) and the main process would otherwise wait. Started only once the workers
    have been forked (a fork must not copy a thread in the middle of its work); a phase
    with no jobs to run never starts it, and `result` then plans here and now. Renderers
    whose plan reads the earlier phases' files are left to the caller.

    With `earlier` (the artefacts of the phases before, by stem: they are declared, not
    yet written), the jobs' inputs are also digested and searched for those paths, the
    costly part of their cache keys (`_job_key` then finds them in the render's memo)."""

    def __init__(
        self, ctx: RenderContext, renderers: list[Renderer], phase: int, earlier: dict[str, list[str]] | None
    ) -> None:
        self._ctx, self._earlier = ctx, earlier
        self._plan = partial(_plan, ctx, renderers, phase, False)
        self._thread: threading.Thread | None = None
        self._result: tuple[list[tuple[str, Job]], dict[str, float]] | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        # a daemon: a render stopped by Ctrl-C does not wait for a plan it will not use
        self._thread = threading.Thread(target=self._run, name="plan-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._plan()
            if self._earlier is not None:
                digests = _inputs_digests(self._ctx)
                paths = _paths_pattern(self._earlier) if self._earlier else None
                for _, job in self._result[0]:
                    if job.inputs is not None:
                        digests.of(job.inputs, paths)
        except BaseException as error:  # raised again in the main thread, by result()
            self._error = error

    def result(self) -> tuple[list[tuple[str, Job]], dict[str, float]]:
        if self._thread is None:
            return self._plan()
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _batched(pending: list[tuple[str, Job, str | None]]) -> tuple[list[Job], dict[int, str]]:
    """The jobs to run: each job on its own, except that jobs sharing a `batch` function are
    handed to it together. Also which renderer each job to run belongs to (by id)."""
    to_run: list[Job] = []
    owner: dict[int, str] = {}
    groups: dict[int, tuple[str, Callable, list[Job]]] = {}
    for name, job, _ in pending:
        if job.batch is None:
            to_run.append(job)
            owner[id(job)] = name
        else:
            groups.setdefault(id(job.batch), (name, job.batch, []))[2].append(job)
    batched: list[Job] = []
    for name, function, members in groups.values():
        for job in function(members):
            batched.append(job)
            owner[id(job)] = name
    # Longest first, so that no long job starts last while the other cores idle: the
    # batches (a JVM, a dot call for many diagrams), then the jobs of renderers that plan
    # few (a whole-model workbook), then the many small ones (a document each). Stable.
    jobs = batched + to_run
    per_renderer = Counter(owner[id(job)] for job in to_run)
    batch_ids = {id(job) for job in batched}
    jobs.sort(key=lambda job: 0 if id(job) in batch_ids else per_renderer[owner[id(job)]])
    return jobs, owner


def _run_salt(options: RenderOptions) -> str:
    """What every job's key holds: the tool and the run's options."""
    from mhhsarch.render.cache import tool_digest

    baseline = options.baseline
    facts = {
        "tool": tool_digest(),
        "epoch": options.source_date_epoch,
        "tranche": options.tranche,
        # not --only: a job's files do not depend on which other renderers run (the site's
        # links to the documents of the run are in its pages' inputs), so a render of a
        # subset reuses what the full render cached, and the other way round
        "pdf": options.pdf,
        "selected": sorted(map(repr, options.selected)) if options.selected is not None else None,
        "baseline": [baseline.revision, baseline.committed_at] if baseline is not None else None,
    }
    return json.dumps(facts, sort_keys=True)


def _stems(artefacts: list[Artefact]) -> dict[str, list[str]]:
    """Earlier phases' artefact paths by their path without the extension."""
    stems: dict[str, list[str]] = {}
    for artefact in artefacts:
        stems.setdefault(artefact.path.rsplit(".", 1)[0], []).append(artefact.path)
    return stems


def _paths_pattern(stems: dict[str, list[str]]) -> re.Pattern[bytes]:
    """Paths below the earlier artefacts' top folders ("diagrams/sequence/BP001.png"), as
    they appear in pickled inputs: a literal start, so that a search of a large view is quick."""
    tops = sorted({stem.split("/", 1)[0] for stem in stems if "/" in stem})
    alternatives = b"|".join(re.escape(top.encode()) for top in tops) or b"(?!)"
    return re.compile(rb"(?:" + alternatives + rb")/[A-Za-z0-9_./-]+")


def _inputs_digests(ctx: RenderContext) -> InputsDigests:
    """One memo a render: a view several jobs show is pickled and searched once (also by
    the plan made ahead, for the keys of the next phase)."""
    return ctx.memo(("inputs digests",), InputsDigests)


def _job_key(
    salt: str,
    renderer: str,
    job: Job,
    ctx: RenderContext,
    hashes: dict[str, str],
    earlier: dict[str, list[str]],
    paths: re.Pattern[bytes] | None,
) -> str | None:
    """The cache key of `job` (render/cache.py); `earlier` and `paths`: the earlier
    phases' artefacts (`_stems`) and the pattern that finds them in inputs."""
    if job.inputs is None:
        return None
    found = _inputs_digests(ctx).of(job.inputs, paths)
    if found is None:
        return None
    inputs, names = found
    digest = hashlib.sha256(salt.encode())
    digest.update(json.dumps([renderer, job.name, [[a.path, a.kind, list(a.sources)] for a in job.artefacts]]).encode())
    digest.update(inputs)
    for name in job.templates:
        digest.update(ctx.memo(("template digest", name), partial(_template_digest, ctx, name)))
    if names:  # the earlier files the inputs name (a document's diagrams), by content
        reads: set[str] = set()
        for found_path in names:
            reads.update(earlier.get(found_path.decode("ascii").rsplit(".", 1)[0], ()))
        for read in sorted(reads):
            digest.update(f"reads {read} {hashes.get(read, 'missing')}\n".encode())
    return digest.hexdigest()


def _template_digest(ctx: RenderContext, name: str) -> bytes:
    """The content of the template files `name` resolves to (once a run)."""
    digest = hashlib.sha256()
    for rel, path in _templates_named(ctx, name):
        digest.update(f"template {rel}\0".encode() + sha256_file(path).encode())
    return digest.digest()


def _templates_named(ctx: RenderContext, name: str) -> list[tuple[str, Path]]:
    """The template files `name` resolves to for this run; a name ending in "/" is every
    file below that folder (first match per relative path, as the lookup does)."""
    from mhhsarch.render.templates import BUNDLED

    if not name.endswith("/"):
        try:
            return [(name, ctx.template(name))]
        except RenderError:
            return []
    found: dict[str, Path] = {}
    for folder in ctx.options.template_folders or (BUNDLED,):
        base = Path(folder) / name
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                rel = path.relative_to(folder).as_posix()
                if path.is_file() and rel not in found:
                    found[rel] = path
    return sorted(found.items())


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


def write_manifest(
    root: Path,
    model: Model,
    artefacts: list[Artefact],
    options: RenderOptions,
    provenance: dict,
    hashes: dict[str, str] | None = None,
    reused: list[str] | None = None,
    cache_enabled: bool = False,
) -> dict:
    """manifest.json: every file with its size, sha256 and sources. `cache` says whether
    the cache was used and which files it gave back (everything else was rendered by this
    run); it is the one part of the manifest an incremental render writes differently
    from a clean one."""
    entries = []
    hashes = hashes or {}
    for artefact in sorted(artefacts, key=lambda a: a.path):
        path = root / artefact.path
        entries.append(
            {
                "path": artefact.path,
                "kind": artefact.kind,
                "size": path.stat().st_size,
                "sha256": hashes.get(artefact.path) or sha256_file(path),
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
        "cache": {"enabled": cache_enabled, "reused": sorted(reused or [])},
        "artefacts": entries,
    }
    _dump_manifest(root, manifest)
    return manifest


def _dump_manifest(root: Path, manifest: dict) -> None:
    with open(root / MANIFEST, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(manifest, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


_CACHE_BLOCK = re.compile(r'\n  "cache": \{.*?\n  \},\n', re.DOTALL)


def _in_place(target: Path, files: list[tuple[str, str, int]], manifest: str, cache: Cache) -> bool:
    """Whether `target` already is this render's output: the same manifest text (so,
    `check_replaceable` having passed, no other file) and each file the very cached file
    (the same inode, hard-linked by the render that wrote it), whose sha256 is checked."""
    try:
        if (target / MANIFEST).read_text(encoding="utf-8") != manifest:
            return False
        for rel, sha, size in files:
            here, cached = os.stat(target / rel), os.stat(cache.object_path(sha))
            if (here.st_ino, here.st_dev) != (cached.st_ino, cached.st_dev):
                return False
    except (OSError, ValueError):
        return False
    return all(cache.object_ok(sha, size) for _, sha, size in files)


def republish(out: Path, key: str) -> Published | None:
    """A no-op re-render: when the cache beside `out` recorded a whole render with this
    run key (the same model files, templates, options, git commit and tool), put that
    render's files back from the cache (each checked by its sha256) and its manifest,
    without loading the model or planning anything; when the output folder already is
    that render's output (its own files, unchanged), it is left as it is. None when there
    is no such record or a file of it is missing or damaged: the caller renders as usual."""
    started = time.perf_counter()
    out = Path(out)  # checked by the caller (outdir.check_output_folder), and again before the swap
    try:
        target = real_output_folder(out)
    except OutputFolderError as error:
        raise RenderError(str(error)) from None
    cache = Cache.open(target)
    record = cache.runs.get(key)
    if record is None:
        return None
    manifest = dict(record["manifest"])
    try:
        entries = manifest["artefacts"]
        files = [(e["path"], e["sha256"], e["size"]) for e in entries]
        artefacts = [Artefact(e["path"], e["kind"], tuple(e["sources"])) for e in entries]
    except (KeyError, TypeError):
        return None
    block = {"enabled": True, "reused": sorted(a.path for a in artefacts)}
    text = record.get("text")
    if isinstance(text, str) and _CACHE_BLOCK.search(text):
        # the recorded manifest's text with its cache block replaced: the same bytes as
        # json.dump would write, without encoding thousands of entries again
        inner = json.dumps({"cache": block}, indent=2, ensure_ascii=False)[2:-2]
        text = _CACHE_BLOCK.sub(lambda _: "\n" + inner + ",\n", text, count=1)
    else:
        manifest["cache"] = block
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    if not _in_place(target, files, text, cache):
        with _StopSignalsRaise() as signals:
            run = RunFolder.create(target)
            try:
                if not cache.restore_files(files, run.tree):
                    return None
                with open(run.tree / MANIFEST, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                signals.hold()
                _swap_into_place(run, target, out)  # the cache's index stays as it is: nothing changed
            except BaseException:
                signals.hold()
                raise
            finally:
                run.remove()
    paths = sorted(a.path for a in artefacts)
    return Published(out, artefacts, time.perf_counter() - started, [str(w) for w in record["warnings"]], paths)


def _swap_into_place(run: RunFolder, target: Path, shown: Path) -> None:
    """Replace `target` by the run's tree with two renames (the old output goes into the
    run folder, removed with it). The folder is checked again first: the user may have
    put files into it while the render ran."""
    try:
        check_replaceable(target, shown)
    except OutputFolderError as error:
        raise RenderError(f"the output folder changed during the render: {error}") from None
    had_previous = os.path.lexists(target)
    if had_previous:
        os.rename(target, run.previous)
    try:
        os.rename(run.tree, target)
    except OSError:
        if had_previous:
            os.rename(run.previous, target)  # put the previous output back
        raise


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
