"""Benchmark `mhhsarch validate` against the bare YAML parse of the same files.

For each scale: generate a synthetic model (benchmarks/synth.py), then time
  parse (in-process)  yaml.load(f, Loader=yaml.CSafeLoader) over every file, here;
  parse (subprocess)  the same loop in a fresh `python -c`, start-up included;
  validate            `mhhsarch validate DIR` as a subprocess, start-up included;
each the best of --repeat runs, and print validate / parse for both baselines.

Exit status: 0 ok; 1 if validate reported errors (exit >= 1) on a generated model,
which must be clean, or if --max-ratio is given and exceeded; 2 on usage problems.

Run:  .venv/bin/python benchmarks/bench_validate.py --scales 1,10 [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, installed_mhhsarch, int_list  # noqa: E402
from synth import MAX_SCALE, generate  # noqa: E402

TARGET_SCALE, TARGET_RATIO = 10, 1.5

PARSE_SCRIPT = (
    "import sys, pathlib, yaml\n"
    "root = pathlib.Path(sys.argv[1])\n"
    "for p in sorted([*root.rglob('*.yaml'), *root.rglob('*.yml')]):\n"
    "    with open(p, 'rb') as f:\n"
    "        yaml.load(f, Loader=yaml.CSafeLoader)\n"
)


def model_files(root: Path) -> list[Path]:
    return sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")])


def parse_in_process(files: list[Path]) -> None:
    for path in files:
        with open(path, "rb") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)


def bench_scale(scale: int, seed: int, model_dir: Path, repeat: int, mhhsarch: Path) -> dict:
    counts = generate(model_dir, scale, seed)
    files = model_files(model_dir)

    parse = best_of(repeat, lambda: parse_in_process(files))
    parse_sub = best_of(
        repeat, lambda: subprocess.run([sys.executable, "-c", PARSE_SCRIPT, str(model_dir)], check=True)
    )

    results = []

    def validate() -> None:
        results.append(subprocess.run([str(mhhsarch), "validate", str(model_dir)], capture_output=True, text=True))

    validate_time = best_of(repeat, validate)
    return {
        "scale": scale,
        "files": len(files),
        "entities": sum(counts.values()),
        "parse": parse,
        "parse_sub": parse_sub,
        "validate": validate_time,
        "result": results[-1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help=f"comma-separated model scales, 1..{MAX_SCALE} (default 1,10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the models to DIR/scale-N and keep them")
    parser.add_argument(
        "--max-ratio", type=float, metavar="R", help=f"fail if validate / in-process parse > R at scale {TARGET_SCALE}"
    )
    args = parser.parse_args(argv)
    scales = int_list(parser, "--scales", args.scales, "1,10")
    if not scales or not all(1 <= s <= MAX_SCALE for s in scales):
        parser.error(f"each scale must be 1..{MAX_SCALE}")

    mhhsarch = installed_mhhsarch()
    if mhhsarch is None:
        return 2

    base_dir = args.keep
    if base_dir:
        for scale in scales:
            model_dir = base_dir / f"scale-{scale}"
            if model_dir.exists() and any(model_dir.iterdir()):
                parser.error(f"{model_dir} is not empty")

    header = (
        f"{'scale':>5} {'files':>6} {'entities':>8} {'parse':>8} {'parse(sp)':>9} "
        f"{'validate':>9} {'v/parse':>8} {'v/parse(sp)':>11}"
    )
    print(header)
    print("-" * len(header))
    failed = False
    with tempfile.TemporaryDirectory(prefix="mhhsarch-bench-") as tmp:
        for scale in scales:
            model_dir = (base_dir or Path(tmp)) / f"scale-{scale}"
            row = bench_scale(scale, args.seed, model_dir, args.repeat, mhhsarch)
            ratio = row["validate"] / row["parse"]
            ratio_sub = row["validate"] / row["parse_sub"]
            print(
                f"{scale:>5} {row['files']:>6} {row['entities']:>8} "
                f"{row['parse']:>7.3f}s {row['parse_sub']:>8.3f}s {row['validate']:>8.3f}s "
                f"{ratio:>7.2f}x {ratio_sub:>10.2f}x",
                flush=True,
            )
            result = row["result"]
            if result.returncode != 0:
                failed = True
                print(
                    f"  validate exited {result.returncode} on a generated model "
                    f"(it must be clean); first lines of its output:",
                    file=sys.stderr,
                )
                output = (result.stdout + result.stderr).splitlines()
                print("\n".join("    " + line for line in output[:20]), file=sys.stderr)
            if args.max_ratio and scale == TARGET_SCALE and ratio > args.max_ratio:
                failed = True
                print(f"  ratio {ratio:.2f}x exceeds --max-ratio {args.max_ratio}", file=sys.stderr)
    print(
        f"target: scale {TARGET_SCALE}, validate <= {TARGET_RATIO} x parse "
        f"(times are wall clock, best of {args.repeat})"
    )
    if args.keep:
        print(f"models kept in {args.keep}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
