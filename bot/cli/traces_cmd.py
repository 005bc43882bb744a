"""`supportbot traces list/show`: what the bot saw and did for each answer."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from bot.cli.context import console, container, errors
from bot.trace_queries import evidence_status, find_trace, list_traces

traces_app = typer.Typer(help="Answer traces: question, evidence, decision, answer.", no_args_is_help=True)


@traces_app.command("list")
def list_cmd(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    outcome: Annotated[str | None, typer.Option(help="answered or abstained")] = None,
) -> None:
    """The most recent traces first."""
    with container() as c, c.sessions() as session:
        table = Table("id", "when", "channel", "outcome", "strategy", "question")
        for trace in list_traces(session, limit=limit, outcome=outcome):
            table.add_row(
                trace.id[:12], f"{trace.created_at:%Y-%m-%d %H:%M:%S}", trace.channel,
                trace.outcome, trace.strategy, escape(trace.question[:70]),
            )
        console.print(table)


@traces_app.command("label")
def label(
    trace_id: Annotated[str, typer.Argument(help="A trace id (or a unique prefix)")],
    verdict: Annotated[str, typer.Argument(help="correct, partly or wrong")],
    note: Annotated[str, typer.Option(help="Why")] = "",
    reviewer: Annotated[str, typer.Option(help="Who reviewed it")] = "cli",
) -> None:
    """Put a QA label on an answer (answers labelled correct feed `supportbot export training-data`)."""
    from bot.trace_reviews import ReviewError, label_trace

    with container() as c:
        try:
            label_trace(c.sessions, trace_id, verdict, reviewer, note)
        except ReviewError as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Labelled {trace_id} as {verdict}.")


@traces_app.command("show")
def show(
    trace_id: Annotated[str, typer.Argument(help="A trace id (or a unique prefix of at least 6 characters)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Everything about one answer, including the evidence exactly as the bot saw it."""
    with container() as c, c.sessions() as session:
        trace = find_trace(session, trace_id)
        if trace is None:
            errors.print(f"[red]No trace {trace_id!r}.[/red] See `supportbot traces list`.")
            raise typer.Exit(1)
        statuses = evidence_status(session, trace)
        if as_json:
            print(json.dumps(_as_dict(trace, statuses), ensure_ascii=False, default=str))
            return
        _print_trace(trace, statuses)


def _as_dict(trace, statuses) -> dict:
    columns = {col.name: getattr(trace, col.name) for col in trace.__table__.columns}
    columns["evidence"] = [
        {**{col.name: getattr(e, col.name) for col in e.__table__.columns}, "document_now": statuses[e.id].state}
        for e in trace.evidence
    ]
    return columns


def _script_turn(script_id: str, turn: dict | None) -> str:
    if not turn:
        return script_id  # traced before script turns were recorded
    said = " → ".join(turn.get("steps") or []) or "no step"
    filled = "".join(f", collected {name}: {value}" for name, value in (turn.get("filled") or {}).items())
    buttons = f" (answer buttons: {' · '.join(turn['choices'])})" if turn.get("choices") else ""
    where = f"waits at {turn['waits_at']}{buttons}" if turn.get("waits_at") else f"ended {turn.get('end')}"
    return f"{script_id} (version {turn.get('version')}): {'started, ' if turn.get('started') else ''}said {said}{filled}; {where}"


def _print_trace(trace, statuses) -> None:
    console.print(f"[bold]Trace {trace.id}[/bold]  {trace.created_at:%Y-%m-%d %H:%M:%S}  channel {trace.channel}")
    for turn in trace.history:
        console.print(f"  [dim]{turn['role']}: {escape(turn['text'][:200])}[/dim]")
    console.print(f"[bold]Question:[/bold] {escape(trace.question)}")
    console.print(f"[bold]Standalone query:[/bold] {escape(trace.standalone_query)}")
    searched = (trace.routing or {}).get("retrieval") or {}
    if searched.get("new_topic"):
        console.print(f"  [dim]searched without the thread: a new topic (similarity to the thread {searched.get('thread_similarity')})[/dim]")
    console.print(
        f"[bold]Strategy:[/bold] {trace.strategy} → {trace.outcome}"
        + (f" ({escape(trace.abstain_reason)})" if trace.abstain_reason else "")
    )
    routing = trace.routing or {}
    if routing:
        console.print(
            f"[bold]Router:[/bold] policy {routing.get('policy')} → {routing.get('route')} "
            f"({escape(str(routing.get('reason', '')))})"
        )
        model = routing.get("script_model")
        if model:
            console.print(
                f"  script model {model['version']}: {model['label'] or 'out of scope'} "
                f"confidence {model['confidence']} (threshold {routing.get('thresholds', {}).get('min_confidence')}), "
                f"top {model['ranked'][:3]}"
            )
    if trace.script_id:
        console.print(f"[bold]Script:[/bold] {escape(_script_turn(trace.script_id, routing.get('script_turn')))}")
    console.print(f"[bold]Scores:[/bold] {trace.scores}")
    console.print(
        f"[bold]Index:[/bold] {trace.index_backend} v{trace.index_version} · embeddings {trace.embedding_model}"
        f" · writer {trace.generator}" + (f" ({trace.model})" if trace.model else "")
    )
    if trace.generator_error:
        console.print(f"[yellow]Writer fell back:[/yellow] {escape(trace.generator_error)}")
    for e in trace.evidence:
        cited = f"cited [{e.citation}]" if e.citation else "not cited"
        header = (
            f"#{e.rank} {escape(e.title)}" + (f" › {escape(e.section)}" if e.section else "")
            + f" · {e.source}/{escape(e.document_key)} @ {e.content_hash[:12]} · {cited} · "
            f"fused {e.fused_score:.4f} bm25 {e.bm25_score if e.bm25_score is not None else '-'} "
            f"similarity {e.similarity:.3f} · {statuses[e.id].note}"
        )
        console.print(Panel(escape(e.text), title=header, title_align="left"))
    if trace.prompt:
        console.print(Panel(escape(trace.prompt), title="prompt", title_align="left"))
    console.print(Panel(escape(trace.answer), title="answer", title_align="left"))
    console.print(f"[bold]Timings (ms):[/bold] {trace.timings_ms}")
