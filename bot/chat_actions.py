"""The buttons under an answer, for every chat: Helpful, Not right (a dispute), Talk to a human.
Each is recorded against the trace with who and when. Just asking (under a script the router
started on a question) and the answer buttons under a script's question (Yes / No, its choices)
are not recorded here: each becomes the user's next message, which the chat answers as if they
had typed it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.answer_service import HANDED_OVER, answer_actions
from bot.db.models import AnswerFeedback, AnswerTrace, Conversation, Dispute, Escalation, Turn
from bot.db.models.feedback import DISPUTE_REASONS
from bot.escalations import EscalationNotifier, open_escalation
from bot.handoff import hand_to_human, mark_escalated
from bot.messages import Action, Citation, IncomingMessage, Outcome, Reply

THANKS = "Thanks for letting us know!"
DISPUTE_OPENED = "Thanks: I've passed this to the support team to review, and they'll follow up here."
ALREADY_WITH_HUMAN = "A person from our support team already has this conversation and will reply here."
MOVED_ON = "We've moved on from that message, so nothing changed. Ask me your question and I'll answer it."
JUST_ASKING = "just asking"  # the message a Just asking click sends; the router reads it as declining the script


class MovedOn(Exception):
    """A Just asking or answer click under an answer the conversation has gone past: `text` tells the user."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class UnknownTrace(LookupError):
    """A button pointed at an answer this bot has no record of (forged, or from another install)."""


@dataclass(frozen=True)
class ActionResult:
    text: str  # what the user is told
    conversation_id: int
    escalation_id: int | None = None
    dispute_id: int | None = None


class ChatActions:
    def __init__(self, sessions: sessionmaker[Session], notices: EscalationNotifier) -> None:
        self._sessions = sessions
        self._notices = notices

    def helpful(self, trace_id: str, user_id: str) -> ActionResult:
        with self._sessions.begin() as session:
            trace = _trace(session, trace_id)
            session.add(AnswerFeedback(trace_id=trace.id, rating="helpful", user_id=user_id))
            return ActionResult(THANKS, trace.conversation_id)

    def dispute(self, trace_id: str, user_id: str, reason: str = "other", details: str = "") -> ActionResult:
        reason = reason if reason in DISPUTE_REASONS else "other"
        with self._sessions.begin() as session:
            trace = _trace(session, trace_id)
            session.add(AnswerFeedback(trace_id=trace.id, rating="not_right", user_id=user_id))
            dispute = Dispute(
                trace_id=trace.id,
                conversation_id=trace.conversation_id,
                opened_by=user_id,
                reason=reason,
                details=details.strip()[:4000],
            )
            session.add(dispute)
            # a person follows up (the reply promises it) while the bot keeps answering in the thread
            conversation = session.get(Conversation, trace.conversation_id)
            escalation = open_escalation(session, conversation, "dispute", trace.id, user_id)
            mark_escalated(conversation)
            session.flush()
            result = ActionResult(
                DISPUTE_OPENED,
                trace.conversation_id,
                escalation_id=escalation.id if escalation else None,
                dispute_id=dispute.id,
            )
        if result.escalation_id is not None:
            self._notices.send(result.escalation_id)
        return result

    def talk_to_human(self, trace_id: str, user_id: str) -> ActionResult:
        with self._sessions.begin() as session:
            trace = _trace(session, trace_id)
            conversation = session.get(Conversation, trace.conversation_id)
            escalation = open_escalation(session, conversation, "user_request", trace.id, user_id)
            if escalation is None:
                _now_asked_for_a_person(session, conversation.id, user_id)
            already = conversation.handled_by == "human"
            hand_to_human(conversation)
            result = ActionResult(
                ALREADY_WITH_HUMAN if already else HANDED_OVER,
                conversation.id,
                escalation_id=escalation.id if escalation else None,
            )
        if result.escalation_id is not None:
            self._notices.send(result.escalation_id)
        return result


    def just_asking(self, trace_id: str, user_id: str) -> IncomingMessage:
        """The message a Just asking click sends for `user_id`: "just asking" in the answer's
        conversation. Raises MovedOn unless that answer is still the latest and its script still waits."""
        return self._pressed_reply(trace_id, user_id, Action.JUST_ASKING, lambda trace: JUST_ASKING)

    def script_answer(self, trace_id: str, user_id: str, answer: str) -> IncomingMessage:
        """The message an answer button under a script's question sends for `user_id`: that answer,
        as if typed. Raises MovedOn unless the answer still waits there and offered `answer`."""

        def offered(trace: AnswerTrace) -> str:
            choices = ((trace.routing or {}).get("script_turn") or {}).get("choices") or []
            if answer not in choices:
                raise MovedOn(MOVED_ON)
            return answer

        return self._pressed_reply(trace_id, user_id, Action.ANSWER, offered)

    def _pressed_reply(self, trace_id: str, user_id: str, pressed: Action, text_of) -> IncomingMessage:
        with self._sessions() as session:
            trace = _trace(session, trace_id)
            conversation = session.get(Conversation, trace.conversation_id)
            if conversation.handled_by == "human":
                raise MovedOn(ALREADY_WITH_HUMAN)
            latest_question = session.scalar(
                select(func.max(Turn.id)).where(Turn.conversation_id == conversation.id, Turn.role == "user")
            )
            if conversation.script_state is None or latest_question != trace.question_turn_id:
                raise MovedOn(MOVED_ON)
            return IncomingMessage(
                channel=conversation.channel,
                conversation_key=conversation.external_key,
                user_id=user_id,
                text=text_of(trace),
                reply_address=conversation.reply_address,
                pressed=pressed,
            )

    def without_reply_buttons(self, trace_id: str, channel: str) -> Reply:
        """The answer whose Just asking or answer button was pressed, as it reads from now on: the
        same text and sources, without those buttons (left there, they only invite clicks that change nothing).
        Raises UnknownTrace unless the answer is from `channel`, where the click came from: a crafted
        click must not make the bot rewrite one of its messages with another conversation's answer."""
        with self._sessions() as session:
            trace = _trace(session, trace_id)
            if trace.channel != channel:
                raise UnknownTrace(f"answer trace {trace_id!r} is not from {channel!r}")
            outcome = Outcome(trace.outcome)
            citations = [
                Citation(e.citation, e.title, e.section, e.url, e.document_key)
                for e in sorted(trace.evidence, key=lambda e: e.citation or 0)
                if e.citation is not None
            ]
            return Reply(text=trace.answer, outcome=outcome, trace_id=trace.id, citations=citations,
                         actions=answer_actions(outcome))


def _now_asked_for_a_person(session: Session, conversation_id: int, user_id: str) -> None:
    """The conversation's open dispute escalation becomes a request for a person: the queue
    should show that the user is now waiting (the bot has gone quiet), not only a review."""
    session.execute(
        update(Escalation)
        .where(Escalation.conversation_id == conversation_id, Escalation.resolved_at.is_(None),
               Escalation.reason == "dispute")
        .values(reason="user_request", requested_by=user_id)
    )


def _trace(session: Session, trace_id: str) -> AnswerTrace:
    trace = session.get(AnswerTrace, trace_id) if trace_id else None
    if trace is None:
        raise UnknownTrace(f"no answer trace {trace_id!r}")
    return trace
