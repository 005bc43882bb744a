"""`supportbot export training-data`: data to fine-tune a generative model elsewhere."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import container, errors

export_app = typer.Typer(help="Export data for use elsewhere.", no_args_is_help=True)


@export_app.command("training-data")
def training_data(
    fmt: Annotated[str, typer.Option("--format", help="openai-chat (JSONL) or csv")] = "openai-chat",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")] = None,
    scripts: Annotated[bool, typer.Option("--scripts/--no-scripts", help="Include the scripts' examples")] = True,
    reviewed: Annotated[bool, typer.Option("--reviewed/--no-reviewed", help="Include answers labelled correct")] = True,
) -> None:
    """Scripts' example conversations and answers a support lead marked correct."""
    from bot.training_export import EXPORT_FORMATS, reviewed_pairs, script_pairs, write_pairs

    if fmt not in EXPORT_FORMATS:
        errors.print(f"[red]unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}[/red]")
        raise typer.Exit(2)
    with container() as c, c.sessions() as session:
        if scripts and c.scripts.problems:
            errors.print("[yellow]Some scripts have problems and are left out (see `supportbot scripts validate`).[/yellow]")
        pairs = itertools.chain(script_pairs(c.scripts) if scripts else (), reviewed_pairs(session) if reviewed else ())
        if output is None:
            count = write_pairs(pairs, fmt, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = write_pairs(pairs, fmt, handle)
    errors.print(f"{count} examples written" + (f" to {output}" if output else ""))
