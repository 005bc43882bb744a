"""The quality dashboard: charts over a date range (default: the last 30 days)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from bot.console.charts import bar_chart, line_chart
from bot.console.declined_scripts import declined_scripts
from bot.console.disputes import Actor
from bot.console.guard import checked_form, client_of, require_user, services
from bot.console.out_of_scope_marks import OutOfScopeError
from bot.console.pages import page
from bot.console.quality import per_day, rates_by, stale_citations
from bot.console.script_outcomes import script_outcomes
from bot.console.sign_in import SignedIn
from bot.console.unanswered_topics import top_unanswered_topics
from bot.db.models import AnswerTrace
from strategies.scripts.loader import normalised_example

router = APIRouter()
DEFAULT_DAYS = 30


@router.get("/console/dashboard", include_in_schema=False)
def dashboard(request: Request, user: SignedIn = Depends(require_user)):
    return _dashboard_page(request)


@router.post("/console/declined/{trace_id}/out-of-scope", include_in_schema=False)
def mark_out_of_scope(request: Request, trace_id: str, form=Depends(checked_form)):
    """The question that started a declined script is taught as out of scope at the next `supportbot train`."""
    return _change_mark(request, services(request).out_of_scope.mark, trace_id, "out_of_scope")


@router.post("/console/declined/{trace_id}/out-of-scope/undo", include_in_schema=False)
def unmark_out_of_scope(request: Request, trace_id: str, form=Depends(checked_form)):
    """A "Not a script" made by mistake: the next `supportbot train` no longer learns it."""
    return _change_mark(request, services(request).out_of_scope.unmark, trace_id, "out_of_scope_undone")


def _change_mark(request: Request, change: Callable[[str, Actor], str], trace_id: str, notice: str):
    try:
        change(trace_id[:64], Actor(request.state.user.name, client_of(request)))
    except OutOfScopeError as exc:
        return _dashboard_page(request, 409, str(exc))
    return RedirectResponse(f"/console/dashboard?notice={notice}#declined", status_code=303)


def _dashboard_page(request: Request, status: int = 200, error: str = ""):
    try:
        first, last = _range(request.query_params.get("from"), request.query_params.get("to"))
    except ValueError as exc:
        first, last = _range(None, None)
        error = error or str(exc)
    since, until = datetime.combine(first, time.min, UTC), datetime.combine(last + timedelta(days=1), time.min, UTC)
    with services(request).sessions() as session:
        strategies = rates_by(session, AnswerTrace.strategy, since, until)
        scripts = rates_by(session, AnswerTrace.script_id, since, until)
        days = per_day(session, since, until)
        topics = top_unanswered_topics(session, since, until)
        stale = stale_citations(session)
        declined = declined_scripts(session, since, until)
        outcomes = script_outcomes(session, since, until)
    total = sum(s.traces for s in strategies)
    abstained = sum(s.abstained for s in strategies)
    charts = {
        "per_strategy": bar_chart("Answers per strategy", [(s.name, s.traces) for s in strategies]),
        "helpful": bar_chart("Helpful rate per strategy", [(s.name, s.rate(s.helpful)) for s in strategies], as_percent=True),
        "not_right": bar_chart("Not right rate per strategy", [(s.name, s.rate(s.not_right)) for s in strategies], as_percent=True),
        "escalated": bar_chart("Escalated rate per strategy", [(s.name, s.rate(s.escalated)) for s in strategies], as_percent=True),
        "abstention": line_chart("Abstention rate per day", [(d.day, d.abstained / d.traces if d.traces else 0) for d in days]),
        "volume": line_chart("Traces per day", [(d.day, d.traces) for d in days], as_percent=False),
    }
    return page(
        request, "dashboard.html", status, error=error, first=first, last=last, charts=charts, strategies=strategies,
        scripts=scripts, total=total, abstention=abstained / total if total else 0.0, topics=topics, stale=stale,
        declined=declined, outcomes=outcomes, marked_out_of_scope=services(request).out_of_scope.marked(), normalised=normalised_example,
    )


def _range(first: str | None, last: str | None) -> tuple[date, date]:
    today = datetime.now(UTC).date()
    try:
        end = date.fromisoformat(last) if last else today
        start = date.fromisoformat(first) if first else end - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise ValueError("Dates look like 2026-12-01; showing the last 30 days instead.") from None
    if start > end:
        raise ValueError("The 'from' date is after the 'to' date; showing the last 30 days instead.")
    return start, end
