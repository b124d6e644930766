"""`mhhsarch init DIR`: a new model repository that validates clean and renders.

It writes, into a folder that is new or empty (nothing is ever overwritten):

    README.md                      what is where, and the commands
    model/                         one entity of each kind (two roles: an interface goes
                                   from one to the other), mhhsarch.yaml at its root
    schemas/                       the JSON Schemas, as `mhhsarch schema --out` writes them
    .vscode/settings.json          yaml.schemas: the schemas mapped onto the model's files
    .github/workflows/mhhsarch.yml CI: validate with annotations, upload SARIF
    .pre-commit-config.yaml        the validate hook, run with the installed mhhsarch
    .gitignore                     out/ (what render writes)

The model is the MHHS change-of-supplier flow cut down to one step, so that each file
shows a realistic use of its kind; `mhhsarch validate --strict` finds nothing in it.
"""

from __future__ import annotations

import json
from pathlib import Path

from mhhsarch import __version__
from mhhsarch.checks.ruledocs import PROJECT_URI

# Folders of model files under model/, each mapped to the model-file schema by a glob.
MODEL_FOLDERS = ("interfaces", "processes", "data_catalogue", "reviews")
ROOT_MODEL_FILES = ("market.yaml", "capabilities.yaml", "principles.yaml", "tranches.yaml", "artefacts.yaml")
ACTION = f"{PROJECT_URI.removeprefix('https://github.com/')}@v{__version__}"


class ScaffoldError(Exception):
    """The folder cannot take a new model (it holds files already)."""


def scaffold(folder: Path, name: str | None = None) -> list[Path]:
    """Write the new repository into `folder`; the files written, in order."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"'{folder}' exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise ScaffoldError(f"'{folder}' is not empty; `mhhsarch init` writes only into a new or empty folder")
    model_name = name or folder.resolve().name or "Architecture model"
    files = {path: text.replace("@NAME@", model_name) for path, text in _files(model_name).items()}
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    from mhhsarch.schema_export import write_schemas

    written += write_schemas(folder / "schemas")
    return written


def _yaml_text(value: str) -> str:
    """`value` as a YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(value, ensure_ascii=False)


def vscode_settings() -> dict:
    model_files = [f"/model/{name}" for name in ROOT_MODEL_FILES]
    model_files += [f"/model/{folder}/**/*.yaml" for folder in MODEL_FOLDERS]
    return {
        "yaml.schemas": {
            "./schemas/config.schema.json": ["/model/mhhsarch.yaml"],
            "./schemas/model-file.schema.json": model_files,
        },
        "yaml.yamlVersion": "1.2",  # as mhhsarch reads (README: YAML 1.2), whatever the user's default
    }


def _files(model_name: str) -> dict[str, str]:
    return {
        "README.md": README,
        "model/mhhsarch.yaml": MHHSARCH_YAML.replace('"@NAME@"', _yaml_text(model_name)),
        "model/market.yaml": MARKET,
        "model/capabilities.yaml": CAPABILITIES,
        "model/principles.yaml": PRINCIPLES,
        "model/tranches.yaml": TRANCHES,
        "model/artefacts.yaml": ARTEFACTS,
        "model/data_catalogue/catalogue.yaml": CATALOGUE,
        "model/interfaces/IF-001.yaml": INTERFACE,
        "model/processes/BP001.yaml": PROCESS,
        "model/reviews/tranche1.yaml": REVIEWS,
        ".vscode/settings.json": json.dumps(vscode_settings(), indent=2) + "\n",
        ".github/workflows/mhhsarch.yml": WORKFLOW.replace("@ACTION@", ACTION),
        ".pre-commit-config.yaml": PRE_COMMIT_CONFIG,
        ".gitignore": "out/\n",
    }


MHHSARCH_YAML = """\
# Settings of this model repository. `mhhsarch rules` lists the rule codes.
name: "@NAME@"
version: "0.1.0"
baseline: "Draft"
rules: {}   # e.g. {W804: off, D605: warning}
"""

MARKET = """\
# The market: segments, the roles that act in it and the services they perform.
segments:
  - id: SMART
    name: Smart
    description: Metering points with a smart meter read remotely.

roles:
  - id: SUP
    name: Supplier
    category: supplier
    segments: [SMART]
  - id: REGS
    name: Registration Service
    category: central
    services: [SVC-REGISTRATION]
    segments: [SMART]

services:
  - id: SVC-REGISTRATION
    name: Registration
    segments: [SMART]
"""

CAPABILITIES = """\
# What the market must be able to do; processes realise capabilities.
capabilities:
  - id: CAP-MO-01
    name: Change the supplier of a metering point
    roles: [REGS, SUP]
"""

PRINCIPLES = """\
# Design principles that interfaces and processes follow.
principles:
  - id: DP-01
    title: One registration record per metering point
    text: The Registration Service holds the one record of who supplies a metering point.
"""

TRANCHES = """\
# Publication tranches: each goes out for review, then for approval. Quote dates.
tranches:
  - id: 1
    name: "Tranche 1"
    review_start: "2025-01-06"
    review_end: "2025-01-17"
    approval: "2025-02-03"
"""

CATALOGUE = """\
# The data catalogue: logical entities, valid sets and the data items interfaces carry.
entities:
  - id: ENT-METERING-POINT
    name: Metering Point

valid_sets:
  - id: VS-REGISTRATION-STATUS
    name: Registration Status
    values:
      - {code: "A", meaning: Active}      # codes are text: quote them ("01", not 01)
      - {code: "P", meaning: Pending}

data_items:
  - id: DI-001
    name: Registration Status
    type: enum
    valid_set: VS-REGISTRATION-STATUS
    owner: REGS
    classification: internal
    entity: ENT-METERING-POINT
"""

INTERFACE = """\
# IF-001: one file per interface, named after its id.
interface:
  id: IF-001
  name: Notification of Change of Supplier
  version: "0.1.0"
  status: draft
  tranche: 1
  senders: [REGS]
  receivers: [SUP]
  transport: DIP
  pattern: publish
  frequency: on-event
  security: {classification: internal, personal_data: false}
  principles: [DP-01]
  data_items:
    - ref: DI-001
"""

PROCESS = """\
# BP001: one file per process, named after its id.
process:
  id: BP001
  name: Change of Supplier
  level: 0
  tranche: 1
  status: draft
  capabilities: [CAP-MO-01]
  segments: [SMART]
  participants: [REGS, SUP]
  principles: [DP-01]
  steps:
    - id: 1
      name: Record the new supplier
      actor: REGS
      next: [2]
    - id: 2
      name: Notify the supplier
      actor: REGS
      interface: IF-001
"""

ARTEFACTS = """\
# Documents a tranche issues that the model does not generate (requirements, method
# statements): registered so that comments and the tracker cover them too.
artefacts:
  - id: BRS001
    title: Registration Service Requirements Specification
    kind: requirements
    tranche: 1
    status: draft
    link: documents/BRS001.docx
    sections:
      - {id: "1", title: Introduction}
      - {id: "2", title: Requirements}
"""

REVIEWS = """\
# Review comments, logged against the artefact they are about (`anchor`: where in it;
# `mhhsarch comments import` adds the comments of returned forms and Word documents).
comments:
  - id: C-0001
    artefact: IF-001
    anchor: section:data-items
    round: 1
    constituency: "Supplier \u2013 Large"
    status: open
    text: Which registration statuses does the notification carry?
"""

WORKFLOW = """\
# Validates the model on every push and pull request: findings as annotations on the
# pull request, and as SARIF in the repository's code scanning alerts.
name: mhhsarch
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
  security-events: write   # the SARIF upload
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: @ACTION@
        with:
          model: model
          strict: "true"
"""

PRE_COMMIT_CONFIG = """\
# `pre-commit install` once; then every commit is validated. This runs the mhhsarch you
# have installed (offline, the same version as CI if you pin it); README.md of mhhsarch
# shows the hook that pre-commit installs by itself.
repos:
  - repo: local
    hooks:
      - id: mhhsarch-validate
        name: mhhsarch validate
        entry: mhhsarch validate --strict
        language: system
        pass_filenames: false
        files: ^model/
"""

README = """\
# @NAME@

An architecture model checked and published with
[mhhsarch](https://github.com/mhhsarch/mhhsarch).

```sh
mhhsarch validate --strict   # every problem at file:line:col (from here or any folder of the model)
mhhsarch render              # diagrams, Word documents, the Excel catalogue into out/
mhhsarch stats               # counts per kind, tranche and status
mhhsarch rules               # what each finding code means
```

| where | what |
|---|---|
| `model/` | the model: every `*.yaml` below it is read; `mhhsarch.yaml` holds its name, version and rule settings |
| `model/interfaces/`, `model/processes/` | one file per interface and per process, named after its id |
| `model/data_catalogue/` | data items, valid sets and logical entities |
| `model/artefacts.yaml` | documents of a tranche the model does not generate |
| `model/reviews/` | review comments |
| `schemas/` | the JSON Schemas of the model files (`mhhsarch schema --out schemas` rewrites them) |
| `.vscode/settings.json` | maps the schemas onto the model's files: with the YAML extension the editor completes fields and flags errors as you type; add a new file at the top of `model/` to its list |
| `.github/workflows/mhhsarch.yml` | CI: validation with annotations on pull requests and SARIF for code scanning |
| `.pre-commit-config.yaml` | `pre-commit install` validates before every commit |

Unquoted values are read as YAML 1.2 reads them, as the editor does: quote codes
and other text that looks like a number (`"01"`, `"1.10"`).
"""
