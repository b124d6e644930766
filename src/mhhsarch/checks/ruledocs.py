"""The rule documentation as one Markdown page, `docs/rules.md`, and each rule's address in it.

SARIF's `helpUri` and `mhhsarch rules --format json` point every rule at its section of
that page in the repository; the page holds exactly what `mhhsarch rules CODE` prints.
A test keeps the committed page equal to what `rules_markdown` makes
(`pytest --update-golden` rewrites it). When the review site publishes the rules, only
RULES_PAGE_URI has to change.

    python -m mhhsarch.checks.ruledocs > docs/rules.md
"""

from __future__ import annotations

import re

PROJECT_URI = "https://github.com/mhhsarch/mhhsarch"
RULES_PAGE = "docs/rules.md"
RULES_PAGE_URI = f"{PROJECT_URI}/blob/main/{RULES_PAGE}"


def anchor(rule) -> str:
    """The anchor GitHub gives the rule's heading `### R302 dangling-reference`."""
    return re.sub(r"[^a-z0-9 _-]", "", f"{rule.code} {rule.name}".lower()).replace(" ", "-")


def help_uri(rule) -> str:
    return f"{RULES_PAGE_URI}#{anchor(rule)}"


def _inline(text: str) -> str:
    """Text for a Markdown line or table cell: `*` and `|` mean nothing there."""
    return text.replace("|", "\\|").replace("*", "\\*")


def rule_markdown(rule) -> str:
    """One rule's section: summary, why, and the bad and good examples as YAML blocks."""
    lines = [
        f"### {rule.code} {rule.name}",
        "",
        f"*{rule.severity.value}* by default · family *{rule.family}*",
        "",
        _inline(rule.summary),
        "",
    ]
    why = rule.section("Why")
    if why:
        lines += [f"**Why:** {_inline(' '.join(why.split()))}", ""]
    for title in ("Bad", "Good"):
        example = rule.section(title)
        if example:
            lines += [f"{title}:", "", "```", example, "```", ""]
    return "\n".join(lines)


def rules_markdown(rules: dict) -> str:
    families: dict[str, list] = {}
    for rule in rules.values():
        families.setdefault(rule.family, []).append(rule)
    out = [
        "# mhhsarch rules",
        "",
        "Every finding of `mhhsarch validate` has one of these codes. `mhhsarch rules CODE` prints",
        "the same text; `rules:` in `mhhsarch.yaml` changes a rule's severity or turns it off:",
        "",
        "```yaml",
        "rules:",
        "  W804: off        # or error, warning, info",
        "```",
        "",
        "This page is generated from the rules' own documentation (`python -m mhhsarch.checks.ruledocs`).",
        "",
        "| code | name | default | summary |",
        "|---|---|---|---|",
    ]
    out += [
        f"| [{r.code}](#{anchor(r)}) | {r.name} | {r.severity.value} | {_inline(r.summary)} |" for r in rules.values()
    ]
    out.append("")
    for family, members in families.items():
        out += [f"## {family}", ""]
        out += [rule_markdown(rule) for rule in members]
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    import sys

    from mhhsarch.checks.registry import load_all_rules

    sys.stdout.write(rules_markdown(load_all_rules()))
