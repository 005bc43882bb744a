"""`supportbot init` (database, example knowledge, first sync) and `supportbot migrate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import console, container
from bot.cli.scripts_cmd import train_examples
from bot.cli.sources_cmd import sync_one

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "knowledge"
EXAMPLE_SOURCES = (
    ("help-center", "folder", EXAMPLES / "help-center", "https://help.tallyo.example"),
    ("faq", "faq", EXAMPLES / "faq.yaml", "https://help.tallyo.example/faq"),
)


def init(
    examples: Annotated[bool, typer.Option(help="Add and sync the bundled example knowledge")] = True,
) -> None:
    """Create or upgrade the database and, by default, load the example knowledge."""
    with container() as c:
        console.print(f"Database ready ({c.engine.url.render_as_string(hide_password=True)}).")
        if not examples:
            return
        known = {s.name for s in c.sources.all()}
        for name, kind, location, base_url in EXAMPLE_SOURCES:
            if name not in known:
                c.sources.add(name, kind, str(location), base_url)
            sync_one(c, name)
        if c.script_models.active() is None:
            console.print("Training the script model on the example scripts (once)...")
            train_examples(c)


def migrate_cmd() -> None:
    """Create or upgrade the database schema only."""
    with container() as c:
        console.print(f"Database migrated ({c.engine.url.render_as_string(hide_password=True)}).")
