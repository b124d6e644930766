"""Which model folder a command means when none is named.

`mhhsarch validate` with no MODEL_DIR walks up from the current folder, the way git
finds its repository: the first folder that holds `mhhsarch.yaml` is the model (so it
works from any subfolder of the model), and a folder whose `model/` holds one is the
repository root of that model (so it works from the root of the repository too). The
walk stops at the top of the git work tree it started in, so a stray `mhhsarch.yaml`
above the repository is never picked up. With no `mhhsarch.yaml` found, `model/` in the
current folder is the model, as before `mhhsarch.yaml` existed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "mhhsarch.yaml"
DEFAULT_MODEL_DIR = Path("model")


@dataclass(frozen=True)
class FoundModel:
    path: Path  # relative to the current folder where it can be, as diagnostics show paths
    how: str  # why this folder, for -v


def find_model_dir(start: Path | None = None) -> FoundModel:
    """The model folder for a command run in `start` (the current folder) with no MODEL_DIR."""
    here = Path.cwd() if start is None else start
    here = here.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return FoundModel(_relative(folder), f"{CONFIG_FILE} found in {_shown(folder, here)}")
        if (folder / DEFAULT_MODEL_DIR / CONFIG_FILE).is_file():
            found = folder / DEFAULT_MODEL_DIR
            return FoundModel(_relative(found), f"{DEFAULT_MODEL_DIR}/{CONFIG_FILE} found in {_shown(folder, here)}")
        if (folder / ".git").exists():  # the top of the work tree: the model is not above it
            break
    return FoundModel(
        DEFAULT_MODEL_DIR, f"no {CONFIG_FILE} in this folder or above it; the default {DEFAULT_MODEL_DIR}/"
    )


def _relative(folder: Path) -> Path:
    try:
        return Path(os.path.relpath(folder))
    except ValueError:  # another drive (Windows)
        return folder


def _shown(folder: Path, here: Path) -> str:
    return "the current folder" if folder == here else str(_relative(folder))
