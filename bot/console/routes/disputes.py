"""The dispute list and one dispute's page: take into review, judge, post the correction,
and turn it into a FAQ entry, an evaluation case and training examples."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from bot.console.audit_log import entries_for
from bot.console.disputes import (
    REASON_LABELS, STATUSES, Actor, DisputeError, judge, list_disputes, post_correction, take_into_review,
)
from bot.console.guard import checked_form, client_of, require_user, services
from bot.console.pages import page
from bot.console.promotions import PromotionChoices
from bot.console.routes.traces import not_found
from bot.console.sign_in import SignedIn
from bot.console.thread_posts import ThreadPostFailed
from bot.db.models import Conversation, Dispute
from bot.trace_queries import evidence_status, find_trace

router = APIRouter()


@router.get("/console/disputes", include_in_schema=False)
def disputes(request: Request, status: str = "", user: SignedIn = Depends(require_user)):
    status = status if status in STATUSES else ""
    with services(request).sessions() as session:
        rows = list_disputes(session, status)
        return page(request, "disputes.html", rows=rows, status=status, statuses=STATUSES, reasons=REASON_LABELS)


@router.get("/console/disputes/{dispute_id}", include_in_schema=False)
def dispute_view(request: Request, dispute_id: int, user: SignedIn = Depends(require_user)):
    return _dispute_page(request, dispute_id)


@router.post("/console/disputes/{dispute_id}/review", include_in_schema=False)
def review(request: Request, dispute_id: int, form=Depends(checked_form)):
    try:
        take_into_review(services(request).sessions, dispute_id, str(form.get("assignee") or ""), _actor(request))
    except DisputeError as exc:
        return _dispute_page(request, dispute_id, 409, error=exc.message)
    return _back(dispute_id, "in_review")


@router.post("/console/disputes/{dispute_id}/judge", include_in_schema=False)
def judge_dispute(request: Request, dispute_id: int, form=Depends(checked_form)):
    console, actor = services(request), _actor(request)
    verdict, correction = str(form.get("verdict") or ""), str(form.get("correction") or "")
    draft = {"verdict": verdict, "correction": correction}
    try:
        judge(console.sessions, dispute_id, verdict, correction, actor)
    except DisputeError as exc:
        return _dispute_page(request, dispute_id, 409, error=exc.message, draft=draft)
    if not correction.strip() or form.get("post") != "1":
        return _back(dispute_id, "judged")
    try:
        post_correction(console.sessions, console.poster, dispute_id, actor)
    except (ThreadPostFailed, DisputeError) as exc:
        return _dispute_page(request, dispute_id, 502, error=f"The verdict is saved, but the correction was not posted: {exc.message}")
    return _back(dispute_id, "judged_posted")


@router.post("/console/disputes/{dispute_id}/post-correction", include_in_schema=False)
def post_again(request: Request, dispute_id: int, form=Depends(checked_form)):
    console = services(request)
    try:
        post_correction(console.sessions, console.poster, dispute_id, _actor(request))
    except (ThreadPostFailed, DisputeError) as exc:
        return _dispute_page(request, dispute_id, 502, error=f"The correction was not posted: {exc.message}")
    return _back(dispute_id, "posted")


# What became of a question a script answered when the lead names no script (Promoted.not_a_script)
PROMOTED_NOTICES = {"marked": "promoted_not_a_script", "script_example": "promoted_script_example"}


@router.post("/console/disputes/{dispute_id}/promote", include_in_schema=False)
def promote(request: Request, dispute_id: int, form=Depends(checked_form)):
    facts = tuple(line.strip() for line in str(form.get("facts") or "").splitlines() if line.strip())
    choices = PromotionChoices(
        facts=facts,
        expected_script=str(form.get("expected_script") or "").strip() or None,
        should_escalate=form.get("should_escalate") == "1",
        question=str(form.get("faq_question") or "").strip() or None,
    )
    draft = {"facts": str(form.get("facts") or ""), "expected_script": choices.expected_script or "",
             "faq_question": choices.question or "", "should_escalate": choices.should_escalate}
    try:
        promoted = services(request).promotions.promote(dispute_id, choices, _actor(request))
    except DisputeError as exc:
        return _dispute_page(request, dispute_id, 409, error=exc.message, draft=draft)
    return _back(dispute_id, PROMOTED_NOTICES.get(promoted.not_a_script or "", "promoted"))


def _dispute_page(request: Request, dispute_id: int, status: int = 200, **context):
    console = services(request)
    with console.sessions() as session:
        dispute = session.get(Dispute, dispute_id)
        if dispute is None:
            return not_found(request, f"There is no dispute #{dispute_id}.")
        trace = find_trace(session, dispute.trace_id)
        conversation = session.get(Conversation, dispute.conversation_id)
        return page(
            request, "dispute.html", status, dispute=dispute, t=trace,
            statuses=evidence_status(session, trace) if trace else {}, conversation=conversation,
            reasons=REASON_LABELS, scripts=sorted(console.script_ids()), history=entries_for(session, f"dispute:{dispute_id}"),
            **context,
        )


def _actor(request: Request) -> Actor:
    return Actor(request.state.user.name, client_of(request))


def _back(dispute_id: int, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/console/disputes/{dispute_id}?notice={notice}", status_code=303)

