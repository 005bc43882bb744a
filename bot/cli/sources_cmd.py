"""`supportbot sources add/list`, `supportbot sync` and `supportbot reindex`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from bot.cli.context import console, container, errors
from bot.cli.progress import progress_bar
from bot.db.models import Document, SyncRun

if TYPE_CHECKING:
    from bot.container import Container
    from bot.sync_service import SyncReport

sources_app = typer.Typer(
    help="Knowledge sources: folders of pages, FAQ files, websites and Zendesk help centers.", no_args_is_help=True
)


@sources_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short unique name, e.g. help-center")],
    location: Annotated[
        str,
        typer.Argument(
            help="A folder of .md/.html/.txt pages, an FAQ .csv/.json/.yaml file, a website's start URL or "
            "sitemap.xml URL, or a Zendesk help center URL (https://acme.zendesk.com)"
        ),
    ],
    kind: Annotated[str, typer.Option(help="folder, faq, website or zendesk (default: guessed from the location)")] = "",
    base_url: Annotated[str | None, typer.Option(help="Public URL the pages are served under, for citations")] = None,
) -> None:
    """Add a source (then run `supportbot sync`)."""
    kind = kind or _guess_kind(location)
    with container() as c:
        source = c.sources.add(name, kind, location, base_url)
        console.print(f"Added {source.kind} source [bold]{source.name}[/bold] at {source.location}")


def _guess_kind(location: str) -> str:
    lowered = location.lower()
    if lowered.startswith(("http://", "https://")):
        return "zendesk" if ".zendesk.com" in lowered else "website"
    return "faq" if lowered.endswith((".csv", ".json", ".yaml", ".yml")) else "folder"


@sources_app.command("list")
def list_sources() -> None:
    """List sources with their document counts and last sync."""
    with container() as c, c.sessions() as session:
        table = Table("name", "kind", "location", "documents", "last sync")
        for source in c.sources.all():
            active = session.scalar(
                select(func.count()).where(Document.source_id == source.id, Document.status == "active")
            )
            last = session.scalar(select(SyncRun).where(SyncRun.source_id == source.id).order_by(SyncRun.id.desc()))
            last_text = f"{last.status} {last.started_at:%Y-%m-%d %H:%M}" if last else "never"
            table.add_row(source.name, source.kind, source.location, str(active), last_text)
        console.print(table)


def sync(
    names: Annotated[list[str] | None, typer.Argument(help="Sources to sync (default: all)")] = None,
) -> None:
    """Sync sources: new pages are added, changed ones re-versioned, removed ones retired."""
    with container() as c:
        targets = names or [s.name for s in c.sources.all()]
        if not targets:
            errors.print("No sources yet: add one with `supportbot sources add NAME PATH`.")
            raise typer.Exit(1)
        failed = False
        for name in targets:
            failed |= not sync_one(c, name)
        raise typer.Exit(1 if failed else 0)


def sync_one(c: Container, name: str) -> bool:
    with progress_bar(f"Syncing {name}") as update:
        report = c.sync_service.sync(name, on_progress=update)
    print_report(report)
    return report.status == "succeeded"


def print_report(report: SyncReport) -> None:
    if report.status != "succeeded":
        errors.print(f"[red]Sync of {report.source} failed:[/red] {report.error}")
        return
    console.print(
        f"[bold]{report.source}[/bold]: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.removed} removed, {report.failed} failed "
        f"({report.seconds:.1f} s)"
    )
    for problem in report.problems:
        errors.print(f"  [yellow]skipped[/yellow] {problem.path}: {problem.reason}")
    if report.kept_despite_problems:
        errors.print(f"  kept {report.kept_despite_problems} document(s) that could not be read this time")


def reindex() -> None:
    """Rebuild the search index from the database."""
    with container() as c:
        with progress_bar("Re-indexing") as update:
            written = c.reindex(on_progress=update)
        console.print(f"Indexed {written} chunks into the {c.index.name} index.")
