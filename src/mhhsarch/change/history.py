"""Version histories from git: for each entity, the versions its file went through, with
the dates and subjects of the commits that touched it.

Two git processes for the whole model, however many entities: one `git log
--name-only` over the model folder, and one `git cat-file --batch` that reads the
entity's file at each of those commits (for the version it held). Outside git, or for
an entity no commit touched yet, there is no history (documents then say so).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mhhsarch.model.model import Model
from mhhsarch.render.templates import repository_root

_VERSION = re.compile(rb'^\s*version:\s*["\']?([^"\'\s#]+)', re.M)
MAX_ROWS = 12  # a document shows the latest versions; the rest is in git


@dataclass(frozen=True)
class Commit:
    version: str  # the entity's version in this commit
    date: int
    subject: str


@dataclass(frozen=True)
class Revision:
    version: str
    date: int  # the latest commit of this version (epoch seconds)
    subjects: tuple[str, ...]  # the commit subjects, newest first


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def revisions(commits: tuple[Commit, ...], until: int | None = None) -> tuple[Revision, ...]:
    """The commits (newest first) grouped into versions, only those up to `until` if given."""
    grouped: list[Revision] = []
    for commit in commits:
        if until is not None and commit.date > until:
            continue
        if grouped and grouped[-1].version == commit.version:
            last = grouped[-1]
            grouped[-1] = Revision(last.version, last.date, (*last.subjects, commit.subject))
        else:
            grouped.append(Revision(commit.version, commit.date, (commit.subject,)))
    return tuple(grouped[:MAX_ROWS])


def histories(
    model: Model, model_dir: Path, kinds: tuple[str, ...] = ("interface", "process")
) -> dict[str, tuple[Commit, ...]]:
    """Entity id -> the commits that touched its file, newest first (entities of `kinds`
    with a file of their own)."""
    root = repository_root(model_dir)
    if root is None:
        return {}
    files: dict[str, str] = {}  # repository-relative path -> entity id
    for kind in kinds:
        for entity in model.of_kind(kind).values():
            disk = getattr(entity.origin.file, "disk_path", None) if entity.origin else None
            if disk:
                rel = os.path.relpath(os.path.realpath(disk), os.path.realpath(root)).replace(os.sep, "/")
                files[rel] = str(entity.id)
    if not files:
        return {}
    inside = os.path.relpath(os.path.realpath(model_dir), os.path.realpath(root)).replace(os.sep, "/")
    log = _git(root, "log", "--format=%x00%H%x09%ct%x09%s", "--name-only", "--no-renames", "--", inside)
    if not log:
        return {}
    touched: dict[str, list[tuple[str, int, str]]] = {}
    for entry in log.decode("utf-8", errors="replace").split("\x00")[1:]:
        head, _, names = entry.partition("\n")
        commit, stamp, subject = (head.split("\t", 2) + ["", ""])[:3]
        for name in names.split():
            if name in files:
                touched.setdefault(name, []).append((commit, int(stamp), subject))
    requests = [f"{commit}:{path}" for path, commits in touched.items() for commit, _, _ in commits[: MAX_ROWS * 4]]
    blobs = _read_blobs(root, requests)
    result = {}
    for path, commits in touched.items():
        found = []
        for commit, when, subject in commits:
            match = _VERSION.search(blobs.get(f"{commit}:{path}", b""))
            found.append(Commit(match.group(1).decode(errors="replace") if match else "unversioned", when, subject))
        result[files[path]] = tuple(found)
    return result


def _read_blobs(root: Path, requests: list[str]) -> dict[str, bytes]:
    """The contents of `commit:path` objects, read by one `git cat-file --batch`."""
    if not requests:
        return {}
    out = _git(root, "cat-file", "--batch", data=("\n".join(requests) + "\n").encode())
    if out is None:
        return {}
    blobs, position = {}, 0
    for request in requests:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) == 2 and header[1] == b"missing":
            continue
        size = int(header[2])
        blobs[request] = out[position : position + size]
        position += size + 1
    return blobs
