"""What the benchmark scripts share: timing, the command under test, option parsing."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def best_of(repeat: int, run) -> float:
    """Smallest wall-clock time of `repeat` calls of run()."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def installed_mhhsarch() -> Path | None:
    """The `mhhsarch` console script beside this Python (the venv's), or None with a
    message on stderr when the package is not installed there."""
    mhhsarch = Path(sys.executable).parent / "mhhsarch"
    if mhhsarch.exists():
        return mhhsarch
    print(f"error: {mhhsarch} not found; install the package into this venv (pip install -e .)", file=sys.stderr)
    return None


def int_list(parser: argparse.ArgumentParser, option: str, value: str, example: str) -> list[int]:
    """A comma-separated list of integers, or a usage error naming the option."""
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        parser.error(f"{option} takes integers, e.g. {example}")
