"""`supportbot models list / activate VERSION`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.context import console, container, errors

if TYPE_CHECKING:
    from bot.db.models import ScriptModelVersion
    from strategies.scripts import ScriptSet

models_app = typer.Typer(help="Trained script model versions.", no_args_is_help=True)


@models_app.command("list")
def list_models() -> None:
    """All trained versions with their calibrated threshold, validation metrics and how many of
    the leads' corrections (review console) each one keeps."""
    with container() as c:
        rows = c.script_models.all()
        scripts = c.scripts
    if not rows:
        console.print("No script model yet: run `supportbot train`.")
        return
    table = Table("active", "version", "created", "labels", "threshold", "on validation", "leads' corrections")
    for column in table.columns[1:3]:
        column.no_wrap = True
    for row in rows:
        table.add_row(
            "*" if row.is_active else "",
            row.version,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            str(len(row.labels)),
            _threshold(row.thresholds),
            "\n".join(_metric(k, v) for k, v in row.metrics.items() if "accuracy" in k or "recall" in k),
            str(row.metrics.get("train_corrections", 0)),
        )
    console.print(table)
    active = next((row for row in rows if row.is_active), None)
    if active is not None and scripts.scripts:
        say_model_freshness(scripts, active)


def say_model_freshness(scripts: ScriptSet, active: ScriptModelVersion) -> None:
    """Whether `active` was trained on `scripts` as they are now (a warning when not)."""
    from bot.model_freshness import model_freshness

    freshness = model_freshness(scripts, active)
    if freshness.current:
        console.print(freshness.describe(), highlight=False)
    else:
        errors.print(f"[yellow]{escape(freshness.describe())}[/yellow]", highlight=False)


def _threshold(thresholds: dict) -> str:
    value = thresholds.get("min_confidence")
    if not isinstance(value, (int, float)):
        return "none"
    score = thresholds.get("score")
    return f"{value:.3f}" + (f"\n{score}" if score else "")


_SHORT_NAMES = {"in_scope_accuracy": "in-scope", "oos_recall": "OOS recall"}


def _metric(name: str, value) -> str:
    name = name.removeprefix("validation_")
    label = _SHORT_NAMES.get(name, name.replace("_", " "))
    return f"{label} {value:.1%}" if isinstance(value, float) else f"{label} {value}"


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
