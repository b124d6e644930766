"""The command line: options in, pipeline called, diagnostics printed, exit status out.

Exit status (stable; CI depends on it): 0 success, 1 model errors (or warnings
with --strict), 2 usage or environment problems.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import typer

from mhhsarch import __version__

# Help texts go through rich markup: no square brackets in them.
ROOT_EXAMPLES = """Examples:

  mhhsarch init demo && cd demo && mhhsarch validate && mhhsarch render

  mhhsarch validate --strict                 (the model found from the current folder)

  mhhsarch -q validate model --format github

  mhhsarch rules R302

  mhhsarch --install-completion              (completion for your shell; then restart it)
"""

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="Model-driven architecture repository for the MHHS design: validate the YAML model and publish artefacts.",
    epilog=ROOT_EXAMPLES,
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
    gitlab = "gitlab"


class StatsFormat(str, Enum):
    text = "text"
    json = "json"


@dataclass(frozen=True)
class Settings:
    """The root options every command sees (`ctx.obj`)."""

    quiet: bool = False
    verbose: bool = False


def _settings(ctx: typer.Context) -> Settings:
    found = ctx.find_object(Settings)
    return found if found is not None else Settings()


def _say(ctx: typer.Context, message: str) -> None:
    """A -v line on stderr (stdout stays the report)."""
    if _settings(ctx).verbose:
        typer.echo(f"mhhsarch: {message}", err=True)


def _fail(message: str) -> None:
    typer.echo(f"mhhsarch: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _model_dir(path: Path) -> Path:
    if not path.exists():
        _fail(f"model folder '{path}' does not exist")
    if not path.is_dir():
        _fail(f"'{path}' is not a folder")
    return path


MODEL_DIR_HELP = "The model folder (default: the folder of mhhsarch.yaml, found from the current folder upwards)."


def _named_or_found_model_dir(ctx: typer.Context, named: Path | None) -> Path:
    """MODEL_DIR as given, or the model found from the current folder (mhhsarch.project)."""
    if named is not None:
        _say(ctx, f"model folder {named}")
        return _model_dir(named)
    from mhhsarch.project import find_model_dir

    found = find_model_dir()
    _say(ctx, f"model folder {found.path} ({found.how})")
    if not found.path.is_dir():
        _fail(
            f"no model folder: no mhhsarch.yaml in the current folder or above it, and no '{found.path}' here; "
            "name the folder (mhhsarch validate DIR) or create a model with `mhhsarch init`"
        )
    return found.path


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mhhsarch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Say less: one line per finding (no source lines, no summary), nothing on success."
    ),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Say more on stderr: which model folder and why, what was read, how long it took.",
    ),
) -> None:
    if quiet and verbose:
        _fail("-q (--quiet) and -v (--verbose) cannot be used together")
    ctx.obj = Settings(quiet=quiet, verbose=verbose)


VALIDATE_EXAMPLES = """Exit status: 0 no errors (warnings allowed unless --strict), 1 findings, 2 usage or environment problems.

Examples:

  mhhsarch validate                                  (from the repository or any folder of the model)

  mhhsarch validate model --strict --format github   (annotations in GitHub Actions)

  mhhsarch validate model --format sarif --output mhhsarch.sarif

  mhhsarch validate model --format gitlab --output gl-code-quality-report.json
"""


@app.command(epilog=VALIDATE_EXAMPLES)
def validate(
    ctx: typer.Context,
    model_dir: Path | None = typer.Argument(None, help=MODEL_DIR_HELP, show_default=False),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
) -> None:
    """Check the model's files, schemas and cross-references; report every problem at file:line:col."""
    import time

    from mhhsarch.checks.registry import load_all_rules
    from mhhsarch.diagnostics import formatters
    from mhhsarch.diagnostics.core import Severity
    from mhhsarch.pipeline import check_model

    settings = _settings(ctx)
    folder = _named_or_found_model_dir(ctx, model_dir)
    started = time.perf_counter()
    checked = check_model(folder)
    rules = load_all_rules()
    _say(
        ctx,
        f"read {len(checked.load.files)} files, {sum(checked.model.count().values())} entities; "
        f"{len(rules)} rules; {time.perf_counter() - started:.2f}s",
    )
    report = formatters.report_of(
        checked,
        strict=strict,
        rules=rules,
        colour=output is None and formatters.use_colour(sys.stdout),
        quiet=settings.quiet,
    )
    try:
        formatters.write(report, fmt.value, str(output) if output else None)
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    if output is not None and fmt is not OutputFormat.text and not settings.quiet:
        typer.echo(formatters.summary_line(report), err=True)
    failing = checked.count(Severity.ERROR) + (checked.count(Severity.WARNING) if strict else 0)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


@app.command()
def render(
    model_dir: Path = typer.Argument(Path("model"), help="The model folder."),
    out: Path = typer.Option(Path("out"), "--out", help="Output folder (replaced atomically)."),
    tranche: int | None = typer.Option(None, "--tranche", help="Publish only this tranche's artefacts."),
    only: str | None = typer.Option(None, "--only", help="Comma-separated renderer names (see --list)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also convert the Word documents to PDF (needs LibreOffice)."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Parallel jobs (default: number of cores)."),
    template: Path | None = typer.Option(None, "--template", help="Folder of templates overriding the bundled ones."),
    force: bool = typer.Option(False, "--force", help="Render even when the model has errors."),
    list_renderers: bool = typer.Option(False, "--list", help="List the renderers and exit."),
) -> None:
    """Publish the model's artefacts (diagrams, documents, catalogue, manifest) into OUT."""
    from mhhsarch.diagnostics import formatters
    from mhhsarch.diagnostics.core import Severity
    from mhhsarch.machine import cpu_count
    from mhhsarch.pipeline import check_model
    from mhhsarch.render.base import RenderOptions
    from mhhsarch.render.publish import RenderError, model_provenance, source_date_epoch
    from mhhsarch.render.registry import all_renderers, with_requirements

    renderers = all_renderers()
    if list_renderers:
        for r in renderers:
            typer.echo(f"{r.name:<14} {r.title}")
        return
    names = {r.name for r in renderers}
    wanted = None
    if only:
        wanted = frozenset(n.strip() for n in only.split(",") if n.strip())
        unknown = sorted(wanted - names)
        if unknown:
            _fail(f"unknown renderer(s) {', '.join(unknown)}; choose from {', '.join(sorted(names))}")
        if pdf:  # --pdf asks for PDFs of the documents this run renders, also with --only
            wanted |= {"pdf"}
        wanted = with_requirements(wanted, renderers)
        renderers = [r for r in renderers if r.name in wanted]
    if not pdf:
        renderers = [r for r in renderers if r.name != "pdf"]
    if template is not None and not template.is_dir():
        _fail(f"template folder '{template}' does not exist")
    if jobs < 0:
        _fail("--jobs must be 0 (all cores) or more")

    checked = check_model(_model_dir(model_dir))
    errors = checked.count(Severity.ERROR)
    if errors and not force:
        report = formatters.report_of(
            checked,
            diagnostics=[d for d in checked.diagnostics if d.severity is Severity.ERROR],
            colour=formatters.use_colour(sys.stderr),
        )
        sys.stderr.write(formatters.format_text(report))
        typer.echo("mhhsarch: the model has errors; nothing was rendered (use --force to render anyway)", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    if tranche is not None and tranche not in checked.model.tranches:
        _fail(
            f"tranche {tranche} is not defined in the model (tranches: {', '.join(map(str, checked.model.tranches)) or 'none'})"
        )

    provenance = model_provenance(model_dir)
    options = RenderOptions(
        tranche=tranche,
        only=wanted,
        jobs=jobs or cpu_count(),
        pdf=pdf,
        template_dir=template,
        source_date_epoch=source_date_epoch(provenance),
    )
    from mhhsarch.render.base import RenderContext

    probe = RenderContext(checked.model, checked.graph, out, options)
    for r in renderers:
        missing = r.available(probe)
        if missing:
            _fail(f"{r.name}: {missing}")

    try:
        published = _publish_with_progress(checked, out, renderers, options, provenance)
    except RenderError as error:
        _fail(f"render failed, {out} left as it was: {error}")
    except OSError as error:  # the output folder cannot be made or written
        _fail(f"render failed, {out} left as it was: {error.strerror or error}: {error.filename or out}")
    except KeyboardInterrupt:
        typer.echo(f"interrupted; {out} left as it was", err=True)
        raise typer.Exit(130) from None
    kinds: dict[str, int] = {}
    for a in published.artefacts:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    typer.echo(
        f"Rendered {len(published.artefacts)} artefacts to {out} in {published.seconds:.1f}s ({summary}); manifest: {out / 'manifest.json'}"
    )


def _publish_with_progress(checked, out, renderers, options, provenance):
    from mhhsarch.render.publish import publish

    if not sys.stderr.isatty():  # CI logs: one plain line per finished job

        def plain(name: str, done: int, total: int) -> None:
            typer.echo(f"  [{done}/{total}] {name}", err=True)

        return publish(checked.model, checked.graph, out, renderers, options, provenance, plain)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]rendering"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name)

        return publish(checked.model, checked.graph, out, renderers, options, provenance, update)


def _complete_rule_code(incomplete: str) -> list[tuple[str, str]]:
    from mhhsarch.checks.registry import load_all_rules

    return [(r.code, r.name) for r in load_all_rules().values() if r.code.startswith(incomplete.upper())]


RULES_EXAMPLES = """Examples:

  mhhsarch rules

  mhhsarch rules R302

  mhhsarch rules --format json
"""


@app.command(epilog=RULES_EXAMPLES)
def rules(
    code: str | None = typer.Argument(
        None, help="Explain one rule, e.g. R302.", autocompletion=_complete_rule_code, show_default=False
    ),
    fmt: StatsFormat = typer.Option(StatsFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """List the rule codes, or explain one."""
    from mhhsarch.checks.registry import load_all_rules

    registry = load_all_rules()
    if code is not None and code.upper() not in registry:
        _fail(f"no rule {code}; `mhhsarch rules` lists them")
    if fmt is StatsFormat.json:
        import json

        chosen = [registry[code.upper()]] if code else list(registry.values())
        described = [_rule_as_data(rule) for rule in chosen]
        typer.echo(json.dumps(described[0] if code else described, indent=2, ensure_ascii=False))
        return
    if code is None:
        width = max(len(r.name) for r in registry.values())
        for rule in registry.values():
            typer.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<{width}}  {rule.summary}")
        typer.echo(
            "\n`mhhsarch rules CODE` explains one; `rules:` in mhhsarch.yaml changes a severity or turns a rule off."
        )
        return
    rule = registry[code.upper()]
    typer.echo(f"{rule.code} {rule.name} (default severity: {rule.severity.value}, family: {rule.family})\n")
    typer.echo(rule.doc)
    typer.echo(f"\nTo change it, in mhhsarch.yaml:\n  rules:\n    {rule.code}: warning   # or error, info, off")


def _rule_as_data(rule) -> dict:
    from mhhsarch.checks.ruledocs import help_uri

    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.value,
        "family": rule.family,
        "summary": rule.summary,
        "why": rule.section("Why"),
        "bad": rule.section("Bad"),
        "good": rule.section("Good"),
        "help_uri": help_uri(rule),
    }


SCHEMA_EXAMPLES = """Examples:

  mhhsarch schema --out schemas

  check-jsonschema --schemafile schemas/model-file.schema.json model/interfaces/IF-021.yaml
"""


@app.command(epilog=SCHEMA_EXAMPLES)
def schema(
    ctx: typer.Context, out: Path = typer.Option(..., "--out", help="Folder to write the JSON Schemas to.")
) -> None:
    """Write the JSON Schemas (one per kind, plus one for whole model files) for editors."""
    from mhhsarch.schema_export import write_schemas

    try:
        written = write_schemas(out)
    except OSError as error:
        _fail(f"cannot write to {out}: {error.strerror or error}")
    if not _settings(ctx).quiet:
        typer.echo(f"Wrote {len(written)} schemas to {out}")


STATS_EXAMPLES = """Examples:

  mhhsarch stats

  mhhsarch stats model --format json
"""


@app.command(epilog=STATS_EXAMPLES)
def stats(
    ctx: typer.Context,
    model_dir: Path | None = typer.Argument(None, help=MODEL_DIR_HELP, show_default=False),
    fmt: StatsFormat = typer.Option(StatsFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """Counts per kind, tranche, status, transport and classification."""
    import json

    from mhhsarch.pipeline import check_model
    from mhhsarch.stats import model_stats, render_stats_table

    checked = check_model(_named_or_found_model_dir(ctx, model_dir))
    data = model_stats(checked.model)
    if fmt is StatsFormat.json:
        typer.echo(json.dumps(data, indent=2))
    else:
        render_stats_table(data)
    if checked.has_errors and not _settings(ctx).quiet:
        typer.echo(
            "note: the model has errors; entities that failed their schema are not counted. "
            "`mhhsarch validate` lists them.",
            err=True,
        )


INIT_EXAMPLES = """It writes a model with one entity of each kind that validates clean with --strict
(model/, with mhhsarch.yaml), the JSON Schemas (schemas/), editor settings (.vscode/settings.json),
a CI workflow (.github/workflows/mhhsarch.yml), a pre-commit configuration and a README.
It never overwrites a file: DIR must be empty or new.

Examples:

  mhhsarch init demo && cd demo && mhhsarch validate --strict && mhhsarch render

  mhhsarch init .                   (in a new, empty repository)
"""


@app.command(epilog=INIT_EXAMPLES)
def init(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help="The folder to create the model repository in (new or empty)."),
    name: str | None = typer.Option(None, "--name", help="The model's name (default: the folder's name)."),
) -> None:
    """Start a model repository: a minimal model, schemas, editor settings, CI and a README."""
    from mhhsarch.scaffold import ScaffoldError, scaffold

    try:
        written = scaffold(folder, name)
    except ScaffoldError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot create the model in {folder}: {error.strerror or error}: {error.filename or folder}")
    if _settings(ctx).verbose:
        for path in written:
            typer.echo(f"  {path}", err=True)
    if not _settings(ctx).quiet:
        typer.echo(
            f"Created a model repository in {folder} ({len(written)} files). Next:\n"
            f"  cd {folder}\n  mhhsarch validate --strict\n  mhhsarch render"
        )


def main() -> None:
    try:
        app(prog_name="mhhsarch")
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
