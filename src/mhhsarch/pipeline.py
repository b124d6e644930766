"""The one place the stages are wired: load -> build graph -> check (-> render).

load_model      files -> entities (schema pass) -> Model
ModelGraph      Model -> graph of references
run_rules       Model + graph -> findings
stamp           findings -> diagnostics with configured severity
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mhhsarch.diagnostics.core import Diagnostic, Severity

if TYPE_CHECKING:
    from mhhsarch.graph import ModelGraph
    from mhhsarch.model.model import Model
    from mhhsarch.render.publish import Published
    from mhhsarch.source.loader import LoadResult


@dataclass
class Checked:
    """A loaded and validated model, ready for rendering or reporting."""

    model: Model
    graph: ModelGraph
    diagnostics: list[Diagnostic]
    load: LoadResult

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0


def check_model(model_dir: Path) -> Checked:
    # imported here: a no-op re-render (render/publish.py: republish) needs none of them
    from mhhsarch.checks.registry import load_all_rules
    from mhhsarch.checks.runner import run_rules, stamp
    from mhhsarch.graph import ModelGraph
    from mhhsarch.source.loader import load_model, unknown_rule_codes

    with _no_cyclic_gc():
        rules = load_all_rules()
        loaded = load_model(Path(model_dir))
        graph = ModelGraph(loaded.model)
        found = list(loaded.problems)
        found += unknown_rule_codes(loaded.model.config, set(rules))
        found += run_rules(loaded.model, graph, rules, complete=loaded.complete)
        diagnostics = stamp(found, loaded.model.config, rules)
    return Checked(loaded.model, graph, diagnostics, loaded)


@contextmanager
def _no_cyclic_gc():
    """Loading allocates hundreds of thousands of small objects (YAML nodes, marks,
    entities) that all stay alive; the cyclic collector would walk them again and
    again for nothing (measured: loading twice as slow with it on). Reference
    counting still frees garbage; afterwards the survivors are frozen so later
    collections (while rendering) skip them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


# --- render ---------------------------------------------------------------------------------


class RenderRefused(Exception):
    """A render that cannot start (a usage or environment problem: exit 2); nothing was touched."""


class ModelHasErrors(Exception):
    """The model has errors and `force` was not given: nothing was rendered (exit 1)."""

    def __init__(self, checked: Checked):
        super().__init__("the model has errors; nothing was rendered (use --force to render anyway)")
        self.checked = checked


@dataclass(frozen=True)
class RenderRequest:
    """What `mhhsarch render` was asked to do."""

    model_dir: Path
    out: Path
    tranche: int | None = None
    only: str | None = None  # comma-separated renderer names, None: all
    pdf: bool = False
    jobs: int = 0  # 0: every core
    template_dir: Path | None = None
    force: bool = False
    baseline: str | None = None  # a git revision or folder: red-lined documents and a release note
    select: str | None = None  # selectors (change/select.py): publish only these processes and interfaces
    no_cache: bool = False  # --no-cache: render every artefact, reuse nothing from the cache


def render(request: RenderRequest, progress: Callable[[str, int, int], None] | None = None) -> Published:
    """Validate the model and publish its artefacts into `request.out`.

    The cheap checks come first, before the renderers are imported and the model is
    read: a refused --out or a bad SOURCE_DATE_EPOCH is reported at once. Raises
    RenderRefused (nothing touched), ModelHasErrors, RenderError (the output folder
    left as it was) or KeyboardInterrupt (Ctrl-C, SIGTERM; likewise)."""
    from mhhsarch.render.base import RenderError
    from mhhsarch.render.outdir import OutputFolderError, check_output_folder
    from mhhsarch.render.publish import environment_epoch, model_provenance, publish, source_date_epoch
    from mhhsarch.render.templates import template_folders

    model_dir, out = Path(request.model_dir), Path(request.out)
    if request.template_dir is not None:
        if not request.template_dir.exists():
            raise RenderRefused(f"template folder '{request.template_dir}' does not exist")
        if not request.template_dir.is_dir():
            raise RenderRefused(
                f"template folder '{request.template_dir}' is not a folder (pass the folder that holds the templates)"
            )
    if request.jobs < 0:
        raise RenderRefused("--jobs must be 0 (all cores) or more")
    try:
        environment_epoch()
        check_output_folder(out, model_dir, request.template_dir)
    except (RenderError, OutputFolderError) as error:
        raise RenderRefused(str(error)) from None
    provenance = model_provenance(model_dir)
    key = None
    if request.baseline is None:
        # the same model files, templates, options, commit and tool as the last render into
        # `out` (with --no-cache too, which refills the cache): its files come back from the
        # cache, nothing is loaded or rendered again
        from mhhsarch.render.cache import run_key
        from mhhsarch.render.publish import republish

        folders = [("model", model_dir)] + [
            (f"templates{n}", f) for n, f in enumerate(template_folders(request.template_dir, model_dir))
        ]
        facts = {
            "request": [request.tranche, request.only, request.pdf, request.force, request.select],
            "template_dir": str(request.template_dir.resolve()) if request.template_dir else None,
            "epoch": os.environ.get("SOURCE_DATE_EPOCH", "").strip(),
            "provenance": provenance,
        }
        key = run_key(facts, folders)
        try:
            again = None if request.no_cache else republish(out, key)
        except RenderError as error:
            raise RenderRefused(str(error)) from None
        if again is not None:
            _write_timings({"stages": {"republish": again.seconds}}, again.seconds)
            return again
    from mhhsarch.change.history import histories
    from mhhsarch.machine import cpu_count
    from mhhsarch.render.base import RenderContext, RenderOptions
    from mhhsarch.render.registry import all_renderers

    only = request.only
    if request.baseline is not None and only is not None and only.strip(", "):
        only += ",redline"  # --baseline asks for the red-lined documents of what this run renders
    renderers, wanted = select_renderers(all_renderers(), only, request.pdf)

    timings: dict = {"stages": {}}
    started = time.perf_counter()
    checked = check_model(model_dir)
    timings["stages"]["load and check"] = time.perf_counter() - started
    if checked.has_errors and not request.force:
        raise ModelHasErrors(checked)
    tranches = checked.model.tranches
    if request.tranche is not None and request.tranche not in tranches:
        defined = ", ".join(map(str, tranches)) or "none"
        raise RenderRefused(f"tranche {request.tranche} is not defined in the model (tranches: {defined})")

    try:
        epoch = source_date_epoch(provenance)
    except RenderError as error:
        raise RenderRefused(str(error)) from None
    with ExitStack() as stack:
        baseline = _baseline(request, model_dir, stack)
        selected = _selected(request, checked, baseline)
    options = RenderOptions(
        tranche=request.tranche,
        only=wanted,
        jobs=request.jobs or cpu_count(),
        pdf=request.pdf,
        template_dir=request.template_dir,
        template_folders=template_folders(request.template_dir, model_dir),
        source_date_epoch=epoch,
        selected=selected,
        baseline=baseline,
        history=histories(checked.model, model_dir),
    )
    probe = RenderContext(checked.model, checked.graph, out, options)
    for renderer in renderers:
        missing = renderer.available(probe)
        if missing:
            raise RenderRefused(f"{renderer.name}: {missing}")
    timings["stages"]["options"] = time.perf_counter() - started - timings["stages"]["load and check"]
    published = publish(
        checked.model, checked.graph, out, renderers, options, provenance, progress, not request.no_cache, timings, key
    )
    _write_timings(timings, published.seconds)
    return published


def _write_timings(timings: dict, seconds: float) -> None:
    """$MHHSARCH_TIMINGS names a file: the seconds of each stage and renderer go there as
    JSON (benchmarks/bench_scale.py reads them); nothing otherwise."""
    target = os.environ.get("MHHSARCH_TIMINGS")
    if not target:
        return
    timings["stages"]["publish"] = seconds
    with contextlib.suppress(OSError):
        Path(target).write_text(json.dumps(timings, indent=1, sort_keys=True), encoding="utf-8")


def _baseline(request: RenderRequest, model_dir: Path, stack: ExitStack):
    """The model at --baseline, checked (a revision that cannot be read or has errors is refused)."""
    if request.baseline is None:
        return None
    from mhhsarch.change.revisions import RevisionError, model_at
    from mhhsarch.render.base import Baseline

    try:
        folder = stack.enter_context(model_at(request.baseline, model_dir))
    except RevisionError as error:
        raise RenderRefused(str(error)) from None
    base = check_model(folder)
    if base.has_errors:
        raise RenderRefused(f"the model at {request.baseline} has errors; `mhhsarch validate` lists them")
    from mhhsarch.change.revisions import commit_time

    return Baseline(request.baseline, base.model, base.graph, commit_time(request.baseline, model_dir))


def _selected(request: RenderRequest, checked: Checked, baseline) -> frozenset | None:
    """The processes and interfaces --select names (None: no selection)."""
    if request.select is None:
        return None
    from mhhsarch.change.diff import diff_models
    from mhhsarch.change.select import SelectorError, select

    modified: set[tuple[str, object]] | None = None
    if baseline is not None:
        changes = diff_models(baseline.model, checked.model, checked.graph, baseline.graph)
        modified = {(c.kind, c.id) for c in changes}
    try:
        nodes = select(checked.model, checked.graph, [request.select], modified)
    except SelectorError as error:
        raise RenderRefused(str(error)) from None
    chosen = frozenset(n for n in nodes if n[0] in ("process", "interface"))
    if not chosen:
        raise RenderRefused(f"--select {request.select!r} selects no process or interface")
    return chosen


def select_renderers(renderers: list, only: str | None, pdf: bool) -> tuple[list, frozenset[str] | None]:
    """The renderers a run uses and the --only set (None: all). A selection of nothing is
    refused: an empty render must not replace a previous output."""
    from mhhsarch.render.registry import with_requirements

    names = {r.name for r in renderers}
    wanted = None
    if only is not None:
        wanted = frozenset(n.strip() for n in only.split(",") if n.strip())
        if not wanted:
            raise RenderRefused(f"--only {only!r} names no renderer; choose from {', '.join(sorted(names))}")
        unknown = sorted(wanted - names)
        if unknown:
            raise RenderRefused(f"unknown renderer(s) {', '.join(unknown)}; choose from {', '.join(sorted(names))}")
        if pdf:  # --pdf asks for PDFs of the documents this run renders, also with --only
            wanted |= {"pdf"}
        wanted = with_requirements(wanted, renderers)
        renderers = [r for r in renderers if r.name in wanted]
    if not pdf:
        renderers = [r for r in renderers if r.name != "pdf"]
    if not renderers:
        raise RenderRefused(f"--only {only} selects nothing to render (pdf converts documents, and only with --pdf)")
    return renderers, wanted
