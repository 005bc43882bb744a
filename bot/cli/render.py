"""Terminal rendering of replies."""

from __future__ import annotations

from dataclasses import asdict

from rich.markup import escape

from bot.messages import Outcome, Reply, sources_of


WITH_HUMAN_NOTE = "A person from the support team has this conversation, so the bot stays quiet in it."


def reply_markup(reply: Reply) -> str:
    if reply.outcome is Outcome.WITH_HUMAN:  # the reply is empty: a person answers in the chat
        return f"[dim]{WITH_HUMAN_NOTE}[/dim]"
    lines = [escape(reply.text)]
    if reply.citations:
        lines.append("")
        lines.append("[bold]Sources[/bold]")
        for source in sources_of(reply.citations):
            where = source.title + (f" › {source.section}" if source.section else "")
            link = f" — {source.url}" if source.url else ""
            numbers = "".join(f"[{n}]" for n in source.numbers)
            lines.append(f"  {escape(numbers)} {escape(where)}{escape(link)}")
    if reply.choices:  # a chat shows these as buttons; here the user types one
        lines.append(f"[dim]answer: {escape(' / '.join(reply.choices))}[/dim]")
    if reply.trace_id:
        lines.append(f"[dim]trace {reply.trace_id} · {reply.outcome.value}[/dim]")
    return "\n".join(lines)


def reply_json(reply: Reply) -> dict:
    data = asdict(reply)
    data["outcome"] = reply.outcome.value
    data["actions"] = [a.value for a in reply.actions]
    return data
