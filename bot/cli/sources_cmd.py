"""`supportbot sources add/list/schedule/status`, `supportbot sync` and `supportbot reindex`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from bot.cli.context import console, container, errors
from bot.cli.progress import progress_bar
from bot.cli.sync_watch import watch_runs
from bot.db.models import Document, SyncRun
from bot.sync_schedule import ScheduleError, describe_interval, parse_interval
from bot.sync_status import describe_sync_state

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
    every: Annotated[str, typer.Option(help="Sync on a schedule: 30m, 6h, 1d (default: off, only when asked)")] = "off",
) -> None:
    """Add a source (then run `supportbot sync`)."""
    kind = kind or _guess_kind(location)
    minutes = _interval(every)
    with container() as c:
        source = c.sources.add(name, kind, location, base_url, every_minutes=minutes)
        console.print(
            f"Added {source.kind} source [bold]{source.name}[/bold] at {source.location} ({describe_interval(minutes)})"
        )


@sources_app.command("schedule")
def schedule(
    name: Annotated[str, typer.Argument(help="The source")],
    every: Annotated[str, typer.Argument(help="30m, 6h, 1d, or off")],
) -> None:
    """Sync a source on a schedule (run by celery beat with workers, by `supportbot serve` without)."""
    minutes = _interval(every)
    with container() as c:
        source = c.sources.schedule(name, minutes)
        console.print(f"[bold]{source.name}[/bold] now syncs {describe_interval(minutes)}.")


@sources_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The source")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Remove a source: its pages stop being used for answers (traces keep what they cited).
    A sync of it in progress stops at its next batch."""
    if not yes:
        typer.confirm(f"Remove {name} and stop answering from its pages?", abort=True)
    with container() as c:
        retired = c.source_removal.remove(name)
        console.print(f"Removed [bold]{name}[/bold]: {retired} document(s) retired from the index.")


@sources_app.command("status")
def status() -> None:
    """Each source's sync: running now (with progress), the last result, the schedule."""
    with container() as c, c.sessions() as session:
        sources = c.sources.all()
        if not sources:
            console.print("No sources yet: add one with `supportbot sources add NAME PATH`.")
        for source in sources:
            console.print(f"[bold]{source.name}[/bold] ({source.kind}): {describe_sync_state(session, source)}")


def _interval(text: str) -> int | None:
    try:
        return parse_interval(text)
    except ScheduleError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


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
    watch: Annotated[bool, typer.Option("--watch", help="With workers: follow the syncs until they end")] = False,
) -> None:
    """Sync sources: new pages are added, changed ones re-versioned, removed ones retired.

    Runs here, with a progress bar; with workers (SUPPORTBOT_REDIS_URL) it queues the syncs
    for them, and --watch follows their progress."""
    with container() as c:
        targets = [c.sources.get(n).name for n in names] if names else [s.name for s in c.sources.all()]
        if not targets:
            errors.print("No sources yet: add one with `supportbot sources add NAME PATH`.")
            raise typer.Exit(1)
        if c.settings.redis_url is not None:
            task_ids = {name: c.background.sync_source(name, "manual") for name in targets}
            console.print(f"Queued {', '.join(targets)} for the workers.")
            if watch:
                raise typer.Exit(0 if watch_runs(c.sessions, task_ids) else 1)
            console.print("Follow them with `supportbot sync --watch` or `supportbot sources status`.")
            return
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
    if report.status == "skipped":
        errors.print(f"[yellow]Sync of {report.source} skipped:[/yellow] {report.error}")
        return
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
