"""`supportbot escalations list / hand-back ID`: the conversations waiting for a person."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.context import console, container, errors
from bot.db.base import as_utc, utcnow

escalations_app = typer.Typer(help="Conversations handed to a person, and handing them back.", no_args_is_help=True)


@escalations_app.command("list")
def list_cmd(limit: Annotated[int, typer.Option(min=1, max=1000)] = 50) -> None:
    """Open escalations, the one waiting longest first."""
    from bot.escalation_queue import open_escalations

    with container() as c:
        waiting = open_escalations(c.sessions, limit)
    if not waiting:
        console.print("No open escalations.")
        return
    now = utcnow()
    table = Table("id", "waiting", "reason", "channel", "bot", "question")
    for item in waiting:
        created = as_utc(item.created_at)
        minutes = int((now - created).total_seconds() // 60)
        table.add_row(
            str(item.id), f"{minutes // 60}h {minutes % 60:02d}m", item.reason, item.channel,
            "quiet" if item.handled_by == "human" else "answering", escape(item.question[:60]),
        )
    console.print(table)


@escalations_app.command("hand-back")
def hand_back_cmd(
    escalation_id: Annotated[int, typer.Argument(help="An id from `supportbot escalations list`")],
    note: Annotated[str, typer.Option(help="How it was resolved")] = "",
    by: Annotated[str, typer.Option(help="Who resolved it")] = "cli",
) -> None:
    """Resolve an escalation; the bot answers in that conversation again."""
    from bot.escalation_queue import resolve_and_hand_back
    from bot.handoff import HandoffError

    with container() as c:
        try:
            resolve_and_hand_back(c.sessions, escalation_id, by, note)
        except HandoffError as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Escalation {escalation_id} resolved; the bot answers in that conversation again.")
