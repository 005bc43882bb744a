"""`supportbot channels list / set CHANNEL POLICY`: which strategy each channel uses."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bot.cli.context import console, container, errors

channels_app = typer.Typer(help="Per-channel strategy policy: auto, script or retrieval.", no_args_is_help=True)


@channels_app.command("list")
def list_channels() -> None:
    """Channels with a policy set; every other channel uses auto."""
    with container() as c:
        from bot.channel_policies import ChannelPolicies

        rows = ChannelPolicies(c.sessions).all()
    table = Table("channel", "policy", "updated", "by")
    for row in rows:
        table.add_row(row.channel, row.policy, f"{row.updated_at:%Y-%m-%d %H:%M}", row.updated_by or "")
    console.print(table if rows else "No channel policies set: every channel uses auto.")


@channels_app.command("set")
def set_policy(
    channel: Annotated[str, typer.Argument(help="Channel id as the bot sees it, e.g. slack:T1/C2, teams:..., web, cli")],
    policy: Annotated[str, typer.Argument(help="auto, script or retrieval")],
) -> None:
    """Set the strategy a channel uses."""
    from bot.channel_policies import ChannelPolicies, ChannelPolicyError

    with container() as c:
        try:
            chosen = ChannelPolicies(c.sessions).set(channel, policy, updated_by="cli")
        except ChannelPolicyError as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    console.print(f"{channel} now uses [bold]{chosen.value}[/bold].")
