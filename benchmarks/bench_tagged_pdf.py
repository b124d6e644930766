"""What a tagged PDF costs: the shipped model's documents through LibreOffice with
tagging on and off, the way `render --pdf` converts them (the documents split into two
batches that run side by side, each batch one LibreOffice with its own profile).

The documents are rendered once (`--only specs,process-docs`); then the two filters
alternate for --repeat rounds. Each round measures the wall time and the processor
time LibreOffice used (user + system of the child processes): on a shared machine the
wall time swings with the load of others, the processor time much less, so the cost
per document is the difference of the best processor times divided by the number of
documents (the wall times are printed beside it). Target: at most 0.3 s a document
(issue 11: keep tagging on unless it costs more).

Run:  .venv/bin/python benchmarks/bench_tagged_pdf.py [--model model] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TARGET = 0.3  # seconds a document


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def convert_all(docs: list[Path], work: Path, target: str) -> tuple[float, float]:
    """(wall seconds, processor seconds of LibreOffice) to convert `docs` as --pdf does."""
    from mhhsarch.render.documents import pdf

    sizes = {str(d): d.stat().st_size for d in docs}
    groups = pdf.batches(list(sizes), sizes, pdf.MAX_BATCHES)
    started, cpu = time.perf_counter(), children_cpu()

    def run(n: int, group: list[str]) -> None:
        folder = work / f"batch{n}"
        (folder / "in").mkdir(parents=True)
        inputs = []
        for doc in group:
            inputs.append(folder / "in" / Path(doc).name)
            pdf.pdf_copy_of(Path(doc), inputs[-1])
        pdf.convert_batch(inputs, folder / "out", folder, target)

    with ThreadPoolExecutor(len(groups)) as pool:
        list(pool.map(run, range(len(groups)), groups))
    return time.perf_counter() - started, children_cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="model")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from mhhsarch.render.documents import pdf

    with tempfile.TemporaryDirectory(prefix="bench-tagged-") as tmp:
        out = Path(tmp) / "out"
        done = subprocess.run(
            [sys.executable, "-m", "mhhsarch", "render", args.model, "--out", str(out), "--only", "specs,process-docs"],
            capture_output=True,
            text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
        )
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        docs = sorted(out.glob("specs/*.docx")) + sorted(out.glob("processes/*.docx"))
        wall = {"untagged": float("inf"), "tagged": float("inf")}
        cpu = dict(wall)
        for round_ in range(args.repeat):
            for name, target in (("untagged", pdf.UNTAGGED_FILTER), ("tagged", pdf.EXPORT_FILTER)):
                seconds, used = convert_all(docs, Path(tmp) / f"{name}{round_}", target)
                wall[name], cpu[name] = min(wall[name], seconds), min(cpu[name], used)
                print(
                    f"round {round_ + 1}: {name:9s} wall {seconds:6.2f} s, LibreOffice cpu {used:6.2f} s "
                    f"for {len(docs)} documents",
                    flush=True,
                )
        cost = (cpu["tagged"] - cpu["untagged"]) / len(docs)
        print(
            f"best cpu: untagged {cpu['untagged']:.2f} s, tagged {cpu['tagged']:.2f} s; best wall: untagged "
            f"{wall['untagged']:.2f} s, tagged {wall['tagged']:.2f} s; tagging costs {cost:+.3f} s of processor "
            f"time a document (target <= {TARGET} s)"
        )
        return 0 if cost <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
