"""What a rule is, and how a rule module registers its codes.

Every code has a default severity and documentation in a fixed layout, written as
the docstring of the function that checks it:

    One-line summary.

    Why: why it matters.

    Bad:
        yaml that triggers it
    Good:
        yaml that does not

Semantic rules are functions `(model, graph) -> Iterator[Finding]` registered with
`@rule`; codes reported by the loader and the schema pass are registered with
`@code` on a function that only carries the documentation. Rule modules import this
module only; `checks/registry.py` imports the rule modules (so there is no circle).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mhhsarch.diagnostics.core import Finding, Severity

if TYPE_CHECKING:
    from mhhsarch.graph import ModelGraph
    from mhhsarch.model.model import Model

RuleCheck = Callable[["Model", "ModelGraph"], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    family: str
    doc: str
    check: RuleCheck | None  # None: reported by the loader or schema pass
    # Rules about what is *not* used can only be trusted when every entity loaded:
    # an interface that failed its schema would make its data items look unused.
    needs_complete_model: bool = False

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name

    def section(self, title: str) -> str:
        """A section ('Why', 'Bad', 'Good') of the documentation."""
        match = re.search(rf"^{title}:[ \t]*(.*?)(?=^\w+:|\Z)", self.doc, re.S | re.M)
        return inspect.cleandoc(match.group(1)) if match else ""


RULES: dict[str, Rule] = {}


def _register(code: str, name: str, severity: Severity, function, check, needs_complete_model=False) -> None:
    if code in RULES:
        raise ValueError(f"rule code {code} registered twice")
    family = function.__module__.rsplit(".", 1)[-1]
    doc = inspect.cleandoc(function.__doc__ or "")
    RULES[code] = Rule(code, name, severity, family, doc, check, needs_complete_model)


def rule(
    code: str, name: str, severity: Severity = Severity.ERROR, *, needs_complete_model: bool = False
) -> Callable[[RuleCheck], RuleCheck]:
    """Register a semantic rule."""

    def decorate(function: RuleCheck) -> RuleCheck:
        _register(code, name, severity, function, function, needs_complete_model)
        return function

    return decorate


def code(code: str, name: str, severity: Severity = Severity.ERROR):
    """Register a code reported by the loader or the schema pass (documentation only)."""

    def decorate(function):
        _register(code, name, severity, function, None)
        return function

    return decorate
