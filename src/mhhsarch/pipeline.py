"""The one place the stages are wired: load -> build graph -> check (-> render).

load_model      files -> entities (schema pass) -> Model
ModelGraph      Model -> graph of references
run_rules       Model + graph -> findings
stamp           findings -> diagnostics with configured severity
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mhhsarch.checks.registry import load_all_rules
from mhhsarch.checks.runner import run_rules, stamp
from mhhsarch.diagnostics.core import Diagnostic, Severity
from mhhsarch.graph import ModelGraph
from mhhsarch.model.model import Model
from mhhsarch.source.loader import LoadResult, load_model, unknown_rule_codes


@dataclass
class Checked:
    """A loaded and validated model, ready for rendering or reporting."""

    model: Model
    graph: ModelGraph
    diagnostics: list[Diagnostic]
    load: LoadResult

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0


def check_model(model_dir: Path) -> Checked:
    with _no_cyclic_gc():
        rules = load_all_rules()
        loaded = load_model(Path(model_dir))
        graph = ModelGraph(loaded.model)
        found = list(loaded.problems)
        found += unknown_rule_codes(loaded.model.config, set(rules))
        found += run_rules(loaded.model, graph, rules, complete=loaded.complete)
        diagnostics = stamp(found, loaded.model.config, rules)
    return Checked(loaded.model, graph, diagnostics, loaded)


@contextmanager
def _no_cyclic_gc():
    """Loading allocates hundreds of thousands of small objects (YAML nodes, marks,
    entities) that all stay alive; the cyclic collector would walk them again and
    again for nothing (measured: loading twice as slow with it on). Reference
    counting still frees garbage; afterwards the survivors are frozen so later
    collections (while rendering) skip them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
