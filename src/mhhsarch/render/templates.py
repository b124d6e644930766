"""Where templates come from: the one lookup every renderer uses.

A template is looked up by file name in this order, the first folder holding it wins:

1. `--template DIR` (a run's own folder),
2. `templates/` at the root of the repository holding the model folder (the design
   team's versioned templates; without git, `templates/` beside the model folder),
3. the defaults bundled with mhhsarch (`mhhsarch templates export DIR` copies them).

So a team overrides one template by putting a file of the same name into its
`templates/`, and keeps the defaults for the rest.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[1] / "templates"
# Every template mhhsarch uses, by file name (what `templates export` writes).
TEMPLATE_NAMES = (
    "interface_spec.docx",
    "process_description.docx",
    "release_note.docx",
    "interface_spec.md.j2",
    "process_description.md.j2",
    "release_note.md.j2",
    *(
        f"site/{name}"
        for name in (
            "base.html.j2",
            "macros.html.j2",
            "index.html.j2",
            "tranche.html.j2",
            "catalogue.html.j2",
            "entity.html.j2",
            "interface.html.j2",
            "process.html.j2",
            "site.css",
            "site.js",
        )
    ),
)


def repository_root(model_dir: Path) -> Path | None:
    """The top folder of the git work tree holding `model_dir`, None outside git."""
    try:
        done = subprocess.run(
            ["git", "-C", str(model_dir), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None


def repository_templates(model_dir: Path) -> Path:
    """The team's `templates/` folder for a model (which need not exist)."""
    root = repository_root(model_dir)
    return (root if root is not None else Path(model_dir).resolve().parent) / "templates"


def template_folders(user_dir: Path | None, model_dir: Path) -> tuple[Path, ...]:
    """The folders templates are looked up in, first match wins."""
    folders = [user_dir] if user_dir is not None else []
    team = repository_templates(model_dir)
    if team.is_dir():
        folders.append(team)
    folders.append(BUNDLED)
    return tuple(dict.fromkeys(folders))


def find_template(name: str, folders: tuple[Path, ...]) -> Path:
    """The template `name` from the first folder that holds it (the bundled one otherwise)."""
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return BUNDLED / name


def export_templates(target: Path, overwrite: bool = False) -> list[Path]:
    """Copy the bundled templates into `target`; existing files are kept unless `overwrite`.
    Returns the files written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TEMPLATE_NAMES:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.exists() and not overwrite:
            continue
        shutil.copyfile(BUNDLED / name, destination)
        written.append(destination)
    return written
