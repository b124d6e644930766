"""Load a model folder: find files, parse them, split them into entities by kind,
check each entity against its schema and build the frozen model.

Everything wrong is collected as (code, Finding) pairs; nothing here raises for
bad input. Entities that fail their schema are left out of the model (the
semantic rules only see well-formed entities), but their ids still count as
declared so that references to them are not also reported as dangling.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mhhsarch.checks import schema
from mhhsarch.diagnostics.core import Finding, SourceSpan
from mhhsarch.machine import cpu_count
from mhhsarch.model.entities import Entity, Origin
from mhhsarch.model.kinds import KINDS, TOP_LEVEL_KEYS
from mhhsarch.model.model import Config, Model
from mhhsarch.source.yamlfile import YamlFile, read_yaml

CONFIG_FILE = "mhhsarch.yaml"
MODEL_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadResult:
    model: Model
    problems: list[tuple[str, Finding]] = field(default_factory=list)
    files: list[YamlFile] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every file and every entity loaded (no syntax or schema problem)."""
        return not any(code.startswith(("Y", "S", "R")) for code, _ in self.problems)

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


def model_file_names(model_dir: Path) -> list[str]:
    """Every *.yaml / *.yml below the folder, as paths relative to it (POSIX, sorted);
    hidden files and folders and the config file left out."""
    found = []
    top = os.fspath(model_dir)
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel_root = os.path.relpath(root, top).replace(os.sep, "/")
        prefix = "" if rel_root == "." else rel_root + "/"
        for name in files:
            if name.endswith(MODEL_SUFFIXES) and not name.startswith("."):
                if not prefix and name == CONFIG_FILE:
                    continue
                found.append(prefix + name)
    return sorted(found)


def load_model(model_dir: Path) -> LoadResult:
    model_dir = Path(model_dir)
    problems: list[tuple[str, Finding]] = []
    files: list[YamlFile] = []
    declared: dict[str, dict] = {kind: {} for kind in KINDS}  # kind -> id -> origin of first definition
    built: dict[str, dict] = {kind: {} for kind in KINDS}

    config = _load_config(model_dir, problems, files)

    shown_root = shown_path(model_dir)
    paths = [
        (os.path.join(model_dir, rel), f"{shown_root}/{rel}" if shown_root != "." else rel)
        for rel in model_file_names(model_dir)
    ]
    for source in read_files(paths):
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
                items = [(item, (key, i)) for i, item in enumerate(value)]
            else:
                items = [(value, (key,))]
            for raw, node_path in items:
                _add_entity(kind, raw, Origin(source, node_path), problems, declared, built)

    model = Model(built, config, root=shown_path(model_dir))
    for kind, ids in declared.items():
        model.declared[kind].update(ids)
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
    if not path.is_file():
        return Config()
    source = read_yaml(path, shown_path(path))
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
        rules=tuple((str(code), level) for code, level in (data.get("rules") or {}).items()),
        origin=origin,
    )


def unknown_rule_codes(config: Config, known: set[str]) -> list[tuple[str, Finding]]:
    """Rule codes in mhhsarch.yaml that do not exist (a typo would silently do nothing)."""
    found = []
    for code, _level in config.rules:
        if code not in known:
            span = config.origin.span("rules", code, key=True) if config.origin else SourceSpan(CONFIG_FILE)
            found.append(("S206", Finding(f"mhhsarch.yaml: unknown rule code `{code}` (see `mhhsarch rules`)", span)))
    return found
