"""Revisions of a model: a folder, or a git revision of the repository holding the model.

A git revision is read from git's objects (`git archive` of the model folder's path
at that revision, unpacked into a temporary folder): the working tree, the index and
the checked-out branch are never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

from mhhsarch.render.templates import repository_root


class RevisionError(Exception):
    """A revision that cannot be read (a one-line message: exit 2)."""


@contextmanager
def model_at(revision: str | None, model_dir: Path):
    """The model folder as it is at `revision`: the folder itself for None (the working
    tree), an existing folder named by `revision`, or a git revision's copy (removed
    afterwards)."""
    if revision is None:
        yield Path(model_dir)
        return
    as_folder = Path(revision)
    if as_folder.is_dir():
        yield as_folder
        return
    root = repository_root(model_dir)
    if root is None:
        raise RevisionError(f"'{revision}' is not a folder, and {model_dir} is not in a git repository")
    inside = Path(model_dir).resolve().relative_to(root.resolve()).as_posix()
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if commit is None:
        raise RevisionError(f"'{revision}' is neither a folder nor a git revision of {root}")
    listing = _git(root, "ls-tree", "-d", "--name-only", commit.strip(), "--", inside if inside != "." else ".")
    if inside != "." and not (listing or "").strip():
        raise RevisionError(f"{inside}/ does not exist at {revision}")
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", "--format=tar", commit.strip(), "--", inside],
        capture_output=True,
        timeout=120,
    )
    if archive.returncode != 0:
        raise RevisionError(f"git archive {revision}: {archive.stderr.decode(errors='replace').strip()[:200]}")
    with tempfile.TemporaryDirectory(prefix="mhhsarch-rev-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")  # no links out, no devices: git's own files only
        yield Path(tmp) / inside


def commit_time(revision: str, model_dir: Path) -> int | None:
    """The commit time of a git revision (None for a folder or outside git)."""
    root = repository_root(model_dir)
    if root is None or Path(revision).is_dir():
        return None
    out = _git(root, "log", "-1", "--format=%ct", revision)
    return int(out) if out and out.strip().isdigit() else None


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
