"""The trace list with its filters, one trace's page, and the forms on it (QA label, dispute)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from bot.console.audit_log import record
from bot.console.disputes import REASON_LABELS, Actor, DisputeError, open_dispute
from bot.console.guard import checked_form, client_of, require_user, services
from bot.console.pages import page
from bot.console.sign_in import SignedIn
from bot.console.trace_detail import trace_detail
from bot.console.trace_filters import FEEDBACK, LABELS, OUTCOMES, FilterError, TraceFilters
from bot.console.trace_list import CursorError, filter_choices, trace_page
from bot.db.models.review import REVIEW_LABELS
from bot.trace_reviews import ReviewError, label_trace

router = APIRouter()


@router.get("/console/traces", include_in_schema=False)
def trace_list(request: Request, user: SignedIn = Depends(require_user)):
    console = services(request)
    with console.sessions() as session:
        choices = {**filter_choices(session), "scripts": sorted(console.script_ids())}
        try:
            filters = TraceFilters.parse(request.query_params)
            found = trace_page(session, filters, console.low_confidence, request.query_params.get("after") or None)
        except (FilterError, CursorError) as exc:
            return page(request, "traces.html", 400, filters=TraceFilters(), raw=request.query_params, rows=[], next_link="",
                        choices=choices, options=_options(), error=str(exc), export_query="")
    next_link = f"/console/traces?{filters.query_string(after=found.next_cursor)}" if found.next_cursor else ""
    return page(request, "traces.html", filters=filters, raw=request.query_params, rows=found.rows, next_link=next_link,
                choices=choices, options=_options(), export_query=filters.query_string())


@router.get("/console/traces/{trace_id}", include_in_schema=False)
def trace_view(request: Request, trace_id: str, user: SignedIn = Depends(require_user)):
    return _trace_page(request, trace_id)


@router.post("/console/traces/{trace_id}/label", include_in_schema=False)
def label(request: Request, trace_id: str, form=Depends(checked_form)):
    user: SignedIn = request.state.user
    chosen, note = str(form.get("label") or ""), str(form.get("note") or "")
    try:
        review = label_trace(services(request).sessions, trace_id, chosen, user.name, note)
    except ReviewError as exc:
        return _trace_page(request, trace_id, status=400, error=str(exc), draft={"label": chosen, "note": note})
    with services(request).sessions.begin() as session:
        record(session, user.name, "trace_labelled", f"trace:{review.trace_id}", client_of(request), label=review.label)
    return RedirectResponse(f"/console/traces/{review.trace_id}?notice=labelled", status_code=303)


@router.post("/console/traces/{trace_id}/disputes", include_in_schema=False)
def dispute(request: Request, trace_id: str, form=Depends(checked_form)):
    user: SignedIn = request.state.user
    reason, details = str(form.get("reason") or ""), str(form.get("details") or "")
    try:
        dispute_id = open_dispute(services(request).sessions, trace_id, reason, details, Actor(user.name, client_of(request)))
    except DisputeError as exc:
        return _trace_page(request, trace_id, status=409, error=exc.message, draft={"reason": reason, "details": details})
    return RedirectResponse(f"/console/disputes/{dispute_id}?notice=dispute_opened", status_code=303)


def _trace_page(request: Request, trace_id: str, status: int = 200, **context):
    with services(request).sessions() as session:
        detail = trace_detail(session, trace_id)
        if detail is None:
            return not_found(request, f"There is no trace {trace_id!r}. It may have been deleted, or the link is incomplete.")
        script = services(request).scripts().scripts.get(detail.trace.script_id or "")
        said_version = ((detail.trace.routing or {}).get("script_turn") or {}).get("version")
        # a step's words as the user read them: only while the script is the version that said them
        step_words = {step.id: step.say for step in script.steps} if script and script.fingerprint == said_version else {}
        return page(request, "trace.html", status, d=detail, t=detail.trace, review_labels=REVIEW_LABELS,
                    reasons=REASON_LABELS, script_version_now=script.fingerprint if script else None,
                    step_words=step_words, **context)


def not_found(request: Request, message: str):
    return page(request, "error.html", 404, title="Not found", message=message)


def _options() -> dict:
    return {"outcomes": OUTCOMES, "feedback": FEEDBACK, "labels": LABELS}
