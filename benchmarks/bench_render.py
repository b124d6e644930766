"""Benchmark `mhhsarch render --only sequence,communication` (every diagram, SVG and PNG).

Models: a synthetic scale-1 model (benchmarks/synth.py) and the shipped `model/`
folder (skipped, with a note, when it is missing or does not validate). For each
model and each --jobs value, the wall clock of the whole command (start-up, loading,
validation, rendering, manifest, swap), the best of --repeat runs.

Target: the shipped model's diagrams in under 6 s with --jobs 2 on 2 cores.

Exit status: 0 ok; 1 if a render failed, or if --check is given and the shipped model
(or, without it, the synthetic one) misses the target; 2 on usage problems.

Run:  .venv/bin/python benchmarks/bench_render.py [--jobs 1,2] [--repeat 3] [--check]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import installed_mhhsarch, int_list  # noqa: E402
from synth import generate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TARGET_JOBS, TARGET_SECONDS = 2, 6.0
ONLY = "sequence,communication"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render_once(mhhsarch: Path, model: Path, out: Path, jobs: int) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall clock and CPU time (the command and every process it waited for: workers,
    dot, the JVMs) of one render."""
    cpu = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [str(mhhsarch), "render", str(model), "--out", str(out), "--only", ONLY, "--jobs", str(jobs)],
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, children_cpu() - cpu, done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values (default 1,2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--model", type=Path, default=REPO / "model", help="the shipped model folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 if a model misses {TARGET_SECONDS}s at --jobs {TARGET_JOBS}"
    )
    args = parser.parse_args(argv)
    jobs_values = int_list(parser, "--jobs", args.jobs, "1,2")
    mhhsarch = installed_mhhsarch()
    if mhhsarch is None:
        return 2
    for tool in ("dot", "plantuml"):
        if not shutil.which(tool):
            print(f"error: '{tool}' is not installed", file=sys.stderr)
            return 2

    header = (
        f"{'model':<12} {'processes':>9} {'roles':>5} {'files':>5} "
        + " ".join(f"{f'jobs={j}':>8}" for j in jobs_values)
        + f" {'cpu':>7}"
    )
    print(header)
    print("-" * len(header))
    failed = False
    with tempfile.TemporaryDirectory(prefix="mhhsarch-bench-render-") as tmp:
        synthetic = Path(tmp) / "synthetic-1"
        counts = generate(synthetic, 1, args.seed)
        models = [("synthetic-1", synthetic, counts)]
        if (args.model / "processes").is_dir():
            models.append(("shipped", args.model, None))
        else:
            print(f"note: no shipped model at {args.model}; only the synthetic one is timed", file=sys.stderr)
        for label, model, _ in models:
            times, files, result, cpu_best = [], 0, None, None
            for jobs in jobs_values:
                best = None
                for run in range(args.repeat):
                    out = Path(tmp) / f"out-{label}-{jobs}-{run}"
                    seconds, cpu, result = render_once(mhhsarch, model, out, jobs)
                    if result.returncode != 0:
                        break
                    files = sum(1 for p in out.rglob("*") if p.is_file()) - 1  # without the manifest
                    best = seconds if best is None else min(best, seconds)
                    cpu_best = cpu if cpu_best is None else min(cpu_best, cpu)
                    shutil.rmtree(out, ignore_errors=True)
                times.append(best)
                if result.returncode != 0:
                    failed = True
                    print(f"  {label}: render --jobs {jobs} exited {result.returncode}:", file=sys.stderr)
                    print(
                        "\n".join("    " + l for l in (result.stdout + result.stderr).splitlines()[-10:]),
                        file=sys.stderr,
                    )
                    break
            processes = len(list((model / "processes").glob("*.y*ml")))
            roles = _count_roles(model)
            cells = " ".join(f"{t:>7.2f}s" if t is not None else f"{'failed':>8}" for t in times)
            cpu_cell = f"{cpu_best:>6.2f}s" if cpu_best is not None else f"{'-':>7}"
            print(f"{label:<12} {processes:>9} {roles:>5} {files:>5} {cells} {cpu_cell}", flush=True)
            if args.check and TARGET_JOBS in jobs_values and (label == "shipped" or len(models) == 1):
                t = times[jobs_values.index(TARGET_JOBS)] if len(times) > jobs_values.index(TARGET_JOBS) else None
                if t is None or t > TARGET_SECONDS:
                    failed = True
                    print(f"  {label}: --jobs {TARGET_JOBS} took {t}s, target {TARGET_SECONDS}s", file=sys.stderr)
    print(
        f"target: shipped model, --jobs {TARGET_JOBS}, under {TARGET_SECONDS:.0f}s "
        f"(wall clock of the whole command, best of {args.repeat}; cpu = least CPU time of any run, "
        f"all processes: what 2 idle cores divide; files = diagrams written)"
    )
    return 1 if failed else 0


def _count_roles(model: Path) -> int:
    import yaml

    market = model / "market.yaml"
    if not market.is_file():
        return 0
    data = yaml.safe_load(market.read_text(encoding="utf-8")) or {}
    return len(data.get("roles") or [])


if __name__ == "__main__":
    sys.exit(main())
