"""Diagnostic output formats: text, json, sarif, junit, github, gitlab (gitlab.py).

Each formatter is a function `(report) -> str`, listed in FORMATTERS. Output is
deterministic: diagnostics arrive sorted, JSON keys are written in a fixed order.

Messages, file names and source lines carry model content, which may hold control
characters (an ESC sequence in a quoted key, a DEL in a file name). No format
writes them raw: text, JUnit and GitHub show them as visible escapes
(`core.printable`; JUnit keeps line breaks, which XML holds, and GitHub encodes them
as %0A), JSON and SARIF as JSON `\\u` escapes, which read back to the same text.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from mhhsarch import __version__
from mhhsarch.checks.ruledocs import PROJECT_URI, help_uri, rule_markdown
from mhhsarch.diagnostics.core import UNPRINTABLE_IN_JSON, Diagnostic, Severity, printable, summarise

INFORMATION_URI = PROJECT_URI


@dataclass
class Report:
    diagnostics: list[Diagnostic]
    files: int = 0
    entities: int = 0
    strict: bool = False
    source_line: Callable[[str, int], str | None] = lambda path, line: None
    rules: dict = field(default_factory=dict)  # code -> Rule, for SARIF rule metadata
    colour: bool = False
    quiet: bool = False  # text: one line per finding, no source lines and no summary (-q)


def report_of(
    checked,
    *,
    diagnostics=None,
    strict: bool = False,
    rules: dict | None = None,
    colour: bool = False,
    quiet: bool = False,
) -> Report:
    """The report of a checked model (`pipeline.Checked`), source lines read from its files."""
    files = {f.path: f for f in checked.load.files}
    return Report(
        diagnostics=checked.diagnostics if diagnostics is None else diagnostics,
        files=len(files),
        entities=sum(checked.model.count().values()),
        strict=strict,
        source_line=lambda path, line: files[path].source_line(line) if path in files else None,
        rules=rules or {},
        colour=colour,
        quiet=quiet,
    )


# --- text ---------------------------------------------------------------------

_COLOURS = {
    "error": "\033[1;31m",
    "warning": "\033[1;33m",
    "info": "\033[1;36m",
    "bold": "\033[1m",
    "dim": "\033[2m",
    "reset": "\033[0m",
}


def use_colour(stream) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def format_text(report: Report) -> str:
    c = _COLOURS if report.colour else {k: "" for k in _COLOURS}
    out = []
    for d in report.diagnostics:
        sev = d.severity.value
        out.append(
            f"{c['bold']}{printable(str(d.span))}{c['reset']}: {c[sev]}{sev}{c['reset']}: "
            f"{printable(d.message)} {c['dim']}[{d.code}]{c['reset']}"
        )
        if report.quiet:
            continue
        line_text = report.source_line(d.span.path, d.span.line)
        if line_text is not None:
            line_text = line_text.replace("\t", " ")
            gutter = str(d.span.line).rjust(5)
            width = 1
            if d.span.end_line == d.span.line and d.span.end_column and d.span.end_column > d.span.column:
                width = d.span.end_column - d.span.column
            width = max(1, min(width, len(line_text) - d.span.column + 1))
            # The caret goes under the same characters once escapes have widened the line.
            start = d.span.column - 1
            indent = len(printable(line_text[:start]))
            width = max(1, len(printable(line_text[start : start + width])))
            out.append(f"{c['dim']}{gutter} |{c['reset']} {printable(line_text)}")
            out.append(f"{c['dim']}{' ' * 5} |{c['reset']} {' ' * indent}{c[sev]}{'^' * width}{c['reset']}")
        for related in d.related:
            out.append(f"{c['dim']}      = see also {printable(str(related))}{c['reset']}")
    if not report.quiet:
        out.append(summary_line(report))
    return "".join(line + "\n" for line in out)


def summary_line(report: Report) -> str:
    counts = summarise(report.diagnostics)
    scope = f"{report.files} file{'s' if report.files != 1 else ''}, {report.entities} entities"
    if not report.diagnostics:
        return f"No problems found ({scope})."
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if counts[s]]
    return f"Found {', '.join(parts)} ({scope})."


# --- json ---------------------------------------------------------------------


def format_json(report: Report) -> str:
    counts = summarise(report.diagnostics)
    data = {
        "diagnostics": [d.to_dict() for d in report.diagnostics],
        "summary": {**counts, "files": report.files, "entities": report.entities},
    }
    return _json_text(data)


def _json_text(data) -> str:
    """JSON that keeps readable text readable (ensure_ascii=False) but escapes every
    unprintable character: json.dumps escapes only C0 controls, and would leave DEL,
    C1 controls and lone surrogates (which cannot even be written as UTF-8) raw.
    Outside strings JSON is plain ASCII and line breaks, so the substitution only
    touches strings."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return UNPRINTABLE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n"


# --- sarif 2.1.0 --------------------------------------------------------------

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    """A relative path as a URI reference (SARIF wants URIs: a space is %20, ESC %1B);
    a file name that is not UTF-8 keeps its own bytes."""
    from urllib.parse import quote

    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "backslashreplace")
    return quote(raw, safe="/")


def format_sarif(report: Report) -> str:
    rule_codes = sorted(report.rules)
    index = {code: i for i, code in enumerate(rule_codes)}
    rules = []
    for code in rule_codes:
        rule = report.rules[code]
        rules.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.section("Why") or rule.summary},
                "helpUri": help_uri(rule),
                "help": {"text": rule.doc, "markdown": rule_markdown(rule)},
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
            }
        )
    results = []
    for d in report.diagnostics:
        region: dict[str, object] = {"startLine": d.span.line, "startColumn": d.span.column}
        if d.span.end_line:
            region["endLine"] = d.span.end_line
            region["endColumn"] = d.span.end_column
        location: dict[str, object] = {"artifactLocation": {"uri": _uri(d.span.path)}, "region": region}
        _add_snippets(location, region, d, report)
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": location}],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.entity_id:
            result["properties"] = {"entity": d.entity_id}
        if d.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(r.path)},
                        "region": {"startLine": r.line, "startColumn": r.column},
                    },
                }
                for i, r in enumerate(d.related)
            ]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mhhsarch",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return _json_text(sarif)


SNIPPET_MAX_LINES = 10


def _add_snippets(location: dict, region: dict, d: Diagnostic, report: Report) -> None:
    """The region's own text (`region.snippet`) and its whole lines (`contextRegion`), so a
    SARIF viewer shows the source without the file; for regions of up to SNIPPET_MAX_LINES
    lines whose text is at hand. A region without an end runs to the end of its line, as
    SARIF reads it."""
    first, last = d.span.line, d.span.end_line or d.span.line
    if last - first >= SNIPPET_MAX_LINES:
        return
    lines: list[str] = []
    for number in range(first, last + 1):
        line = report.source_line(d.span.path, number)
        if line is None:
            return
        lines.append(line)
    end_column = d.span.end_column if d.span.end_line and d.span.end_column else len(lines[-1]) + 1
    line_break = ""
    if end_column == 1 and last > first:  # ends where the next line starts: only its line break is in it
        lines, last = lines[:-1], last - 1
        end_column, line_break = len(lines[-1]) + 1, "\n"
    text = "\n".join(lines)
    start = d.span.column - 1
    stop = len(text) - len(lines[-1]) + end_column - 1
    region["snippet"] = {"text": text[start:stop] + line_break}
    if start > 0 or stop < len(text):  # a context region must be larger than the region
        location["contextRegion"] = {"startLine": first, "endLine": last, "snippet": {"text": text}}


# --- junit xml ----------------------------------------------------------------


def format_junit(report: Report) -> str:
    """One test suite per file with findings, one test case per finding. Errors (and
    warnings under --strict) are failures; other findings pass with their text."""
    failing = {Severity.ERROR, Severity.WARNING} if report.strict else {Severity.ERROR}
    by_file: dict[str, list[Diagnostic]] = {}
    for d in report.diagnostics:
        by_file.setdefault(d.span.path, []).append(d)
    total = max(1, len(report.diagnostics))
    failures = sum(1 for d in report.diagnostics if d.severity in failing)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="mhhsarch validate" tests="{total}" failures="{failures}" errors="0">',
    ]
    if not report.diagnostics:
        lines.append('  <testsuite name="model" tests="1" failures="0" errors="0">')
        lines.append(
            f'    <testcase classname="model" name={quoteattr(f"{report.files} files, {report.entities} entities: no problems")}/>'
        )
        lines.append("  </testsuite>")
    for path, items in by_file.items():
        suite_failures = sum(1 for d in items if d.severity in failing)
        shown_path = printable(path)
        lines.append(
            f'  <testsuite name={quoteattr(shown_path)} tests="{len(items)}" failures="{suite_failures}" errors="0">'
        )
        for d in items:
            name = printable(f"{d.code} {d.span}")
            lines.append(f"    <testcase classname={quoteattr(shown_path)} name={quoteattr(name)}>")
            body = escape(printable(f"{d.span}: {d.severity.value}: {d.message} [{d.code}]", keep="\t\n"))
            if d.severity in failing:
                message = quoteattr(printable(d.message, keep="\t\n"))
                lines.append(f"      <failure type={quoteattr(d.severity.value)} message={message}>{body}</failure>")
            else:
                lines.append(f"      <system-out>{body}</system-out>")
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def escape(text: str) -> str:
    """XML character data. (xml.sax.saxutils does the same but imports urllib and
    http.client on the way: a fifth of validate's own start-up.)"""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value with its double quotes; newlines and tabs kept as references."""
    text = escape(text).replace('"', "&quot;")
    return '"' + text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


# --- github workflow annotations ------------------------------------------------

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report) -> str:
    out = []
    for d in report.diagnostics:
        props = [f"file={_gh_property(printable(d.span.path))}", f"line={d.span.line}", f"col={d.span.column}"]
        if d.span.end_line:
            props += [f"endLine={d.span.end_line}", f"endColumn={d.span.end_column}"]
        props.append(f"title={_gh_property(d.code)}")
        message = _gh_data(printable(d.message, keep="\n\r"))
        out.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{message}")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def format_gitlab(report: Report) -> str:
    from mhhsarch.diagnostics.gitlab import gitlab_issues

    return _json_text(gitlab_issues(report.diagnostics))


FORMATTERS: dict[str, Callable[[Report], str]] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "junit": format_junit,
    "github": format_github,
    "gitlab": format_gitlab,
}


def write(report: Report, fmt: str, output: str | None) -> None:
    text = FORMATTERS[fmt](report)
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
