"""The escalation queue and one escalation's page: claim, reply, resolve, hand back."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from bot.console.audit_log import entries_for
from bot.console.disputes import Actor
from bot.console.escalation_work import EscalationError, claim, hand_back, queue, reply, resolve
from bot.console.guard import checked_form, client_of, require_user, services
from bot.console.pages import page
from bot.console.routes.traces import not_found
from bot.console.sign_in import SignedIn
from bot.console.thread_posts import ThreadPostFailed
from bot.db.base import as_utc, utcnow
from bot.db.models import AnswerTrace, Conversation, Escalation

router = APIRouter()


@router.get("/console/escalations", include_in_schema=False)
def escalations(request: Request, show: str = "open", user: SignedIn = Depends(require_user)):
    console = services(request)
    with console.sessions() as session:
        items = queue(session, console.sla, include_resolved=show == "resolved")
        return page(request, "escalations.html", items=items, show=show, sla_hours=console.settings.console_sla_hours)


@router.get("/console/escalations/{escalation_id}", include_in_schema=False)
def escalation_view(request: Request, escalation_id: int, user: SignedIn = Depends(require_user)):
    return _escalation_page(request, escalation_id)


@router.post("/console/escalations/{escalation_id}/claim", include_in_schema=False)
def claim_it(request: Request, escalation_id: int, form=Depends(checked_form)):
    try:
        claim(services(request).sessions, escalation_id, _actor(request))
    except EscalationError as exc:
        return _escalation_page(request, escalation_id, 409, error=exc.message)
    return _back(escalation_id, "claimed")


@router.post("/console/escalations/{escalation_id}/reply", include_in_schema=False)
def reply_to(request: Request, escalation_id: int, form=Depends(checked_form)):
    console, text = services(request), str(form.get("text") or "")
    try:
        reply(console.sessions, console.poster, escalation_id, text, _actor(request))
    except (EscalationError, ThreadPostFailed) as exc:
        return _escalation_page(request, escalation_id, 409, error=exc.message, draft={"text": text})
    return _back(escalation_id, "replied")


@router.post("/console/escalations/{escalation_id}/resolve", include_in_schema=False)
def resolve_it(request: Request, escalation_id: int, form=Depends(checked_form)):
    console, resolution = services(request), str(form.get("resolution") or "")
    try:
        resolve(console.sessions, console.poster, escalation_id, resolution, _actor(request))
    except (EscalationError, ThreadPostFailed) as exc:
        return _escalation_page(request, escalation_id, 409, error=exc.message, draft={"resolution": resolution})
    return _back(escalation_id, "resolved")


@router.post("/console/escalations/{escalation_id}/hand-back", include_in_schema=False)
def hand_it_back(request: Request, escalation_id: int, form=Depends(checked_form)):
    try:
        hand_back(services(request).sessions, escalation_id, _actor(request))
    except EscalationError as exc:
        return _escalation_page(request, escalation_id, 409, error=exc.message)
    return _back(escalation_id, "handed_back")


def _escalation_page(request: Request, escalation_id: int, status: int = 200, **context):
    console = services(request)
    with console.sessions() as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            return not_found(request, f"There is no escalation #{escalation_id}.")
        conversation = session.get(Conversation, escalation.conversation_id)
        trace = session.get(AnswerTrace, escalation.trace_id) if escalation.trace_id else None
        end = as_utc(escalation.resolved_at) if escalation.resolved_at else utcnow()
        age = end - as_utc(escalation.created_at)
        return page(
            request, "escalation.html", status, e=escalation, conversation=conversation, t=trace, age=age,
            overdue=escalation.resolved_at is None and age > console.sla, sla_hours=console.settings.console_sla_hours,
            turns=list(conversation.turns)[-20:] if conversation else [],
            history=entries_for(session, f"escalation:{escalation_id}"), **context,
        )


def _actor(request: Request) -> Actor:
    return Actor(request.state.user.name, client_of(request))


def _back(escalation_id: int, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/console/escalations/{escalation_id}?notice={notice}", status_code=303)
