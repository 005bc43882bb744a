"""Terminal rendering of replies."""

from __future__ import annotations

from dataclasses import asdict

from rich.markup import escape

from bot.messages import Reply


def reply_markup(reply: Reply) -> str:
    lines = [escape(reply.text)]
    if reply.citations:
        lines.append("")
        lines.append("[bold]Sources[/bold]")
        for citation in reply.citations:
            where = citation.title + (f" › {citation.section}" if citation.section else "")
            link = f" — {citation.url}" if citation.url else ""
            lines.append(f"  [{citation.number}] {escape(where)}{escape(link)}")
    if reply.trace_id:
        lines.append(f"[dim]trace {reply.trace_id} · {reply.outcome.value}[/dim]")
    return "\n".join(lines)


def reply_json(reply: Reply) -> dict:
    data = asdict(reply)
    data["outcome"] = reply.outcome.value
    data["actions"] = [a.value for a in reply.actions]
    return data
