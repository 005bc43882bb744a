"""`supportbot ask` (one question) and `supportbot chat` (a conversation in the terminal)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import typer
from rich.prompt import Prompt

from bot.cli.context import console, container
from bot.cli.render import reply_json, reply_markup
from bot.messages import IncomingMessage, Outcome


def ask(
    question: Annotated[str, typer.Argument(help="The question to answer")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the reply as JSON")] = False,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation key")] = None,
) -> None:
    """Answer one question from the synced knowledge, with sources."""
    with container() as c:
        message = IncomingMessage(
            channel="cli", conversation_key=conversation or uuid.uuid4().hex, user_id="cli", text=question
        )
        reply = c.answer_service.handle(message)
    if as_json:
        print(json.dumps(reply_json(reply), ensure_ascii=False))
    else:
        console.print(reply_markup(reply))
    raise typer.Exit(1 if reply.outcome is Outcome.REJECTED else 0)


def chat() -> None:
    """Talk to the bot in the terminal; follow-up questions keep the thread's context."""
    with container() as c:
        console.print("[bold]supportbot[/bold] — ask about the product. /new starts a new thread, /quit leaves.")
        c.retrieval_strategy.warm_up()
        conversation = uuid.uuid4().hex
        while True:
            try:
                text = Prompt.ask("[bold cyan]you[/bold cyan]", console=console)
            except (EOFError, KeyboardInterrupt):
                console.print()
                return
            command = text.strip().lower()
            if command in {"/quit", "/exit"}:
                return
            if command == "/new":
                conversation = uuid.uuid4().hex
                console.print("[dim]new thread[/dim]")
                continue
            reply = c.answer_service.handle(
                IncomingMessage(channel="cli", conversation_key=conversation, user_id="cli", text=text)
            )
            console.print("[bold green]bot[/bold green]", reply_markup(reply))
