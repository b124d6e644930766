"""The JSON Schemas as `mhhsarch schema --out` and `mhhsarch init` write them, for editors
(yaml-language-server) and third-party validators (check-jsonschema).

They are the packaged schemas, the contract the schema pass checks, with one addition:
config.schema.json lists the rule codes `rules:` may name (`propertyNames`), so that an
editor completes them and a validator rejects a misspelt one. The packaged schema leaves
that to S207, which says the same with a located message.

No schema carries an `$id`. Every tool then takes the file's own location as its base, so
the relative `$ref`s of model-file.schema.json (`"$ref": "interface.schema.json"`) resolve
in whatever folder the schemas were written to, with no flag. An absolute `$id` names a
host that would have to exist, and a relative one is resolved against the current
directory by some tools (check-jsonschema), not against the schema file.
"""

from __future__ import annotations

import json
from pathlib import Path

MODEL_FILE_SCHEMA = "model-file.schema.json"
CONFIG_SCHEMA = "config.schema.json"


def exported_schemas() -> dict[str, dict]:
    """File name -> schema, in file-name order."""
    import copy

    from mhhsarch.checks.registry import load_all_rules
    from mhhsarch.checks.schema import load_schema, schema_names

    schemas = {name: copy.deepcopy(load_schema(name)) for name in schema_names()}
    rules = schemas[CONFIG_SCHEMA]["properties"]["rules"]
    rules["propertyNames"] = {"enum": sorted(load_all_rules())}
    return schemas


def schema_text(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every exported schema into `folder` (made if missing); raises OSError."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in exported_schemas().items():
        path = folder / name
        path.write_text(schema_text(schema), encoding="utf-8", newline="\n")
        written.append(path)
    return written
