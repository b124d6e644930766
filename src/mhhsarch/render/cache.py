"""The render cache: a job whose inputs have not changed reuses the files it wrote last time.

A job's key is a sha256 of everything its files are a function of:

    the tool     mhhsarch's own code (every file of the package, by content) and the
                 external programs it runs (dot, PlantUML and Java, by path, size and time)
    the run      SOURCE_DATE_EPOCH, --tranche, --select, --pdf, --baseline (not --only:
                 what a job writes does not depend on which other renderers run)
    the job      its renderer and name, the paths, kinds and sources of its artefacts
    its inputs   `Job.inputs`: the view (or diagram source text) the job writes, pickled
                 (a tuple part by part, each view once a render: `InputsDigests`);
                 a view holds every entity field it shows, so the key changes exactly
                 when what the artefact shows changes (the version history from git
                 and the dates are in the views too)
    templates    the content of each template it names (`Job.templates`), as resolved
                 for this run (--template, the repository's templates/, the bundled ones)
    its reads    the content of the earlier phases' files it embeds (a document's
                 diagrams): every earlier artefact whose path, without its extension,
                 the inputs name

A job without `inputs` (None) is never cached: a renderer that does not say what its
files come from is always run.

Where: beside the output folder, `.{out}.mhhsarch-cache/` (so `out/` stays a clean
render output that the output-folder checks accept):

    index.json          key -> [[path, sha256, size], ...] of each cached job
    objects/ab/abcd...  the files, by the sha256 of their content

A cached file is trusted only when its sha256 is the one the index records: a
truncated or edited object, an index that does not parse, or one written by another
version of the tool is ignored, and the job is rendered again. Files are hard-linked
between the cache and the output (copied where links are not possible), so a reused
file costs no copy; an output file edited in place is caught by the same sha256 check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mhhsarch import __version__

CACHE_MARK = "mhhsarch-cache"
INDEX = "index.json"
FORMAT = 1
# A cached job or whole render not used for this many renders is dropped (its files with
# it): a render with --only or --tranche keeps what the full render cached, for a while.
KEEP_RENDERS = 4
KEEP_RUNS = 3
PACKAGE = Path(__file__).resolve().parents[1]
_SHA = re.compile(r"[0-9a-f]{64}\Z")


def cache_folder(target: Path) -> Path:
    """The cache of the output folder `target` (its real path): beside it."""
    return target.parent / f".{target.name}.{CACHE_MARK}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


_TOOL_DIGEST: str | None = None


def tool_digest() -> str:
    """mhhsarch's version and code (every file of the package by path, size and time of
    change: an edit changes the time), and the external programs its renderers run."""
    global _TOOL_DIGEST
    if _TOOL_DIGEST is None:
        digest = hashlib.sha256(f"mhhsarch {__version__} cache {FORMAT}\n".encode())
        for folder, subfolders, names in os.walk(PACKAGE):
            subfolders[:] = sorted(s for s in subfolders if s != "__pycache__")
            for name in sorted(names):
                if name.endswith(".pyc"):
                    continue
                info = os.stat(os.path.join(folder, name))
                rel = os.path.relpath(os.path.join(folder, name), PACKAGE)
                digest.update(f"{rel} {info.st_size} {info.st_mtime_ns}\n".encode())
        for program in ("dot", "plantuml", "java"):
            found = shutil.which(program)
            if found:
                real = Path(found).resolve()
                info = real.stat()
                digest.update(f"{program} {real} {info.st_size} {info.st_mtime_ns}\n".encode())
        jar = Path("/usr/share/plantuml/plantuml.jar")
        if jar.is_file():
            info = jar.stat()
            digest.update(f"plantuml.jar {info.st_size} {info.st_mtime_ns}\n".encode())
        _TOOL_DIGEST = digest.hexdigest()
    return _TOOL_DIGEST


_UNPICKLABLE = (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError)


class InputsDigests:
    """The digests of jobs' `inputs` for the keys of one render, and the paths of earlier
    artefacts each names (`paths` finds them in the pickled inputs).

    Inputs that are a tuple are digested part by part, and a part that is a view (a
    frozen dataclass: plain data that does not change during the render) only once,
    however many jobs show it: the same interface specification view is in the inputs of
    its Word document, its Markdown, its JSON view and its site page, and pickling it
    again for each was most of the render's serial key time. The objects digested are
    kept, so that no id is reused by another object while the render runs."""

    def __init__(self) -> None:
        # id(view) -> (view, its digest, the paths found by each pattern)
        self._views: dict[int, tuple[object, bytes, dict[re.Pattern[bytes] | None, frozenset[bytes]]]] = {}

    def of(self, inputs: object, paths: re.Pattern[bytes] | None) -> tuple[bytes, frozenset[bytes]] | None:
        """The digest of `inputs` and the matches of `paths` in them; None when they cannot
        be pickled (the job is then not cached)."""
        if type(inputs) is not tuple:
            return self._part(inputs, paths)
        digest = hashlib.sha256(b"parts %d\n" % len(inputs))
        found: set[bytes] = set()
        for part in inputs:
            done = self._part(part, paths)
            if done is None:
                return None
            digest.update(done[0])
            found.update(done[1])
        return digest.digest(), frozenset(found)

    def _part(self, part: object, paths: re.Pattern[bytes] | None) -> tuple[bytes, frozenset[bytes]] | None:
        known = self._views.get(id(part))
        if known is not None and paths in known[2]:
            return known[1], known[2][paths]
        try:
            data = pickle.dumps(part, protocol=5)
        except _UNPICKLABLE:
            return None
        if known is None:
            known = (part, hashlib.sha256(data).digest(), {})
            if _is_view(part):
                self._views[id(part)] = known
        found = known[2][paths] = frozenset(paths.findall(data)) if paths is not None else frozenset()
        return known[1], found


def _is_view(value: object) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and params.frozen


@dataclass
class Cache:
    """The cache of one output folder, for one render. `enabled` False (--no-cache): nothing
    is reused, but what the render writes is stored for the next one."""

    folder: Path
    enabled: bool = True
    entries: dict[str, list[list]] = field(default_factory=dict)
    used: dict[str, list[list]] = field(default_factory=dict)  # what this render wrote or reused
    verified: dict[str, bool] = field(default_factory=dict)  # object sha256 -> its content matched
    # run key -> {"manifest": ..., "warnings": [...]}: the last whole render, for a no-op re-render
    runs: dict[str, dict] = field(default_factory=dict)
    new_runs: dict[str, dict] = field(default_factory=dict)
    ages: dict[str, int] = field(default_factory=dict)  # key -> renders since it was last used

    @classmethod
    def open(cls, target: Path, enabled: bool = True) -> Cache:
        """The cache beside `target`. Read also when not `enabled` (nothing is reused then),
        so that what it holds is kept for the renders after."""
        cache = cls(cache_folder(target), enabled)
        cache.entries = cache._read_index()
        return cache

    def _read_index(self) -> dict[str, list[list]]:
        """The index's entries; nothing when it is missing, does not parse, or is another
        version's (never trusted: each entry is still checked file by file on use)."""
        try:
            data = json.loads((self.folder / INDEX).read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("tool") != tool_digest():
            return {}
        runs = data.get("runs")
        if isinstance(runs, dict):
            self.runs = {
                k: v
                for k, v in runs.items()
                if isinstance(v, dict) and isinstance(v.get("manifest"), dict) and isinstance(v.get("warnings"), list)
            }
        ages = data.get("ages")
        if isinstance(ages, dict):
            self.ages = {k: v for k, v in ages.items() if isinstance(k, str) and isinstance(v, int)}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        good = {}
        for key, files in entries.items():
            if not isinstance(key, str) or not isinstance(files, list):
                continue
            if all(
                isinstance(f, list)
                and len(f) == 3
                and isinstance(f[0], str)
                and isinstance(f[1], str)
                and _SHA.match(f[1])
                and isinstance(f[2], int)
                for f in files
            ):
                good[key] = files
        return good

    def object_path(self, sha: str) -> Path:
        return self.folder / "objects" / sha[:2] / sha

    def object_ok(self, sha: str, size: int) -> bool:
        if sha not in self.verified:
            path = self.object_path(sha)
            try:
                ok = path.stat().st_size == size and sha256_file(path) == sha
            except OSError:
                ok = False
            self.verified[sha] = ok
        return self.verified[sha]

    def restore(self, key: str, paths: list[str], tree: Path) -> dict[str, str] | None:
        """Put the cached files of `key` into `tree`; their sha256 by path, or None when the
        cache does not hold all of exactly `paths` intact (nothing is then left in `tree`)."""
        if not self.enabled:
            return None
        files = self.entries.get(key)
        if files is None or sorted(f[0] for f in files) != sorted(paths):
            return None
        if not all(self.object_ok(sha, size) for _, sha, size in files):
            return None
        placed = []
        try:
            for rel, sha, _ in files:
                target = tree / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(self.object_path(sha), target)
                placed.append(target)
        except OSError:
            for target in placed:
                with contextlib.suppress(OSError):
                    target.unlink()
            return None
        self.used[key] = files
        return {rel: sha for rel, sha, _ in files}

    def store(self, key: str | None, files: list[tuple[str, str, int]], tree: Path) -> None:
        """Keep the files a job wrote (path, sha256, size) under `key`. A file that cannot
        be stored leaves the job out of the cache (the render itself goes on). Without a
        key (a job that declares no inputs) the files are kept only for a no-op re-render
        of the whole render (`runs`), never reused by a job."""
        try:
            for rel, sha, _ in files:
                obj = self.object_path(sha)
                if self.verified.get(sha) and obj.exists():
                    continue
                obj.parent.mkdir(parents=True, exist_ok=True)
                temporary = obj.with_name(f".{sha}.{os.getpid()}.tmp")
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
                _link_or_copy(tree / rel, temporary)
                os.replace(temporary, obj)
                self.verified[sha] = True
        except OSError:
            return
        if key is not None:
            self.used[key] = [list(f) for f in files]

    def save(self) -> None:
        """Write the index: what this render used, and what earlier renders used that is
        still young (KEEP_RENDERS, KEEP_RUNS); delete the objects nobody lists. A cache that
        cannot be written is left as it was."""
        entries, ages = dict(self.used), dict.fromkeys(self.used, 0)
        for key, files in self.entries.items():
            age = self.ages.get(key, 0) + 1
            if key not in entries and age < KEEP_RENDERS:
                entries[key], ages[key] = files, age
        runs = dict(self.new_runs)
        for key, record in self.runs.items():
            if key not in runs and len(runs) < KEEP_RUNS:
                runs[key] = record
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = {
                "format": FORMAT,
                "tool": tool_digest(),
                "entries": dict(sorted(entries.items())),
                "ages": dict(sorted(ages.items())),
                "runs": runs,
            }
            with tempfile.NamedTemporaryFile(
                "w", dir=self.folder, prefix=".index-", suffix=".tmp", delete=False, encoding="utf-8"
            ) as handle:
                handle.write(json.dumps(data, separators=(",", ":")))  # dumps: the C encoder
            os.replace(handle.name, self.folder / INDEX)
        except OSError:
            return
        keep = {sha for files in entries.values() for _, sha, _ in files}
        for record in runs.values():
            keep.update(e.get("sha256") for e in record["manifest"].get("artefacts", ()) if isinstance(e, dict))
        objects = self.folder / "objects"
        with contextlib.suppress(OSError):
            for sub in objects.iterdir():
                for obj in sub.iterdir():
                    if obj.name not in keep:
                        with contextlib.suppress(OSError):
                            obj.unlink()

    def restore_files(self, files: list[tuple[str, str, int]], tree: Path) -> bool:
        """Put these cached files (path, sha256, size) into `tree`; False when one is missing
        or not what the index says (the caller then renders instead)."""
        if not self.enabled or not all(self.object_ok(sha, size) for _, sha, size in files):
            return False
        made: set[str] = set()
        try:
            for rel, sha, _ in files:
                folder = os.path.dirname(rel)
                if folder not in made:
                    (tree / folder).mkdir(parents=True, exist_ok=True)
                    made.add(folder)
                _link_or_copy(self.object_path(sha), tree / rel)
        except OSError:
            return False
        return True


def run_key(facts: dict, folders: list[tuple[str, Path]]) -> str:
    """The key of a whole render: `facts` (the request, SOURCE_DATE_EPOCH, the git commit)
    and the content of every file below `folders` (the model, the templates)."""
    digest = hashlib.sha256(json.dumps({"tool": tool_digest(), **facts}, sort_keys=True, default=str).encode())
    for label, folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if ".git" in path.relative_to(folder).parts or not path.is_file():
                continue
            digest.update(f"{label}/{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
