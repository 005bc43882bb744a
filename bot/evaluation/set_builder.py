"""Evaluation cases from what support leads already judged: reviewed traces and resolved
disputes.

- A trace whose latest review is `correct`, or a dispute that was `overturned` (the bot was
  right): the case expects what the bot did: the same script, the same cited documents, or
  the same escalation.
- A trace reviewed `wrong`, or a dispute `upheld` (the bot was wrong): what the right answer is
  lives in the lead's note or correction, not in a label the set can check, so the case
  expects the bot not to answer it on its own (`should_escalate`), and the note says why.
  Edit the case when the right script or document is known.
`partly` reviews and open disputes are left out. One case per trace; a dispute's verdict is
newer than a review and wins.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import AnswerTrace, Dispute
from bot.trace_reviews import traces_labelled
from strategies.evaluation import EvalCase, HistoryItem

BOT_WAS_RIGHT = "overturned"
BOT_WAS_WRONG = "upheld"


def cases_from_reviews_and_disputes(session: Session) -> list[EvalCase]:
    verdicts: dict[str, tuple[bool, str]] = {}
    for trace in traces_labelled(session, "correct"):
        verdicts[trace.id] = (True, "reviewed correct")
    for trace in traces_labelled(session, "wrong"):
        verdicts[trace.id] = (False, "reviewed wrong")
    judged = (BOT_WAS_RIGHT, BOT_WAS_WRONG)
    disputes = session.scalars(
        select(Dispute).where(or_(Dispute.status.in_(judged), Dispute.verdict.in_(judged))).order_by(Dispute.id)
    )
    for dispute in disputes:
        outcome = dispute.status if dispute.status in judged else dispute.verdict
        detail = f": {dispute.correction.strip()}" if (dispute.correction or "").strip() else ""
        verdicts[dispute.trace_id] = (outcome == BOT_WAS_RIGHT, f"dispute {dispute.id} {outcome} ({dispute.reason}){detail}")
    if not verdicts:
        return []
    traces = session.scalars(
        select(AnswerTrace)
        .options(selectinload(AnswerTrace.evidence))
        .where(AnswerTrace.id.in_(list(verdicts)))
        .order_by(AnswerTrace.created_at, AnswerTrace.id)
    )
    return [_case(trace, *verdicts[trace.id]) for trace in traces]


def _case(trace: AnswerTrace, bot_was_right: bool, why: str) -> EvalCase:
    history = tuple(HistoryItem(t["role"], t["text"]) for t in trace.history or () if t.get("text"))
    note = f"from trace {trace.id}: {why}"
    if not bot_was_right:
        return EvalCase(f"trace-{trace.id[:12]}", trace.question, None, history, should_escalate=True, note=note)
    route = (trace.routing or {}).get("route")
    escalated = trace.outcome in ("escalated", "abstained") or route == "escalate"
    script = trace.script_id if trace.strategy == "script" else None
    cited = tuple(dict.fromkeys(e.document_key for e in trace.evidence if e.citation is not None))
    return EvalCase(
        id=f"trace-{trace.id[:12]}",
        question=trace.question,
        expected_script=script,
        history=history,
        expected_sources=() if script or escalated else cited,
        should_escalate=escalated and script is None,
        note=note,
    )
