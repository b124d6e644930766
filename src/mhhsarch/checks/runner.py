"""Run the checks: stamp code and severity on what the loader, schema pass and rules found.

Rules only yield findings; the runner decides their severity (registry default,
overridden by `rules:` in mhhsarch.yaml) and drops the ones turned `off`.
"""

from __future__ import annotations

from mhhsarch.checks.registry import Rule, load_all_rules
from mhhsarch.diagnostics.core import Diagnostic, Finding, Severity
from mhhsarch.graph import ModelGraph
from mhhsarch.model.model import Config, Model


def run_rules(
    model: Model, graph: ModelGraph, rules: dict[str, Rule] | None = None, complete: bool = True
) -> list[tuple[str, Finding]]:
    """Run every semantic rule. With `complete=False` (some file or entity failed to
    load) the rules about unused things are skipped: they would blame the wrong place."""
    rules = rules or load_all_rules()
    found: list[tuple[str, Finding]] = []
    for code, rule in rules.items():
        if rule.check is None or model.config.rule_level(code) == "off":
            continue
        if rule.needs_complete_model and not complete:
            continue
        found.extend((code, finding) for finding in rule.check(model, graph))
    return found


def stamp(found: list[tuple[str, Finding]], config: Config, rules: dict[str, Rule] | None = None) -> list[Diagnostic]:
    """Turn (code, finding) pairs into diagnostics with their configured severity, sorted, once each."""
    rules = rules or load_all_rules()
    diagnostics = set()
    for code, finding in found:
        level = config.rule_level(code)
        if level == "off":
            continue
        severity = Severity(level) if level else rules[code].severity
        diagnostics.add(Diagnostic(code, severity, finding.message, finding.span, finding.entity_id, finding.related))
    return sorted(diagnostics, key=Diagnostic.sort_key)
