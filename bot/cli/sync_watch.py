"""`supportbot sync --watch` with workers: follow each queued sync's run in SQL until it ends."""

from __future__ import annotations

import time

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.context import console, errors
from bot.db.models import Source, SyncRun
from bot.db.models.source import RUNNING
from bot.sync_status import run_counts

POLL_S = 0.5


def watch_runs(sessions: sessionmaker[Session], task_ids: dict[str, str]) -> bool:
    """Follow the run each task starts; when a task was skipped because another sync of the
    source is running, follow that one instead. True when every run succeeded."""
    following: dict[str, int | None] = dict.fromkeys(task_ids)
    outcomes: dict[str, SyncRun] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        bars = {name: progress.add_task(f"{name}: waiting for a worker", total=None) for name in task_ids}
        while len(outcomes) < len(task_ids):
            with sessions() as session:
                for name in task_ids:
                    if name in outcomes:
                        continue
                    run = _current_run(session, name, task_ids[name], following[name])
                    if run is None:
                        continue
                    if run.status == "skipped":
                        running = _running_run(session, name)
                        if running is None:
                            outcomes[name] = run
                            progress.update(bars[name], description=f"{name}: skipped", total=1, completed=1)
                            continue
                        run = running
                    following[name] = run.id
                    if run.status == RUNNING:
                        description = f"{name}: reading the source" if run.progress_total is None else f"{name}: syncing"
                        progress.update(bars[name], description=description, total=run.progress_total,
                                        completed=run.progress_done)
                    else:
                        outcomes[name] = run
                        progress.update(bars[name], description=f"{name}: {run.status}",
                                        total=run.progress_total or 1, completed=run.progress_total or 1)
            if len(outcomes) < len(task_ids):
                time.sleep(POLL_S)
    for name, run in outcomes.items():
        if run.status == "succeeded":
            console.print(f"[bold]{name}[/bold]: {run_counts(run)}")
        else:
            errors.print(f"[red]Sync of {name} {run.status}:[/red] {run.error}")
        for problem in run.problems or []:
            errors.print(f"  [yellow]skipped[/yellow] {problem['path']}: {problem['reason']}")
    return all(run.status == "succeeded" for run in outcomes.values())


def _current_run(session: Session, name: str, task_id: str, run_id: int | None) -> SyncRun | None:
    if run_id is not None:
        return session.get(SyncRun, run_id)
    return session.scalar(
        select(SyncRun).join(Source).where(Source.name == name, SyncRun.task_id == task_id).order_by(SyncRun.id.desc())
    )


def _running_run(session: Session, name: str) -> SyncRun | None:
    return session.scalar(select(SyncRun).join(Source).where(Source.name == name, SyncRun.status == RUNNING))
