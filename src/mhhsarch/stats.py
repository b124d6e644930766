"""`mhhsarch stats`: what the model holds, counted."""

from __future__ import annotations

from collections import Counter

from mhhsarch.diagnostics.core import printable
from mhhsarch.model.kinds import KINDS
from mhhsarch.model.model import Model


def model_stats(model: Model) -> dict:
    def counted(values) -> dict:
        counter = Counter("(none)" if v is None else str(v) for v in values)
        return dict(sorted(counter.items()))

    processes, interfaces = model.processes.values(), model.interfaces.values()
    return {
        "model": {"name": model.config.name, "version": model.config.version, "baseline": model.config.baseline},
        "kinds": {KINDS[k].plural: n for k, n in model.count().items()},
        "steps": sum(len(p.steps) for p in processes),
        "processes_per_tranche": counted(p.tranche for p in processes),
        "interfaces_per_tranche": counted(i.tranche for i in interfaces),
        "processes_per_status": counted(p.status for p in processes),
        "interfaces_per_status": counted(i.status for i in interfaces),
        "interfaces_per_transport": counted(i.transport for i in interfaces),
        "data_items_per_classification": counted(d.classification for d in model.data_items.values()),
        "personal_data_items": sum(1 for d in model.data_items.values() if d.personal_data),
    }


def render_stats_table(data: dict) -> None:
    """The counts as a table on the terminal. Text from the model (its name, counted
    values) goes in as rich `Text`, never as markup, with unprintable characters
    escaped: a name such as "[red]x" or one holding an ESC sequence is shown as written."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    head = data["model"]
    title = printable(" ".join(str(x) for x in (head["name"], head["version"]) if x))
    table = Table(title=Text(title) if title else None, show_header=True, header_style="bold")
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, n in data["kinds"].items():
        table.add_row(kind, str(n))
    table.add_row("process steps", str(data["steps"]))
    console.print(table)
    for key in (
        "processes_per_tranche",
        "interfaces_per_tranche",
        "processes_per_status",
        "interfaces_per_status",
        "interfaces_per_transport",
        "data_items_per_classification",
    ):
        values = data[key]
        if values:
            line = ", ".join(f"{k}: {v}" for k, v in values.items())
            console.print(Text.assemble((key.replace("_", " "), "bold"), "  ", printable(line)))
    console.print(f"[bold]personal data items[/bold]  {data['personal_data_items']}")
