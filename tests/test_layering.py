"""The layers stay layers: checked on the source, so a shortcut fails the suite.

* no import cycles between the package's modules (lazy imports included);
* writers take views, never the model: no writer module imports the model or the
  graph, and no writer function has a `model` or `graph` parameter;
* renderers do not import the orchestrator (`render/publish.py`): what they share
  with it (`RenderError`, the job types) lives in `render/base.py`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).parents[1] / "src" / "mhhsarch"
WRITERS = PACKAGE / "render" / "writers"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path) -> list[str]:
    """Every module `path` imports, at module level or inside a function (a lazy import
    is still a dependency), except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def import_graph() -> nx.DiGraph:
    known = modules()
    graph = nx.DiGraph()
    for name, path in known.items():
        graph.add_node(name)
        for target in imported(path):
            if target in known and target != name:
                graph.add_edge(name, target)
    return graph


def test_no_import_cycles():
    graph = import_graph()
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_writers_never_receive_the_model():
    assert WRITERS.is_dir()
    for path in sorted(WRITERS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in imported(path):
            assert not target.startswith(("mhhsarch.model", "mhhsarch.graph", "mhhsarch.pipeline")), (path.name, target)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for arg in node.args.args + node.args.kwonlyargs:
                    annotation = ast.unparse(arg.annotation) if arg.annotation else ""
                    assert arg.arg not in ("model", "graph", "ctx"), (path.name, node.name, arg.arg)
                    assert "Model" not in annotation and "RenderContext" not in annotation, (path.name, node.name)


def test_renderers_do_not_import_the_orchestrator():
    for name, path in modules().items():
        if name.startswith("mhhsarch.render.") and name != "mhhsarch.render.publish":
            source = path.read_text(encoding="utf-8")
            assert "mhhsarch.render.publish" not in source, name
