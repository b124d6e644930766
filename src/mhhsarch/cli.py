"""The command line: options in, pipeline called, diagnostics printed, exit status out.

Exit status (stable; CI depends on it): 0 success, 1 model errors (or warnings
with --strict), 2 usage or environment problems.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import NoReturn

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
        from mhhsarch.diagnostics.core import printable

        typer.echo(f"mhhsarch: {printable(message)}", err=True)


def _fail(message: str) -> NoReturn:
    from mhhsarch.diagnostics.core import printable

    # paths and values in messages come from the user: no raw control character reaches the terminal
    typer.echo(f"mhhsarch: error: {printable(message)}", err=True)
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
    ctx: typer.Context,
    model_dir: Path | None = typer.Argument(None, help=MODEL_DIR_HELP, show_default=False),
    out: Path = typer.Option(
        Path("out"),
        "--out",
        help="Output folder, replaced atomically; only a new, empty or earlier render's folder is accepted.",
    ),
    tranche: int | None = typer.Option(None, "--tranche", help="Publish only this tranche's artefacts."),
    only: str | None = typer.Option(None, "--only", help="Comma-separated renderer names (see --list)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also convert the Word documents to PDF (needs LibreOffice)."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Parallel jobs (default: number of cores)."),
    template: Path | None = typer.Option(None, "--template", help="Folder of templates overriding the bundled ones."),
    force: bool = typer.Option(False, "--force", help="Render even when the model has errors."),
    baseline: str | None = typer.Option(
        None, "--baseline", help="A git revision or folder: also write red-lined documents and a release note."
    ),
    select: str | None = typer.Option(
        None, "--select", help="Publish only these: IF-021+, kind:interface,tranche:2, state:modified ..."
    ),
    list_renderers: bool = typer.Option(False, "--list", help="List the renderers and exit."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Render every artefact; reuse nothing from the cache beside OUT."
    ),
) -> None:
    """Publish the model's artefacts (diagrams, documents, catalogue, manifest) into OUT."""
    import signal

    from mhhsarch.diagnostics import formatters
    from mhhsarch.diagnostics.core import Severity
    from mhhsarch.pipeline import ModelHasErrors, RenderRefused, RenderRequest
    from mhhsarch.render.base import RenderError

    if list_renderers:
        from mhhsarch.render.registry import all_renderers

        for r in all_renderers():
            typer.echo(f"{r.name:<14} {r.title}")
        return
    model_dir = _named_or_found_model_dir(ctx, model_dir)
    quiet = _settings(ctx).quiet
    request = RenderRequest(model_dir, out, tranche, only, pdf, jobs, template, force, baseline, select, no_cache)
    try:
        published = _render_with_progress(request, quiet)
    except RenderRefused as error:
        _fail(str(error))
    except ModelHasErrors as error:
        report = formatters.report_of(
            error.checked,
            diagnostics=[d for d in error.checked.diagnostics if d.severity is Severity.ERROR],
            colour=formatters.use_colour(sys.stderr),
        )
        sys.stderr.write(formatters.format_text(report))
        typer.echo(f"mhhsarch: {error}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    except RenderError as error:
        _fail(f"render failed, {out} left as it was: {error}")
    except OSError as error:  # the output folder cannot be made or written
        _fail(f"render failed, {out} left as it was: {error.strerror or error}: {error.filename or out}")
    except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM/SIGHUP (publish.Interrupted)
        signum = getattr(error, "signum", signal.SIGINT)
        typer.echo(f"mhhsarch: interrupted by {signal.Signals(signum).name}; {out} left as it was", err=True)
        raise typer.Exit(128 + signum) from None
    from mhhsarch.diagnostics.core import printable

    for warning in published.warnings:
        typer.echo(f"mhhsarch: warning: {printable(warning)}", err=True)
    if quiet:
        return
    kinds: dict[str, int] = {}
    for a in published.artefacts:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    reused = f", {len(published.reused)} reused from the cache" if published.reused else ""
    typer.echo(
        f"Rendered {len(published.artefacts)} artefacts to {out} in {published.seconds:.1f}s ({summary}{reused}); "
        f"manifest: {out / 'manifest.json'}"
    )


def _render_with_progress(request, quiet: bool = False):
    """pipeline.render with a progress bar on a terminal, one plain line per finished job in CI
    (nothing with -q)."""
    from mhhsarch.pipeline import render

    if quiet:
        return render(request)
    if not sys.stderr.isatty():

        def plain(name: str, done: int, total: int) -> None:
            typer.echo(f"  [{done}/{total}] {name}", err=True)

        return render(request, plain)

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

        return render(request, update)


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
        for each in registry.values():
            typer.echo(f"{each.code}  {each.severity.value:<7}  {each.name:<{width}}  {each.summary}")
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
    if checked.has_errors:
        if not _settings(ctx).quiet:
            typer.echo(
                "note: the model has errors; entities that failed their schema are not counted. "
                "`mhhsarch validate` lists them.",
                err=True,
            )
        raise typer.Exit(EXIT_FINDINGS)


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


class FailOn(str, Enum):
    breaking = "breaking"
    any = "any"


def _checked_at(revision: str | None, model_dir: Path, stack):
    """The model checked at `revision` (None: the working tree); a revision or model with
    errors is a one-line error, exit 2 (a diff of a broken model would mislead)."""
    from mhhsarch.change.revisions import RevisionError, model_at
    from mhhsarch.pipeline import check_model

    try:
        folder = stack.enter_context(model_at(revision, model_dir))
    except RevisionError as error:
        _fail(str(error))
    checked = check_model(folder)
    if checked.has_errors:
        _fail(f"the model at {revision or 'the working tree'} has errors; `mhhsarch validate` lists them")
    return checked


@app.command()
def diff(
    base: str = typer.Argument(..., help="The baseline: a git revision (tag, branch, commit) or a model folder."),
    head: str | None = typer.Argument(None, help="The revision to compare (default: the working tree)."),
    model_dir: Path = typer.Option(Path("model"), "--model", help="The model folder (in the working tree)."),
    fmt: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f", help="Output format."),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help="Exit 1 when a change of this class (or any) exists."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
) -> None:
    """Entity- and field-level changes between two revisions, each classified breaking,
    non-breaking or editorial, with the artefacts it alters.

    In CI: `mhhsarch diff origin/main --fail-on breaking --format markdown`.
    """
    from contextlib import ExitStack

    from mhhsarch.change.diff import BREAKING, diff_models, version_warnings
    from mhhsarch.change.report import FORMATS

    _model_dir(model_dir)
    with ExitStack() as stack:
        old = _checked_at(base, model_dir, stack)
        new = _checked_at(head, model_dir, stack)
        changes = diff_models(old.model, new.model, new.graph, old.graph)
        warnings = version_warnings(old.model, new.model, changes)
    text = FORMATS[fmt.value](changes, base, head or "working tree", warnings)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror or error}")
    else:
        typer.echo(text, nl=False)
    failing = [c for c in changes if fail_on is FailOn.any or (fail_on is FailOn.breaking and c.klass == BREAKING)]
    raise typer.Exit(EXIT_FINDINGS if fail_on is not None and failing else EXIT_OK)


@app.command()
def impact(
    selectors: list[str] = typer.Argument(..., help="Ids or selectors: IF-021, DI-0101+, kind:interface,tranche:2 ..."),
    model_dir: Path = typer.Option(Path("model"), "--model", help="The model folder."),
    baseline: str | None = typer.Option(None, "--baseline", help="For state:modified: the revision to compare with."),
    fmt: StatsFormat = typer.Option(StatsFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """What depends on the selected entities (processes, interfaces, roles, documents),
    transitively, with the path of references from each to what it depends on."""
    import json
    from contextlib import ExitStack

    from mhhsarch.change.diff import artefacts_of, diff_models
    from mhhsarch.change.select import SelectorError, impact_paths, select

    _model_dir(model_dir)
    with ExitStack() as stack:
        checked = _checked_at(None, model_dir, stack)
        modified = None
        if baseline is not None:
            old = _checked_at(baseline, model_dir, stack)
            modified = {
                (c.kind, _entity_key(c.kind, c.id)) for c in diff_models(old.model, checked.model, checked.graph)
            }
    model, graph = checked.model, checked.graph
    try:
        chosen = sorted(select(model, graph, selectors, modified), key=lambda n: (n[0], str(n[1])))
    except SelectorError as error:
        _fail(str(error))
    report: list[dict] = []
    for node in chosen:
        paths = impact_paths(graph, node)
        dependants = sorted(paths, key=lambda n: (len(paths[n]), n[0], str(n[1])))
        documents = sorted(
            {
                a
                for n in [node, *dependants]
                for a in artefacts_of(model, graph, n[0], n[1])
                if a.endswith((".docx", ".xlsx"))
            }
        )
        report.append(
            {
                "kind": node[0],
                "id": node[1],
                "dependants": [
                    {"kind": n[0], "id": n[1], "path": [f"{k} {i}" for k, i in paths[n]]} for n in dependants
                ],
                "documents": documents,
            }
        )
    if fmt is StatsFormat.json:
        typer.echo(json.dumps({"selected": report}, indent=2, ensure_ascii=False))
        return
    if not report:
        typer.echo("The selectors select nothing.")
    for entry in report:
        typer.echo(
            f"{entry['kind']} {entry['id']}: {len(entry['dependants'])} dependants, {len(entry['documents'])} documents"
        )
        for dependant in entry["dependants"]:
            typer.echo(f"  {dependant['kind']} {dependant['id']}  via " + " -> ".join(dependant["path"]))
        for document in entry["documents"]:
            typer.echo(f"  document {document}")


def _entity_key(kind: str, entity_id: str):
    return int(entity_id) if kind == "tranche" and entity_id.isdigit() else entity_id


comments_app = typer.Typer(
    help="The review loop: import returned comment forms and reviewed Word documents; list anchors.",
    no_args_is_help=True,
)
app.add_typer(comments_app, name="comments")

COMMENTS_IMPORT_EXAMPLES = """Examples:

  mhhsarch comments import returned/*.xlsx

  mhhsarch comments import IF-021-northwind.docx --organisation "Northwind Energy" --constituency "Supplier – Large"

  mhhsarch comments import returned/*.xlsx --dry-run
"""


@comments_app.command("import", epilog=COMMENTS_IMPORT_EXAMPLES)
def comments_import(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Returned comment forms (.xlsx) and reviewed Word documents (.docx)."),
    model_dir: Path | None = typer.Option(None, "--model", help=MODEL_DIR_HELP, show_default=False),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be added; write nothing."),
    into: Path | None = typer.Option(
        None, "--into", help="The reviews file to add to (default: reviews/imported-tranche-N.yaml in the model)."
    ),
    organisation: str | None = typer.Option(None, "--organisation", help="The organisation of Word comments."),
    constituency: str | None = typer.Option(None, "--constituency", help="The constituency of Word comments."),
    round_number: int | None = typer.Option(
        None, "--round", help="The review round of Word comments (default: the last that issued the document)."
    ),
) -> None:
    """Import comments from returned forms and Word documents into the model's reviews.

    Every row or Word comment is kept: placed in the model (ids after the highest), or,
    when it cannot be (unknown artefact, constituency missing or not configured), in
    reviews/.unplaced-comments.yaml; each problem is reported with its file, sheet, row
    and column. Importing the same file again adds nothing.
    """
    from mhhsarch.diagnostics.core import printable
    from mhhsarch.review import importer
    from mhhsarch.source.loader import load_model

    folder = _named_or_found_model_dir(ctx, model_dir)
    for path in files:
        if not path.is_file():
            _fail(f"cannot read {path}: no such file")
    model = load_model(folder).model
    if constituency is not None:
        known = importer.Resolver(model).constituency(constituency)
        if known is None:
            _fail(f"--constituency {constituency!r} is not one of: " + ", ".join(model.config.constituencies))
        constituency = known
    options = importer.Options(organisation or None, constituency, round_number)
    try:
        result = importer.run_import(model, folder, list(files), into, dry_run, options)
    except (importer.Unreadable, importer.WriteProblem) as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write: {error.strerror or error}: {error.filename or ''}")
    for problem in result.problems:
        typer.echo(f"mhhsarch: {printable(str(problem))}", err=True)
    verb = "Would add" if dry_run else "Added"
    for target, items in result.added.items():
        if dry_run or _settings(ctx).verbose:
            for item in items:
                where = item["artefact"] + (f" {item['anchor']}" if item.get("anchor") else "")
                said = " ".join(str(item.get("text", "")).split())[:60]
                typer.echo(printable(f"  {item['id']}  {where}  {item['constituency']}  {said}"))
        typer.echo(printable(f"{verb} {len(items)} comments to {target} ({items[0]['id']} to {items[-1]['id']})"))
    if result.unplaced or result.released:
        kept = "Would keep" if dry_run else "Kept"
        typer.echo(
            printable(
                f"{kept} {len(result.unplaced)} that cannot be placed in {result.unplaced_file}"
                + (f"; {result.released} placed now and taken out of it" if result.released else "")
            )
        )
    if not result.added and not result.unplaced:
        typer.echo("Nothing new to import" + (f" ({result.already} already imported)" if result.already else ""))
    elif result.already:
        typer.echo(f"{result.already} already imported")
    if result.problems:
        typer.echo(f"{len(result.problems)} problems reported above (every comment is kept)", err=True)


@comments_app.command("anchors")
def comments_anchors(
    ctx: typer.Context,
    artefact: str = typer.Argument(..., help="The artefact: BP005, IF-021, CATALOGUE, BRS007 ..."),
    model_dir: Path | None = typer.Option(None, "--model", help=MODEL_DIR_HELP, show_default=False),
    bookmarks: bool = typer.Option(False, "--bookmarks", help="Also show each anchor's Word bookmark."),
) -> None:
    """List the anchors a comment on ARTEFACT may name (its sections, steps, data items, codes, roles)."""
    import difflib

    from mhhsarch.diagnostics.core import printable
    from mhhsarch.review import anchors
    from mhhsarch.source.loader import load_model

    model = load_model(_named_or_found_model_dir(ctx, model_dir)).model
    if anchors.artefact(model, artefact) is None:
        known = [a.id for a in anchors.artefacts(model)]
        close = difflib.get_close_matches(artefact, known, n=1)
        _fail(f"{artefact!r} is not an artefact of the model" + (f"; did you mean {close[0]}?" if close else ""))
    listed = anchors.anchors(model, artefact)
    if not listed:
        typer.echo(f"{artefact} lists no anchors: a comment on it may name any `section:ID`, or none", err=True)
    width = max((len(a.id) for a in listed), default=0)
    for anchor in listed:
        line = f"{anchor.id:<{width}}  {anchor.label}"
        typer.echo(printable(line + (f"  [{anchors.bookmark_name(anchor.id)}]" if bookmarks else "")))


# --- the Design Artefact Tracker ---------------------------------------------------------


class TrackerFormat(str, Enum):
    text = "text"
    json = "json"
    xlsx = "xlsx"


TRACKER_EXAMPLES = """Examples:

  mhhsarch tracker                              every tranche and round
  mhhsarch tracker --tranche 1 --round 2        one round
  mhhsarch tracker --format xlsx -o tracker.xlsx  the workbook for the Design Advisory Group
"""


@app.command(epilog=TRACKER_EXAMPLES)
def tracker(
    ctx: typer.Context,
    model_dir: Path | None = typer.Argument(None, help=MODEL_DIR_HELP, show_default=False),
    tranche: int | None = typer.Option(None, "--tranche", help="Only this tranche."),
    round_number: int | None = typer.Option(None, "--round", help="Only this review round."),
    fmt: TrackerFormat = typer.Option(TrackerFormat.text, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file (required for xlsx)."),
) -> None:
    """The Design Artefact Tracker: per tranche and round, each artefact's comments by
    status, the constituencies that commented, the unresolved comments, the approval date."""
    import json

    from mhhsarch.pipeline import check_model
    from mhhsarch.review.tracker import as_json, as_text
    from mhhsarch.review.tracker import tracker as tracker_report

    if fmt is TrackerFormat.xlsx and output is None:
        _fail("--format xlsx writes a workbook: give --output FILE")
    checked = check_model(_named_or_found_model_dir(ctx, model_dir))
    if tranche is not None and tranche not in checked.model.tranches:
        _fail(f"the model has no tranche {tranche}")
    report = tracker_report(checked.model, tranche, round_number)
    if round_number is not None and not report.rounds:
        _fail(f"no tranche has a review round {round_number}" + (f" in tranche {tranche}" if tranche else ""))
    try:
        if fmt is TrackerFormat.xlsx:
            from mhhsarch.render.base import RenderError
            from mhhsarch.render.publish import model_provenance, source_date_epoch
            from mhhsarch.render.views.tracker import tracker_view
            from mhhsarch.render.writers.xlsx import write_xlsx

            assert output is not None
            try:
                epoch = source_date_epoch(model_provenance(Path(checked.model.root)))
            except RenderError as error:
                _fail(str(error))
            write_xlsx(tracker_view(report, checked.model.config.classification), output, epoch)
            _say(ctx, f"wrote {output}")
        else:
            text = (
                json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n"
                if fmt is TrackerFormat.json
                else as_text(report)
            )
            if output is not None:
                output.write_text(text, encoding="utf-8")
            else:
                typer.echo(text, nl=False)
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    if checked.has_errors and not _settings(ctx).quiet:
        typer.echo("note: the model has errors; comments that failed their schema are not counted.", err=True)
    raise typer.Exit(EXIT_FINDINGS if checked.has_errors else EXIT_OK)


templates_app = typer.Typer(help="The templates documents are rendered from (Word and Jinja2).", no_args_is_help=True)
app.add_typer(templates_app, name="templates")


@templates_app.command("export")
def templates_export(
    folder: Path = typer.Argument(..., help="Folder to write the templates to (e.g. templates/)."),
    force: bool = typer.Option(False, "--force", help="Overwrite templates already there."),
) -> None:
    """Write the bundled templates into FOLDER, for a team to edit and keep in its repository.

    mhhsarch then uses `templates/` at the root of the model's repository before the
    bundled ones; `render --template DIR` comes before both. Files already in FOLDER
    are kept unless --force.
    """
    from mhhsarch.render.templates import TEMPLATE_NAMES, export_templates

    try:
        written = export_templates(folder, overwrite=force)
    except OSError as error:
        _fail(f"cannot write to {folder}: {error.strerror or error}")
    kept = [name for name in TEMPLATE_NAMES if folder / name not in written]
    typer.echo(
        f"Wrote {len(written)} templates to {folder}" + (f"; kept {', '.join(kept)} (use --force)" if kept else "")
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


SERVE_EXAMPLES = """Serves on 127.0.0.1 only. Exit status: 0 when stopped (Ctrl-C, SIGTERM), 2 when it cannot start.

Examples:

  mhhsarch serve                        (the model found from the current folder, http://127.0.0.1:8000/)

  mhhsarch serve model --port 8080

  mhhsarch serve model --port 0         (any free port; the address is printed)
"""


@app.command(epilog=SERVE_EXAMPLES)
def serve(
    ctx: typer.Context,
    model_dir: Path | None = typer.Argument(None, help=MODEL_DIR_HELP, show_default=False),
    port: int = typer.Option(8000, "--port", "-p", help="The port on 127.0.0.1 (0: any free port)."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="serve's own folder for the site (default: a temporary folder, removed at the end); never a render's output.",
    ),
    template: Path | None = typer.Option(None, "--template", help="Folder of templates overriding the bundled ones."),
) -> None:
    """Preview the review site while you edit: rebuild on every change, reload the browser, show errors on the page."""
    from mhhsarch.serve import ServeError
    from mhhsarch.serve import serve as run_serve

    model_dir = _named_or_found_model_dir(ctx, model_dir)
    try:
        status = run_serve(model_dir, port=port, out=out, template_dir=template, verbose=_settings(ctx).verbose)
    except ServeError as error:
        _fail(str(error))
    raise typer.Exit(status)


def main() -> None:
    try:
        app(prog_name="mhhsarch")
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
