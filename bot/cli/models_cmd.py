"""`supportbot models list / activate VERSION`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bot.cli.context import console, container, errors

models_app = typer.Typer(help="Trained script model versions.", no_args_is_help=True)


@models_app.command("list")
def list_models() -> None:
    """All trained versions with their calibrated threshold and validation metrics."""
    with container() as c:
        rows = c.script_models.all()
    if not rows:
        console.print("No script model yet: run `supportbot train`.")
        return
    table = Table("active", "version", "created", "labels", "min confidence", "validation metrics")
    for row in rows:
        metrics = ", ".join(f"{k} {v}" for k, v in row.metrics.items() if "accuracy" in k or "recall" in k)
        table.add_row(
            "*" if row.is_active else "",
            row.version,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            str(len(row.labels)),
            str(row.thresholds.get("min_confidence")),
            metrics,
        )
    console.print(table)


@models_app.command("activate")
def activate(version: Annotated[str, typer.Argument(help="A version from `supportbot models list`")]) -> None:
    """Serve another trained version (it is loaded first; on failure the current one stays)."""
    from bot.script_models import ScriptModelError

    with container() as c:
        try:
            row = c.script_models.activate(version)
        except ScriptModelError as exc:
            errors.print(f"[red]{exc}[/red]", highlight=False)
            active = c.script_models.active()
            errors.print(f"Still serving {active.version if active else 'no script model'}.")
            raise typer.Exit(1) from None
    console.print(f"Now serving script model [bold]{row.version}[/bold].")
