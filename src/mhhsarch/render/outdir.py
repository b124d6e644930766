"""Which folder `render --out` may replace, and the run folder a render works in.

Render replaces its output folder as a whole, so before anything else it makes sure
the folder is its own: missing, empty, or holding a manifest.json that mhhsarch
wrote and nothing that manifest does not list. And it never replaces the user's
work, whatever that folder holds: an --out that is, contains or lies inside the
model folder or a templates folder, or that is or contains the repository root, the
current directory or the home folder, is refused. Paths are compared after resolving
symlinks and `..`, so no spelling of a folder sneaks past.

A symlinked --out is followed: the folder it points to is checked and replaced, and
the link stays as it was.

A render works in one run folder beside the output folder, `.{out}.rendering-XXXXXXXX/`:

    lock       flock-ed for the whole render: the folder belongs to a live render
    tree/      the new output, renamed into place when everything succeeded
    work/      temporary files of the render and of the tools it runs (TMPDIR)
    previous/  the old output, for the instant between the two renames of the swap

A render killed with SIGKILL cannot clean up after itself; the next render into the
same output sweeps every run folder whose lock no process holds.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
RUN_MARK = "rendering"  # .{out}.rendering-XXXXXXXX
LEGACY_PREVIOUS_MARK = "previous"  # .{out}.previous-XXXXXXXX, left by versions before the run folder
LOCK = "lock"
# A run folder without a lock file was made by an older version, or its render died in
# the microseconds between making the folder and its lock: swept once surely abandoned.
UNLOCKED_RUN_AGE = 3600  # seconds
MANIFEST_LIMIT = 64 << 20  # bytes; a larger manifest.json is not one mhhsarch wrote
BUNDLED_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class OutputFolderError(Exception):
    """The output folder may not be replaced; the message says why, in one line."""


def real_output_folder(out: Path) -> Path:
    """`out` with symlinks and `..` resolved: the folder a render would replace. A link to
    nowhere is refused rather than followed into a folder the user may not expect."""
    real = Path(os.path.realpath(out))
    if os.path.islink(out) and not real.exists():
        raise OutputFolderError(
            f"--out '{out}' is a symlink to '{real}', which does not exist; create it or drop the link"
        )
    return real


def check_output_folder(out: Path, model_dir: Path, template_dir: Path | None = None) -> Path:
    """Every check on `--out` before a render starts; returns the real folder to replace
    or raises OutputFolderError. Cheap: no rendering, no model loading."""
    target = real_output_folder(out)
    clashes = []
    for what, folder, inside_too in _protected_folders(model_dir, template_dir):
        relation = _relation(target, folder, inside_too)
        if relation is not None:
            clashes.append((RELATIONS.index(relation), relation, what, folder))
    if clashes:
        # the most telling one: `--out .` "is the current directory", which also contains the model
        _, relation, what, folder = min(clashes)
        raise OutputFolderError(
            f"refusing --out '{out}': it {relation} the {what} ({folder}), and render replaces its output folder as a whole"
        )
    check_replaceable(target, out)
    return target


RELATIONS = ("is", "contains", "lies inside")


def _relation(target: Path, folder: Path, inside_too: bool) -> str | None:
    if target == folder:
        return "is"
    if folder.is_relative_to(target):
        return "contains"
    if inside_too and target.is_relative_to(folder):
        return "lies inside"
    return None


def _protected_folders(model_dir: Path, template_dir: Path | None) -> list[tuple[str, Path, bool]]:
    """(name, real path, whether an output inside it is refused too). The output may lie
    inside the repository or the current directory (`out/` does), never inside the model
    or the templates."""
    model = Path(os.path.realpath(model_dir))
    folders: list[tuple[str, Path, bool]] = [("model folder", model, True)]
    templates = [BUNDLED_TEMPLATES, model.parent / "templates"]
    if template_dir is not None:
        templates.insert(0, Path(template_dir))
    repository = repository_root(model)
    if repository is not None:
        templates.append(repository / "templates")
        folders.append(("repository root", repository, False))
    for folder in templates:
        real = Path(os.path.realpath(folder))
        if real.is_dir():
            folders.append(("templates folder", real, True))
    for what, where in (("current directory", _cwd()), ("home folder", _home())):
        if where is not None:
            folders.append((what, Path(os.path.realpath(where)), False))
    return folders


def _cwd() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # the current directory was deleted
        return None


def _home() -> Path | None:
    try:
        return Path.home()
    except (KeyError, RuntimeError):  # no HOME and no passwd entry
        return None


def repository_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` holding `.git` (a folder, or the file of a
    worktree); found without running git, so it works where git is absent or refuses."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def check_replaceable(target: Path, shown: Path | str) -> None:
    """Raise OutputFolderError unless `target` is missing, empty, or a previous render's
    output: a manifest.json by mhhsarch, and no file that manifest does not list (a file
    the user added is not the render's to delete). Symlinks inside are never the render's."""
    try:
        mode = os.lstat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return  # nothing to replace (a parent that is a file fails later, when the folder is made)
    except OSError as error:
        raise OutputFolderError(f"cannot inspect --out '{shown}': {error.strerror}") from None
    if not stat.S_ISDIR(mode):
        raise OutputFolderError(
            f"--out '{shown}' exists and is not a folder; render replaces only its own output folder"
        )
    try:
        if not os.listdir(target):
            return
    except OSError as error:
        raise OutputFolderError(f"cannot read --out '{shown}': {error.strerror}") from None
    listed = _manifest_paths(target / MANIFEST)
    if listed is None:
        raise OutputFolderError(
            f"--out '{shown}' is not empty and has no manifest.json written by mhhsarch, so it is not a render's "
            "output; refusing to replace it (choose a new or empty folder)"
        )
    foreign = _first_unlisted(target, listed | {MANIFEST})
    if foreign is not None:
        raise OutputFolderError(
            f"--out '{shown}' holds '{foreign}', which its manifest.json does not list; refusing to replace a folder "
            "with files render did not write (move them elsewhere first)"
        )


def _manifest_paths(path: Path) -> set[str] | None:
    """The artefact paths a manifest.json lists, or None when it is not one mhhsarch wrote
    (a regular file only: a FIFO named manifest.json must not block the check)."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MANIFEST_LIMIT:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("tool"), dict) or data["tool"].get("name") != "mhhsarch":
        return None
    entries = data.get("artefacts")
    if not isinstance(entries, list):
        return None
    return {e["path"] for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str)}


def _first_unlisted(root: Path, listed: set[str]) -> str | None:
    def unreadable(error: OSError) -> None:
        raise OutputFolderError(f"cannot read '{error.filename}' in the output folder: {error.strerror}")

    for folder, subfolders, files in os.walk(root, onerror=unreadable):
        base = Path(folder).relative_to(root)
        for name in sorted(subfolders):
            if os.path.islink(os.path.join(folder, name)):
                return (base / name).as_posix()
        for name in sorted(files):
            rel = (base / name).as_posix()
            if rel not in listed or os.path.islink(os.path.join(folder, name)):
                return rel
    return None


# --------------------------------------------------------------------------- run folders


@dataclass
class RunFolder:
    """The folder one render works in (see the module docstring); holds its lock until removed."""

    path: Path
    lock_fd: int

    @property
    def tree(self) -> Path:
        return self.path / "tree"

    @property
    def work(self) -> Path:
        return self.path / "work"

    @property
    def previous(self) -> Path:
        return self.path / "previous"

    @classmethod
    def create(cls, target: Path) -> RunFolder:
        """Sweep what killed renders left beside `target`, then make this render's run folder."""
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_runs(target)
        path = Path(tempfile.mkdtemp(prefix=f".{target.name}.{RUN_MARK}-", dir=target.parent))
        try:
            fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        fcntl.flock(fd, fcntl.LOCK_EX)  # a new file: nobody else can hold it
        os.write(fd, f"{os.getpid()}\n".encode())  # for people looking; the lock is what counts
        run = cls(path, fd)
        try:
            run.tree.mkdir()
            run.work.mkdir()
        except BaseException:
            run.remove()
            raise
        return run

    def remove(self) -> None:
        """Delete the folder, then release the lock (in that order: a sweeper that gets the
        lock must find nothing of a live render)."""
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self.lock_fd)


def _run_folder_name(target: Path) -> re.Pattern[str]:
    # tempfile.mkdtemp names: the prefix and eight of [a-z0-9_]
    return re.compile(rf"\.{re.escape(target.name)}\.({RUN_MARK}|{LEGACY_PREVIOUS_MARK})-[a-z0-9_]{{8}}\Z")


def sweep_stale_runs(target: Path) -> list[Path]:
    """Remove the run folders of renders into `target` that were killed: only folders with
    this output's run-folder name, owned by this user, whose lock no live process holds.
    A killed swap's previous output is put back first when `target` is missing. Returns
    what was removed."""
    pattern = _run_folder_name(target)
    swept: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return swept
    for entry in sorted(entries, key=lambda e: e.name):
        if not pattern.match(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
        except OSError:
            continue
        folder = Path(entry.path)
        if _sweep_one(folder, target):
            swept.append(folder)
    return swept


def _sweep_one(folder: Path, target: Path) -> bool:
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        try:
            abandoned = time.time() - folder.stat().st_mtime > UNLOCKED_RUN_AGE
        except OSError:
            return False
        if abandoned:
            if folder.name.startswith(f".{target.name}.{LEGACY_PREVIOUS_MARK}-"):
                _restore_previous(folder, target)
            shutil.rmtree(folder, ignore_errors=True)
        return abandoned
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False  # a live render holds it
            raise
        _restore_previous(folder / "previous", target)
        shutil.rmtree(folder, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def _restore_previous(previous: Path, target: Path) -> None:
    """A render killed between the two renames of its swap left the old output in its run
    folder and none at `target`: put it back, so that the user's output is never lost."""
    if previous.is_dir() and not os.path.lexists(target):
        try:
            os.rename(previous, target)
        except OSError:
            pass
