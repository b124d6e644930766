"""Benchmark the document renderers: Word, Excel and the LibreOffice PDF batch.

For each model (the shipped `model/` by default, or synthetic ones with --scales):
  render      `mhhsarch render DIR --jobs N` as a subprocess, without --pdf: start-up,
              validation, diagrams (phase 0) and documents (phase 1); best of --repeat;
  by renderer each renderer's jobs run in-process through the same fork pool, after the
              ones before it (so documents find their diagrams): where the time goes;
  pdf         the rendered DOCX through LibreOffice: one batch of 1 document (start-up),
              one batch of all (per document after start-up = the difference / (n - 1)),
              and the renderer's own split (two batches side by side, separate profiles).

Targets (2 cores): render of the shipped model <= 10 s; PDF <= 0.3 s per document after
LibreOffice's start. Exit status: 0 ok, 1 a render failed (or a target was missed with
--check), 2 usage problems.

Run:  .venv/bin/python benchmarks/bench_documents.py [--model model] [--scales 1,5] [--jobs 2] [--no-pdf]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, installed_mhhsarch, int_list  # noqa: E402
from synth import MAX_SCALE, generate  # noqa: E402

RENDER_TARGET, PDF_TARGET = 10.0, 0.3  # seconds; seconds per document
EPOCH = "1700000000"


def time_render(mhhsarch: Path, model: Path, out: Path, jobs: int, repeat: int) -> float:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}

    def run() -> None:
        done = subprocess.run(
            [str(mhhsarch), "render", str(model), "--out", str(out), "--jobs", str(jobs)],
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode != 0:
            raise SystemExit(f"render of {model} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")

    return best_of(repeat, run)


def time_by_renderer(model_dir: Path, jobs: int) -> list[tuple[str, int, float]]:
    from mhhsarch.pipeline import check_model
    from mhhsarch.render.base import RenderContext, RenderOptions
    from mhhsarch.render.publish import run_jobs
    from mhhsarch.render.registry import all_renderers

    checked = check_model(model_dir)
    rows = []
    with tempfile.TemporaryDirectory(prefix="mhhsarch-bench-out-") as out:
        ctx = RenderContext(
            checked.model, checked.graph, Path(out), RenderOptions(jobs=jobs, source_date_epoch=int(EPOCH))
        )
        for renderer in sorted(all_renderers(), key=lambda r: r.phase):
            if renderer.name == "pdf":
                continue
            start = time.perf_counter()
            jobs_list = renderer.plan(ctx)
            run_jobs(jobs_list, jobs, lambda job: None)
            rows.append((renderer.name, len(jobs_list), time.perf_counter() - start))
    return rows


def time_pdf(rendered: Path, work: Path) -> dict:
    from mhhsarch.render.documents import pdf

    docs = sorted(p.relative_to(rendered).as_posix() for f in pdf.FOLDERS for p in (rendered / f).glob("*.docx"))
    inputs = work / "in"
    inputs.mkdir(parents=True)
    for rel in docs:
        pdf.pdf_copy_of(rendered / rel, inputs / Path(rel).name)
    paths = sorted(inputs.iterdir())

    def batch(name: str, files: list[Path]) -> float:
        start = time.perf_counter()
        pdf.convert_batch(files, work / name / "out", work / name)
        return time.perf_counter() - start

    one = batch("one", paths[:1])
    everything = batch("all", paths)
    sizes = {p.name: p.stat().st_size for p in paths}
    halves = pdf.batches([p.name for p in paths], sizes, 2)
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda n: batch(f"half{n}", [inputs / name for name in halves[n]]), range(len(halves))))
    split = time.perf_counter() - start
    n = len(paths)
    return {
        "n": n,
        "one": one,
        "all": everything,
        "per_doc": (everything - one) / max(n - 1, 1),
        "split": split,
        "split_per_doc": (split - one) / n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("model"), help="the model folder (default model/)")
    parser.add_argument("--scales", default="", help=f"synthetic models instead, e.g. 1,5 (1..{MAX_SCALE})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="parallel jobs (default 2, the target's cores)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of the full render (best kept)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice timings")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    scales = int_list(parser, "--scales", args.scales, "1,5")
    mhhsarch = installed_mhhsarch()
    if mhhsarch is None:
        return 2
    if not scales and not args.model.is_dir():
        parser.error(f"model folder {args.model} does not exist")
    do_pdf = not args.no_pdf and shutil.which("soffice") is not None
    if not args.no_pdf and not do_pdf:
        print("note: soffice not found, PDF timings skipped (apt-get install libreoffice-writer-nogui)")

    missed = False
    with tempfile.TemporaryDirectory(prefix="mhhsarch-bench-") as tmp:
        tmp = Path(tmp)
        models = [(f"synthetic scale {s}", tmp / f"scale-{s}") for s in scales] or [(str(args.model), args.model)]
        for s, (_, path) in zip(scales, models):
            generate(path, s, args.seed)
        for label, model in models:
            out = tmp / "out"
            total = time_render(mhhsarch, model, out, args.jobs, args.repeat)
            docs = len(list(out.glob("specs/*.docx"))) + len(list(out.glob("processes/*.docx")))
            print(f"\n{label}: {docs} Word documents + catalogue, --jobs {args.jobs}")
            print(f"  render (no PDF, diagrams included)  {total:6.2f}s   target <= {RENDER_TARGET:.0f}s")
            for name, count, seconds in time_by_renderer(model, args.jobs):
                print(f"    {name:<15} {count:>4} jobs  {seconds:6.2f}s")
            missed |= total > RENDER_TARGET
            if do_pdf and docs:
                r = time_pdf(out, tmp / "pdf")
                print(f"  pdf: one batch of 1 document       {r['one']:6.2f}s  (LibreOffice start-up + 1)")
                print(
                    f"       one batch of {r['n']:<4} documents  {r['all']:6.2f}s  "
                    f"-> {r['per_doc']:.3f}s per document after start-up"
                )
                print(
                    f"       two batches side by side       {r['split']:6.2f}s  "
                    f"-> {r['split_per_doc']:.3f}s per document after start-up   target <= {PDF_TARGET}s"
                )
                missed |= r["split_per_doc"] > PDF_TARGET
                shutil.rmtree(tmp / "pdf")
            shutil.rmtree(out)
    print(f"\ntimes are wall clock; render best of {args.repeat}; {os.cpu_count()} cores here")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
