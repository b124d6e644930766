"""How the cost of `mhhsarch render` grows with the model: synthetic models at several scales.

For each scale (benchmarks/synth.py; scale 1 is about the real design, 10 is 180
roles, 600 interfaces, 260 processes, 4,000 data items) and, with --shipped, the
shipped `model/` folder: one clean render (`--no-cache`, no PDF) as a subprocess, and

  wall      wall clock of the whole command (start-up, load, validate, render, swap)
  cpu       CPU time of the command and everything it waited for (workers, dot, JVMs)
  pss       peak proportional set size of the whole process tree, sampled every 250 ms
            (each sample reads every process's smaps_rollup: at 50 ms the sampler took
            enough of one of the two cores to add 10 s to the scale-10 render)
            (what the tree costs the machine: shared pages counted once)
  maxrss    the largest resident set of any one process (RUSAGE_CHILDREN)
  parse     yaml.load(CSafeLoader) of the same files in this process: the floor
  ratios    wall / parse and cpu / parse

With --by-renderer, the time of each renderer (its plan in the main process, its
jobs' wall clock summed over the workers), from the timings the render writes to
$MHHSARCH_TIMINGS; with --incremental, a second (no-op) render that reuses the cache.

Run:  .venv/bin/python benchmarks/bench_scale.py --scales 1,2,5,10 --shipped --by-renderer
Exit status: 0; 1 if a render failed; 2 on usage problems.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import installed_mhhsarch, int_list  # noqa: E402
from synth import generate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def model_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def parse_seconds(files: list[Path], repeat: int = 3) -> float:
    import yaml

    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        for path in files:
            with open(path, "rb") as handle:
                yaml.load(handle, Loader=yaml.CSafeLoader)
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return best or 0.0


def _tree(root: int) -> list[int]:
    """root and every process descending from it (from /proc/*/stat)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, pending = [root], [root]
    while pending:
        pid = pending.pop()
        for child, parent in parents.items():
            if parent == pid:
                tree.append(child)
                pending.append(child)
    return tree


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


SAMPLE_SECONDS = 0.25


class PeakPss:
    """Samples the PSS of a process tree in a thread; `peak` in MiB."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, sum(_pss_kib(p) for p in _tree(self.pid)) / 1024)
            self.stop.wait(SAMPLE_SECONDS)

    def finish(self) -> float:
        self.stop.set()
        self.thread.join()
        return self.peak


def render(mhhsarch: Path, model: Path, out: Path, jobs: int, extra: list[str], timings: Path) -> dict:
    env = dict(os.environ, MHHSARCH_TIMINGS=str(timings))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(mhhsarch), "-q", "render", str(model), "--out", str(out), "--jobs", str(jobs), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    sampler = PeakPss(process.pid)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    pss = sampler.finish()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result = {
        "code": process.returncode,
        "wall": wall,
        "cpu": cpu,
        "pss": pss,
        "maxrss": after.ru_maxrss / 1024,
        "output": (stdout + stderr).strip(),
    }
    if timings.is_file():
        result["timings"] = json.loads(timings.read_text(encoding="utf-8"))
        timings.unlink()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,5,10", help="comma-separated scales (default 1,2,5,10)")
    parser.add_argument("--shipped", action="store_true", help="also the shipped model/ folder")
    parser.add_argument("--by-renderer", action="store_true", help="the time of each renderer")
    parser.add_argument("--incremental", action="store_true", help="also a no-op re-render from the cache")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the render (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path, default=REPO / "model", help="the shipped model folder")
    parser.add_argument("--keep", type=Path, help="keep the generated models and outputs here")
    args = parser.parse_args(argv)
    scales = int_list(parser, "--scales", args.scales, "1,10")
    mhhsarch = installed_mhhsarch()
    if mhhsarch is None:
        return 2
    root = args.keep or Path(tempfile.mkdtemp(prefix="mhhsarch-bench-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    models: list[tuple[str, Path]] = []
    if args.shipped:
        models.append(("shipped", args.model))
    for scale in scales:
        folder = root / f"scale-{scale}"
        if not folder.is_dir():
            generate(folder, scale, args.seed)
        models.append((f"scale-{scale}", folder))

    header = (
        f"{'model':<10} {'files':>5} {'artefacts':>9} {'parse':>7} {'wall':>7} {'cpu':>7} "
        f"{'pss MiB':>8} {'maxrss':>7} {'wall/parse':>10} {'cpu/parse':>9}"
        + (f" {'no-op':>7}" if args.incremental else "")
    )
    print(header)
    print("-" * len(header), flush=True)
    failed = False
    per_renderer: dict[str, dict[str, float]] = {}
    try:
        for label, model in models:
            files = model_files(model)
            parse = parse_seconds(files)
            out = root / f"out-{label}"
            shutil.rmtree(out, ignore_errors=True)
            timings = root / f"timings-{label}.json"
            done = render(mhhsarch, model, out, args.jobs, ["--no-cache"], timings)
            if done["code"] != 0:
                failed = True
                print(f"{label:<10} render exited {done['code']}: {done['output'][-600:]}", flush=True)
                continue
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            line = (
                f"{label:<10} {len(files):>5} {len(manifest['artefacts']):>9} {parse:>6.2f}s {done['wall']:>6.1f}s "
                f"{done['cpu']:>6.1f}s {done['pss']:>8.0f} {done['maxrss']:>7.0f} "
                f"{done['wall'] / parse:>10.0f} {done['cpu'] / parse:>9.0f}"
            )
            if args.incremental:
                again = render(mhhsarch, model, out, args.jobs, [], root / f"timings-{label}-noop.json")
                line += f" {again['wall']:>6.2f}s" if again["code"] == 0 else f" {'failed':>7}"
            print(line, flush=True)
            for name, seconds in (done.get("timings") or {}).get("renderers", {}).items():
                per_renderer.setdefault(name, {})[label] = seconds
            stages = (done.get("timings") or {}).get("stages", {})
            for name, seconds in stages.items():
                per_renderer.setdefault(f"[{name}]", {})[label] = seconds
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(
        f"wall and cpu: one clean render (--no-cache, --jobs {args.jobs}, no PDF); pss: peak of the process tree; "
        "maxrss: largest single process; parse: bare CSafeLoader parse of the same files"
    )
    if args.by_renderer and per_renderer:
        labels = [label for label, _ in models]
        print()
        print(f"{'renderer (s)':<22} " + " ".join(f"{label:>10}" for label in labels))
        for name in sorted(per_renderer, key=lambda n: (not n.startswith("["), n)):
            cells = " ".join(
                f"{per_renderer[name][label]:>10.2f}" if label in per_renderer[name] else f"{'-':>10}"
                for label in labels
            )
            print(f"{name:<22} {cells}")
        print(
            "[stages] run in the main process; a renderer's time is its plan plus its jobs' wall clock "
            "summed over the workers (jobs run side by side, so these add up to more than the wall clock)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
