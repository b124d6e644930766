"""The registry of diagnostic codes: every rule family imported, every code registered.

`checks/rule.py` says what a rule is; the families live in `checks/rules/`, one module
each (`checks/rules/__init__.py` lists them).
"""

from __future__ import annotations

from mhhsarch.checks.rule import RULES, Rule
from mhhsarch.checks.rules import ALL_FAMILIES  # noqa: F401  (importing registers the rules)

__all__ = ["Rule", "load_all_rules"]


def load_all_rules() -> dict[str, Rule]:
    """Every registered rule, by code."""
    return dict(sorted(RULES.items()))
