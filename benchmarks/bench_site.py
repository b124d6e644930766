"""The review site renderer's own time (plan: the views; run: the pages), without the
diagrams it inlines: those are drawn once first, by `mhhsarch render --only
sequence,communication`, into a temporary folder.

Run:  .venv/bin/python benchmarks/bench_site.py [MODEL_DIR] [--repeat 3] [--profile]
      .venv/bin/python benchmarks/synth.py /tmp/s10/model --scale 10 && \\
      .venv/bin/python benchmarks/bench_site.py /tmp/s10/model

Targets (issue 13): the shipped model's site within 2 s, scale 10 within 30 s.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", nargs="?", type=Path, default=REPO / "model")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the 30 costliest calls of one run")
    args = parser.parse_args(argv)

    from mhhsarch.pipeline import check_model
    from mhhsarch.render.base import RenderContext, RenderOptions
    from mhhsarch.render.site import SiteRenderer
    from mhhsarch.render.templates import template_folders

    with tempfile.TemporaryDirectory() as tmp:
        diagrams = Path(tmp) / "diagrams-out"
        done = subprocess.run(
            [sys.executable, "-m", "mhhsarch", "-q", "render", str(args.model_dir), "--out", str(diagrams)]
            + ["--only", "sequence,communication"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        checked = check_model(args.model_dir)
        options = RenderOptions(
            only=frozenset({"site", "sequence", "communication"}),
            template_folders=template_folders(None, args.model_dir),
            source_date_epoch=1700000000,
        )
        for n in range(args.repeat):
            out = Path(tmp) / f"run{n}"
            shutil.copytree(diagrams / "diagrams", out / "diagrams")
            ctx = RenderContext(checked.model, checked.graph, out, options)
            started = time.perf_counter()
            jobs = SiteRenderer().plan(ctx)
            planned = time.perf_counter()
            for job in jobs:
                job.run()
            ended = time.perf_counter()
            pages = sum(len(job.artefacts) for job in jobs)
            print(
                f"site: {ended - started:.2f} s (plan {planned - started:.2f} s, pages {ended - planned:.2f} s), "
                f"{pages} files"
            )
        if args.profile:
            out = Path(tmp) / "profiled"
            shutil.copytree(diagrams / "diagrams", out / "diagrams")
            ctx = RenderContext(checked.model, checked.graph, out, options)
            profile = cProfile.Profile()
            profile.enable()
            for job in SiteRenderer().plan(ctx):
                job.run()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
