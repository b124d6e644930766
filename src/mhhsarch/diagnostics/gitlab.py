"""GitLab code quality report (`--format gitlab`): a JSON array of Code Climate issues.

GitLab shows them in the merge request's code quality widget and in the diff when the
file is a job's `artifacts:reports:codequality`. Each issue needs a description, a
check name, a severity, a location (path and line; GitLab shows no columns) and a
fingerprint. The fingerprint tells GitLab
which findings are new in a merge request, so it is made from what identifies the
finding (code, file, entity, message) and not from its line: a finding that only moved
when lines were added above it is the same finding. Findings that are identical in
those four get a running number, so that every fingerprint in a report is unique.
"""

from __future__ import annotations

import hashlib

from mhhsarch.diagnostics.core import Severity

# Code Climate severities: info, minor, major, critical, blocker
SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def gitlab_issues(diagnostics) -> list[dict]:
    """The report's issues (formatters.py writes them as JSON, escaped like the others)."""
    issues = []
    seen: dict[str, int] = {}
    for d in diagnostics:
        identity = "\x00".join((d.code, d.span.path, d.entity_id or "", d.message))
        seen[identity] = seen.get(identity, 0) + 1
        fingerprint = hashlib.sha256(f"{identity}\x00{seen[identity]}".encode("utf-8", "surrogatepass")).hexdigest()
        issues.append(
            {
                "type": "issue",
                "check_name": d.code,
                "description": f"{d.code}: {d.message}",
                "severity": SEVERITY[d.severity],
                "fingerprint": fingerprint,
                "location": {"path": d.span.path, "lines": {"begin": d.span.line}},
            }
        )
    return issues
