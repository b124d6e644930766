"""`mhhsarch diff` output: text for people, Markdown for a pull-request comment, JSON for scripts."""

from __future__ import annotations

import json
from collections import Counter

from mhhsarch.change.diff import BREAKING, CLASSES, Change


def _value(value) -> str:
    if value is None:
        return "-"
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:79] + "\u2026"


def _what(change: Change) -> str:
    where = f"{change.kind} {change.id}" + (f" {change.field}" if change.field else "")
    if change.change == "modified":
        return f"{where}: {_value(change.old)} -> {_value(change.new)}"
    return f"{where} {change.change}"


def summary(changes: list[Change]) -> str:
    counts = Counter(c.klass for c in changes)
    if not changes:
        return "No changes."
    return f"{len(changes)} changes: " + ", ".join(f"{counts[k]} {k}" for k in CLASSES if counts[k])


def as_text(changes: list[Change], base: str, head: str) -> str:
    lines = [f"Changes from {base} to {head}"]
    for klass in CLASSES:
        group = [c for c in changes if c.klass == klass]
        if not group:
            continue
        lines.append(f"\n{klass.upper()} ({len(group)})")
        for change in group:
            lines.append(f"  {_what(change)}  [{change.rule}]")
    artefacts = sorted({a for c in changes for a in c.artefacts})
    if artefacts:
        lines.append(
            f"\nArtefacts that change ({len(artefacts)}): " + ", ".join(a for a in artefacts if "/" in a)[:2000]
        )
    lines.append("\n" + summary(changes))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def as_markdown(changes: list[Change], base: str, head: str) -> str:
    breaking = sum(1 for c in changes if c.klass == BREAKING)
    head_line = f"### mhhsarch diff `{_cell(base)}` \u2192 `{_cell(head)}`\n\n"
    if not changes:
        return head_line + "No changes.\n"
    out = [head_line, f"**{summary(changes)}**" + (" \u2014 :warning: breaking changes" if breaking else "") + "\n"]
    out.append("| class | entity | field | change | old | new | rule |\n|---|---|---|---|---|---|---|")
    for c in changes:
        out.append(
            f"| {c.klass} | {_cell(c.kind)} {_cell(c.id)} | {_cell(c.field or '')} | {c.change} "
            f"| {_cell(_value(c.old) if c.old is not None else '')} | {_cell(_value(c.new) if c.new is not None else '')} "
            f"| `{c.rule}` |"
        )
    documents = sorted({a for c in changes for a in c.artefacts if a.endswith((".docx", ".xlsx"))})
    if documents:
        out.append("\n<details><summary>Documents that change (" + str(len(documents)) + ")</summary>\n")
        out += [f"- `{d}`" for d in documents]
        out.append("\n</details>")
    return "\n".join(out) + "\n"


def as_json(changes: list[Change], base: str, head: str) -> str:
    counts = Counter(c.klass for c in changes)
    data = {
        "base": base,
        "head": head,
        "summary": {k: counts[k] for k in CLASSES},
        "changes": [c.as_json() for c in changes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"text": as_text, "markdown": as_markdown, "json": as_json}
