"""Load a model folder: find files, parse them, split them into entities by kind,
check each entity against its schema and build the frozen model.

Everything wrong is collected as (code, Finding) pairs; nothing here raises for
bad input. Entities that fail their schema are left out of the model (the
semantic rules only see well-formed entities), but their ids still count as
declared so that references to them are not also reported as dangling.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from mhhsarch.checks import schema
from mhhsarch.diagnostics.core import Finding, SourceSpan
from mhhsarch.machine import cpu_count
from mhhsarch.model.entities import Entity, Origin
from mhhsarch.model.kinds import KINDS, TOP_LEVEL_KEYS
from mhhsarch.model.model import DEFAULT_CONSTITUENCIES, Config, Model
from mhhsarch.project import CONFIG_FILE
from mhhsarch.source.yamlfile import YamlFile, read_yaml

MODEL_SUFFIXES = (".yaml", ".yml")
# Loader codes that leave nothing out of the model: the value was read (Y113 only warns
# that other YAML readers read it differently).
READ_IN_FULL = frozenset({"Y113"})


@dataclass
class LoadResult:
    model: Model
    problems: list[tuple[str, Finding]] = field(default_factory=list)
    files: list[YamlFile] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every file and every entity loaded (no syntax or schema problem)."""
        return not any(code.startswith(("Y", "S", "R")) and code not in READ_IN_FULL for code, _ in self.problems)

    def file(self, path: str) -> YamlFile | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


def shown_path(path: Path) -> str:
    """The path as diagnostics show it: relative to the working directory, POSIX."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(path).as_posix()


def is_model_file_name(name: str) -> bool:
    return name.endswith(MODEL_SUFFIXES) and not name.startswith(".")


@dataclass
class ModelFolder:
    """What walking a model folder found: the files to read and the entries refused."""

    files: list[tuple[str, str]]  # (path to open, path as diagnostics show it), sorted by the shown path
    problems: list[tuple[str, Finding]]


def walk_model_folder(model_dir: Path) -> ModelFolder:
    """Every model file below the folder: *.yaml and *.yml, hidden files and folders
    and the root's mhhsarch.yaml left out. Nothing here reads a file; every entry
    that cannot be read is reported, never skipped silently:

    * a folder that cannot be listed (Y105);
    * a symlink, to a file or a folder, that resolves outside the model folder
      (Y110): it is never opened. A symlink that stays inside is followed, and each
      real file is read once however many links lead to it (so a link cannot make a
      duplicate id); links to folders already walked, and link loops, end there;
    * a broken symlink (Y105), and a FIFO, socket or device (Y111): never opened,
      since opening a FIFO waits forever for a writer.

    The paths returned to open are real paths (no symlink in them)."""
    root = os.path.realpath(model_dir)
    shown_root = shown_path(model_dir)
    files: dict[str, str] = {}  # real path -> shown path
    problems: list[tuple[str, Finding]] = []
    visited = {root}
    links: list[tuple[str, str]] = []  # (path, relative path): followed after the real tree, so real paths win
    folders: list[tuple[str, str]] = []

    def shown(rel: str) -> str:
        return rel if shown_root == "." else f"{shown_root}/{rel}"

    def refuse(code: str, rel: str, message: str) -> None:
        problems.append((code, Finding(message, SourceSpan(shown(rel) if rel else shown_root + "/"))))

    def walk(folder: str, rel_folder: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            refuse(
                "Y105",
                rel_folder,
                f"cannot read folder: {error.strerror or error}; the model files in it are not checked",
            )
            return
        for entry in entries:
            name, rel = entry.name, rel_folder + entry.name
            if name.startswith(".") or (not rel_folder and name == CONFIG_FILE):
                continue
            try:  # the entry's type comes with the listing (no system call per file on most file systems)
                if entry.is_symlink():
                    links.append((entry.path, rel))
                elif entry.is_dir(follow_symlinks=False):
                    if entry.path not in visited:
                        visited.add(entry.path)
                        folders.append((entry.path, rel + "/"))
                elif not is_model_file_name(name):
                    continue
                elif entry.is_file(follow_symlinks=False):
                    files.setdefault(entry.path, shown(rel))
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
                    refuse("Y111", rel, f"{_special_file(mode)}, not a regular file; it is not read")
            except OSError as error:
                if is_model_file_name(name):
                    refuse("Y105", rel, f"cannot read file: {error.strerror or error}")

    def follow(link: str, rel: str) -> None:
        name = rel.rsplit("/", 1)[-1]
        try:
            target = os.path.realpath(link, strict=True)
            mode = os.stat(target).st_mode
        except OSError as error:
            # A link named like a model file or a folder was meant to be read.
            if is_model_file_name(name) or "." not in name:
                refuse("Y105", rel, f"cannot follow symbolic link: {error.strerror or error}")
            return
        if not stat.S_ISDIR(mode) and not is_model_file_name(name):
            return
        if not _inside(root, target):
            what = "folder" if stat.S_ISDIR(mode) else "file"
            refuse("Y110", rel, f"symbolic link to a {what} outside the model folder; it is not read")
        elif stat.S_ISDIR(mode):
            if target not in visited:
                visited.add(target)
                folders.append((target, rel + "/"))
        elif stat.S_ISREG(mode):
            files.setdefault(target, shown(rel))
        else:
            refuse("Y111", rel, f"symbolic link to {_special_file(mode)}, not a regular file; it is not read")

    # Folders waiting to be listed (a stack, not recursion: a folder tree can be
    # deeper than Python's recursion limit). Links wait until the real tree is done.
    folders.append((root, ""))
    while folders or links:
        if folders:
            walk(*folders.pop())
        else:
            follow(*links.pop(0))
    if not files and not problems:
        refuse("Y112", "", "the model folder holds no model files (*.yaml or *.yml)")
    return ModelFolder(sorted(((disk, shown) for disk, shown in files.items()), key=lambda pair: pair[1]), problems)


def _inside(root: str, path: str) -> bool:
    """Whether the real path `path` is the real folder `root` or below it."""
    try:
        return os.path.commonpath([root, path]) == root
    except ValueError:  # another drive (Windows)
        return False


def _special_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def load_model(model_dir: Path) -> LoadResult:
    model_dir = Path(model_dir)
    problems: list[tuple[str, Finding]] = []
    files: list[YamlFile] = []
    declared: dict[str, dict] = {kind: {} for kind in KINDS}  # kind -> id -> origin of first definition
    built: dict[str, dict] = {kind: {} for kind in KINDS}

    config = _load_config(model_dir, problems, files)

    folder = walk_model_folder(model_dir)
    problems.extend(folder.problems)
    for source in read_files(folder.files):
        files.append(source)
        problems.extend(source.problems)
        if source.data is None:
            continue
        if not isinstance(source.data, dict):
            what = "a list" if isinstance(source.data, list) else "a single value"
            problems.append(
                (
                    "Y104",
                    Finding(
                        f"file holds {what}; a model file is a mapping whose keys name kinds (e.g. `roles:`)",
                        source.span(),
                    ),
                )
            )
            continue
        for key, value in source.data.items():
            entry = TOP_LEVEL_KEYS.get(key)
            if entry is None:
                problems.append(("Y103", _unknown_key(source, key)))
                continue
            kind, is_list = entry
            if is_list:
                if not isinstance(value, list):
                    problems.append(
                        ("S202", Finding(f"`{key}` must hold a list of {kind.plural}", source.span((key,)), None))
                    )
                    continue
                items: list[tuple[object, tuple]] = [(item, (key, i)) for i, item in enumerate(value)]
            else:
                items = [(value, (key,))]
            for raw, node_path in items:
                _add_entity(kind, raw, Origin(source, node_path), problems, declared, built)

    model = Model(built, config, root=shown_path(model_dir))
    for kind_name, ids in declared.items():
        model.declared[kind_name].update(ids)
    return LoadResult(model, problems, files)


# Below this many files a second process costs more than it saves.
PARALLEL_FROM_FILES = 150


def read_files(paths: list[tuple[str, str]]) -> list[YamlFile]:
    """Parse (disk path, shown path) pairs, in order. Parsing is most of validation's
    time, so with two or more cores a forked child parses the second half while this
    process parses the first; the child sends back plain data and problems (node
    trees stay behind and are re-read only for files a diagnostic points into)."""
    if len(paths) < PARALLEL_FROM_FILES or not hasattr(os, "fork") or cpu_count() < 2:
        return [read_yaml(disk, shown) for disk, shown in paths]
    import pickle

    half = len(paths) // 2
    mine, theirs = paths[:half], paths[half:]
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse, send, leave without running any cleanup of the parent's
        status = 1
        try:
            os.close(reader)
            payload = pickle.dumps([read_yaml(d, s).detached() for d, s in theirs], pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    parsed = [read_yaml(disk, shown) for disk, shown in mine]
    with os.fdopen(reader, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status == 0 and payload:
        return parsed + pickle.loads(payload)
    # The child failed (out of memory, killed): parse its half here.
    return parsed + [read_yaml(disk, shown) for disk, shown in theirs]


def _add_entity(kind, raw, origin: Origin, problems, declared, built) -> None:
    entity_id = raw.get("id") if isinstance(raw, dict) else None
    shown_id = None if entity_id is None else str(entity_id)
    if not isinstance(raw, dict):
        problems.append(
            ("S202", Finding(f"a {kind.name.replace('_', ' ')} must be a mapping of fields", origin.span(), None))
        )
        return
    schema_problems = schema.check(kind.schema_file, raw, origin, shown_id)
    problems.extend(schema_problems)
    if not kind.id_matches(entity_id):
        return  # no usable id (reported by the schema pass): nothing can reference it
    if entity_id in declared[kind.name]:
        first = declared[kind.name][entity_id].span("id")
        problems.append(
            (
                "R301",
                Finding(
                    f"{kind.title.lower()} {entity_id} is defined twice (first at {first}); this one is ignored",
                    origin.span("id"),
                    shown_id,
                    related=(first,),
                ),
            )
        )
        return
    declared[kind.name][entity_id] = origin
    if schema_problems:
        return
    entity: Entity = kind.build(raw, origin)
    built[kind.name][entity_id] = entity


def _unknown_key(source: YamlFile, key) -> Finding:
    import difflib

    hint = difflib.get_close_matches(str(key), list(TOP_LEVEL_KEYS), n=1, cutoff=0.7)
    message = f"unknown top-level key `{key}`"
    message += (
        f" (did you mean `{hint[0]}`?)"
        if hint
        else "; top-level keys name kinds: " + ", ".join(k.plural for k in KINDS.values())
    )
    return Finding(message, source.span((key,), key=True))


def _load_config(model_dir: Path, problems, files) -> Config:
    path = model_dir / CONFIG_FILE
    shown = shown_path(path)
    real = _config_file(path, os.path.realpath(model_dir), shown, problems)
    if real is None:
        return Config()
    source = read_yaml(real, shown)
    files.append(source)
    problems.extend(source.problems)
    data = source.data
    if data is None:
        return Config()
    origin = Origin(source, ())
    if not isinstance(data, dict):
        problems.append(
            ("Y104", Finding("mhhsarch.yaml must be a mapping (name, version, baseline, rules)", source.span()))
        )
        return Config()
    config_problems = schema.check("config.schema.json", data, origin, None)
    problems.extend(config_problems)
    if config_problems:
        return Config(origin=origin)
    return Config(
        name=str(data.get("name", "MHHS model")),
        version=None if data.get("version") is None else str(data["version"]),
        baseline=data.get("baseline"),
        classification=data.get("classification", "public"),
        rules=tuple((str(code), level) for code, level in (data.get("rules") or {}).items()),
        constituencies=tuple(data["constituencies"]) if data.get("constituencies") else DEFAULT_CONSTITUENCIES,
        origin=origin,
    )


def _config_file(path: Path, root: str, shown: str, problems) -> str | None:
    """The real path of mhhsarch.yaml to read, or None (absent, or refused like a model file would be)."""
    try:
        if not os.path.lexists(path):
            return None
        real = os.path.realpath(path, strict=True)
        mode = os.stat(real).st_mode
    except OSError as error:
        problems.append(("Y105", Finding(f"cannot read file: {error.strerror or error}", SourceSpan(shown))))
        return None
    if not _inside(root, real):
        problems.append(
            ("Y110", Finding("symbolic link to a file outside the model folder; it is not read", SourceSpan(shown)))
        )
        return None
    if not stat.S_ISREG(mode):
        problems.append(
            ("Y111", Finding(f"{_special_file(mode)}, not a regular file; it is not read", SourceSpan(shown)))
        )
        return None
    return real


def unknown_rule_codes(config: Config, known: set[str]) -> list[tuple[str, Finding]]:
    """Rule codes in mhhsarch.yaml that do not exist (a typo would silently do nothing)."""
    found = []
    for code, _level in config.rules:
        if code not in known:
            span = config.origin.span("rules", code, key=True) if config.origin else SourceSpan(CONFIG_FILE)
            found.append(("S207", Finding(f"mhhsarch.yaml: unknown rule code `{code}` (see `mhhsarch rules`)", span)))
    return found
