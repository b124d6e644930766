"""Facts about the machine the tool runs on."""

from __future__ import annotations

import os


def cpu_count() -> int:
    """The cores this process may use (its CPU affinity where the OS tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
