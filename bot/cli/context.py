"""Builds the container for a CLI command and turns known errors into clean exits."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console

from bot.catalog import SourceCatalogError
from bot.container import Container
from bot.settings import Settings

console = Console()
errors = Console(stderr=True)


def _quiet_libraries() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


@contextmanager
def container(migrate: bool = True) -> Iterator[Container]:
    _quiet_libraries()
    try:
        settings = Settings()
    except ValidationError as exc:
        errors.print(f"[red]Invalid settings:[/red] {exc}")
        raise typer.Exit(2) from None
    built = Container(settings)
    if migrate:
        built.init_db()
    try:
        yield built
        for notice in built.notices:
            errors.print(f"[yellow]{notice}[/yellow]")
    except SourceCatalogError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
