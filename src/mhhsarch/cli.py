"""The command line: options in, pipeline called, diagnostics printed, exit status out.

Exit status (stable; CI depends on it): 0 success, 1 model errors (or warnings
with --strict), 2 usage or environment problems.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from mhhsarch import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Model-driven architecture repository for the MHHS design: validate the YAML model and publish artefacts.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"


class StatsFormat(str, Enum):
    text = "text"
    json = "json"


def _fail(message: str) -> None:
    typer.echo(f"mhhsarch: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _model_dir(path: Path) -> Path:
    if not path.exists():
        _fail(f"model folder '{path}' does not exist")
    if not path.is_dir():
        _fail(f"'{path}' is not a folder")
    return path


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mhhsarch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    pass


@app.command()
def validate(
    model_dir: Path = typer.Argument(Path("model"), help="The model folder."),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
) -> None:
    """Check the model's files, schemas and cross-references; report every problem at file:line:col."""
    from mhhsarch.checks.registry import load_all_rules
    from mhhsarch.diagnostics import formatters
    from mhhsarch.diagnostics.core import Severity
    from mhhsarch.pipeline import check_model

    checked = check_model(_model_dir(model_dir))
    files = {f.path: f for f in checked.load.files}
    report = formatters.Report(
        diagnostics=checked.diagnostics,
        files=len(files),
        entities=sum(checked.model.count().values()),
        strict=strict,
        source_line=lambda path, line: files[path].source_line(line) if path in files else None,
        rules=load_all_rules(),
        colour=output is None and formatters.use_colour(sys.stdout),
    )
    try:
        formatters.write(report, fmt.value, str(output) if output else None)
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    if output is not None and fmt is not OutputFormat.text:
        typer.echo(formatters.summary_line(report), err=True)
    failing = checked.count(Severity.ERROR) + (checked.count(Severity.WARNING) if strict else 0)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


@app.command()
def rules(code: Optional[str] = typer.Argument(None, help="Explain one rule, e.g. R302.")) -> None:
    """List the rule codes, or explain one."""
    from mhhsarch.checks.registry import load_all_rules

    registry = load_all_rules()
    if code is None:
        width = max(len(r.name) for r in registry.values())
        for rule in registry.values():
            typer.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<{width}}  {rule.summary}")
        typer.echo("\n`mhhsarch rules CODE` explains one; `rules:` in mhhsarch.yaml changes a severity or turns a rule off.")
        return
    rule = registry.get(code.upper())
    if rule is None:
        _fail(f"no rule {code}; `mhhsarch rules` lists them")
    typer.echo(f"{rule.code} {rule.name} (default severity: {rule.severity.value}, family: {rule.family})\n")
    typer.echo(rule.doc)
    typer.echo(f"\nTo change it, in mhhsarch.yaml:\n  rules:\n    {rule.code}: warning   # or error, info, off")


@app.command()
def schema(out: Path = typer.Option(..., "--out", help="Folder to write the JSON Schemas to.")) -> None:
    """Write the JSON Schemas (one per kind, plus one for whole model files) for editors."""
    from mhhsarch.checks.schema import load_schema, schema_names
    import json

    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in schema_names():
            (out / name).write_text(json.dumps(load_schema(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write to {out}: {error.strerror or error}")
    typer.echo(f"Wrote {len(schema_names())} schemas to {out}")


@app.command()
def stats(
    model_dir: Path = typer.Argument(Path("model"), help="The model folder."),
    fmt: StatsFormat = typer.Option(StatsFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """Counts per kind, tranche, status, transport and classification."""
    import json

    from mhhsarch.pipeline import check_model
    from mhhsarch.stats import model_stats, render_stats_table

    checked = check_model(_model_dir(model_dir))
    data = model_stats(checked.model)
    if fmt is StatsFormat.json:
        typer.echo(json.dumps(data, indent=2))
    else:
        render_stats_table(data)
    if checked.has_errors:
        typer.echo("note: the model has errors; entities that failed their schema are not counted. "
                   "`mhhsarch validate` lists them.", err=True)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
