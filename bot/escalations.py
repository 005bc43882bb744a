"""Opening escalations (one open per conversation) and the notice a support team receives."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.db.models import AnswerTrace, Conversation, Escalation, TraceEvidence
from strategies.base import StrategyAnswer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceLink:
    title: str
    url: str | None


@dataclass(frozen=True)
class EscalationNotice:
    escalation_id: int
    reason: str
    channel: str
    conversation_key: str
    requested_by: str | None
    question: str
    answer: str
    trace_id: str | None
    evidence: list[EvidenceLink] = field(default_factory=list)


class NoticeSender(Protocol):
    """Posts an escalation notice where the support team works (a Slack or Teams channel)."""

    def send(self, notice: EscalationNotice) -> None: ...


class EscalationNotifier(Protocol):
    """What the answer service and chat actions hand a new escalation to: the notices themselves
    (in-process) or a queue in front of them (`bot.background.QueuedNotices`)."""

    def send(self, escalation_id: int) -> object: ...


NOTICE_SENT, NOTICE_ALREADY_SENT, NOTICE_NO_ESCALATION, NOTICE_FAILED = "sent", "already sent", "no escalation", "failed"


class LogNoticeSender:
    def send(self, notice: EscalationNotice) -> None:
        log.warning(
            "escalation %s (%s) in %s: %r; set SUPPORTBOT_ESCALATION_NOTICES_TO to post these to a channel",
            notice.escalation_id, notice.reason, notice.channel, notice.question[:200],
        )


def escalation_reason(result: StrategyAnswer) -> str:
    if result.handoff and result.script_end is None:
        return "user_request"
    if result.script_end is not None:
        return "script"
    if result.abstain_reason == "strategy error":
        return "error"
    if result.routing.get("script_model", {}).get("in_scope") is False:
        return "out_of_scope"
    return "low_confidence"


def open_escalation(
    session: Session, conversation: Conversation, reason: str, trace_id: str | None, requested_by: str | None
) -> Escalation | None:
    """The new escalation, or None when the conversation already has an open one."""
    already_open = session.scalar(
        select(Escalation.id).where(Escalation.conversation_id == conversation.id, Escalation.resolved_at.is_(None))
    )
    if already_open is not None:
        return None
    escalation = Escalation(conversation_id=conversation.id, trace_id=trace_id, reason=reason, requested_by=requested_by)
    session.add(escalation)
    session.flush()
    return escalation


class EscalationNotices:
    """Builds a notice from the database and hands it to the configured sender; a failed
    notice is logged and retried on the next call for that escalation, never raised to the chat."""

    def __init__(self, sessions: sessionmaker[Session], sender: NoticeSender | None = None) -> None:
        self._sessions = sessions
        self.sender: NoticeSender = sender or LogNoticeSender()

    def send(self, escalation_id: int) -> str:
        """One of NOTICE_SENT, NOTICE_ALREADY_SENT, NOTICE_NO_ESCALATION or NOTICE_FAILED (worth a retry)."""
        with self._sessions() as session:
            escalation = session.get(Escalation, escalation_id)
            if escalation is not None and escalation.notified_at is not None:
                return NOTICE_ALREADY_SENT
        notice = self.build(escalation_id)
        if notice is None:
            return NOTICE_NO_ESCALATION
        try:
            self.sender.send(notice)
        except Exception:
            log.exception("could not send the notice for escalation %s", escalation_id)
            return NOTICE_FAILED
        with self._sessions.begin() as session:
            session.get(Escalation, escalation_id).notified_at = utcnow()
        return NOTICE_SENT

    def build(self, escalation_id: int) -> EscalationNotice | None:
        with self._sessions() as session:
            escalation = session.get(Escalation, escalation_id)
            if escalation is None:
                return None
            conversation = session.get(Conversation, escalation.conversation_id)
            trace = session.get(AnswerTrace, escalation.trace_id) if escalation.trace_id else None
            evidence = []
            if trace is not None:
                rows = session.scalars(
                    select(TraceEvidence)
                    .where(TraceEvidence.trace_id == trace.id, TraceEvidence.citation.is_not(None))
                    .order_by(TraceEvidence.citation)
                )
                # two chunks of one page are one link for the support team
                evidence = list(dict.fromkeys(EvidenceLink(title=e.title, url=e.url) for e in rows))
            return EscalationNotice(
                escalation_id=escalation.id,
                reason=escalation.reason,
                channel=conversation.channel,
                conversation_key=conversation.external_key,
                requested_by=escalation.requested_by,
                question=trace.question if trace else "",
                answer=trace.answer if trace else "",
                trace_id=trace.id if trace else None,
                evidence=evidence,
            )
