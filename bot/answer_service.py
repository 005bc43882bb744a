"""The answer service: one chat-neutral entry point from a message to a traced reply."""

from __future__ import annotations

import logging
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channel_policies import ChannelPolicies
from bot.db.models import AnswerTrace, Conversation, Turn
from bot.escalations import EscalationNotices, EscalationNotifier, escalation_reason, open_escalation
from bot.handoff import HUMAN, hand_to_human, mark_escalated
from bot.index_versions import current_index_version
from bot.message_checks import UnusableMessage, clean_question
from bot.messages import Action, Citation, IncomingMessage, Outcome, Reply
from bot.trace_recorder import record_trace
from strategies.base import HistoryTurn, Question, StrategyAnswer
from strategies.router import Router
from strategies.small_talk import SMALL_TALK

log = logging.getLogger(__name__)

NOT_SURE = (
    "I'm not sure about this one: I couldn't find a reliable answer in our help center, "
    "and I'd rather not guess. Would you like me to bring in a person from the support team?"
)
HANDED_OVER = "I've asked a person from our support team to take over. They'll reply here as soon as they can."
FAILED = "Sorry, something went wrong on our side while looking that up. A person from the support team can help."


class AnswerService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        router: Router,
        index_backend: str,
        embedding_model: str,
        max_message_chars: int = 4000,
        history_turns: int = 6,
        notices: EscalationNotifier | None = None,
    ) -> None:
        self._sessions = sessions
        self._router = router
        self._policies = ChannelPolicies(sessions)
        self._index_backend = index_backend
        self._embedding_model = embedding_model
        self._max_chars = max_message_chars
        self._history_turns = history_turns
        self._notices = notices or EscalationNotices(sessions)

    def handle(self, message: IncomingMessage) -> Reply:
        started = time.perf_counter()
        try:
            text = clean_question(message.text, self._max_chars)
        except UnusableMessage as exc:
            return Reply(text=str(exc), outcome=Outcome.REJECTED)

        with self._sessions.begin() as session:
            conversation = self._conversation(session, message)
            history = self._history(session, conversation) or _earlier(message, self._history_turns)
            question_turn = Turn(conversation=conversation, role="user", user_id=message.user_id, text=text)
            session.add(question_turn)
            session.flush()
            if conversation.handled_by == HUMAN:
                return Reply(text="", outcome=Outcome.WITH_HUMAN)
            conversation_id, question_turn_id = conversation.id, question_turn.id
            question = Question(
                text=text, history=history, script_state=conversation.script_state,
                bot_offered_a_person=bool(history) and history[-1] == HistoryTurn("bot", NOT_SURE),
            )
        policy = self._policies.get(message.channel)

        answer_started = time.perf_counter()
        try:
            result = self._router.answer(question, policy)
        except Exception:
            log.exception("answering failed")
            result = StrategyAnswer(strategy="router", text=None, abstain_reason="strategy error", escalate=True)
            result.script_state = question.script_state  # an error must not lose the script's place
        answer_ms = round((time.perf_counter() - answer_started) * 1000, 2)
        if message.pressed is not None:
            result.routing["pressed"] = message.pressed.value  # the trace tells a click from the typed words

        outcome, reply_text = _outcome_and_text(result)
        with self._sessions.begin() as session:
            conversation = session.get(Conversation, conversation_id)
            conversation.script_state = result.script_state
            if result.handoff:
                hand_to_human(conversation)
            elif result.escalate:
                mark_escalated(conversation)
            answer_turn = Turn(conversation=conversation, role="bot", text=reply_text)
            session.add(answer_turn)
            session.flush()
            timings = {**result.timings_ms, "strategy_ms": answer_ms}
            timings["total_ms"] = round((time.perf_counter() - started) * 1000, 2)
            trace = record_trace(
                session,
                conversation=conversation,
                question_turn=session.get(Turn, question_turn_id),
                answer_turn=answer_turn,
                history=history,
                result=result,
                outcome=outcome.value,
                index_backend=self._index_backend,
                index_version=current_index_version(session, self._index_backend),
                embedding_model=self._embedding_model,
                timings_ms=timings,
            )
            trace_id = trace.id
            escalation = None
            if result.handoff or result.escalate:
                reason = escalation_reason(result)
                requested_by = message.user_id if reason == "user_request" else None
                escalation = open_escalation(session, conversation, reason, trace_id, requested_by)
            escalation_id = escalation.id if escalation else None
        if escalation_id is not None:
            self._notices.send(escalation_id)
        return Reply(
            text=reply_text,
            outcome=outcome,
            trace_id=trace_id,
            citations=_citations(result),
            actions=[] if result.strategy == SMALL_TALK else answer_actions(
                outcome, offers_docs_answer=result.offers_docs_answer, handed_off=result.handoff
            ),
            choices=list(result.script_choices) if outcome is Outcome.ANSWERED else [],
        )

    def _conversation(self, session: Session, message: IncomingMessage) -> Conversation:
        conversation = session.scalar(
            select(Conversation).where(
                Conversation.channel == message.channel, Conversation.external_key == message.conversation_key
            )
        )
        if conversation is None:
            conversation = Conversation(channel=message.channel, external_key=message.conversation_key)
            session.add(conversation)
            session.flush()
        if message.reply_address is not None:
            conversation.reply_address = message.reply_address
        return conversation

    def _history(self, session: Session, conversation: Conversation) -> tuple[HistoryTurn, ...]:
        if not self._history_turns:
            return ()
        turns = session.scalars(
            select(Turn).where(Turn.conversation_id == conversation.id).order_by(Turn.id.desc()).limit(self._history_turns)
        ).all()[::-1]
        # The thread's topic starts at its last new topic: a question searched without the
        # thread, a question asked after leaving a script, or a script's opening.
        started = _new_topic_starts(session, [t.id for t in turns if t.role == "user"])
        if started:
            turns = turns[max(i for i, t in enumerate(turns) if t.id in started):]
        return tuple(HistoryTurn(role=t.role, text=t.text) for t in turns)


def _new_topic_starts(session: Session, question_turn_ids: list[int]) -> set[int]:
    if not question_turn_ids:
        return set()
    rows = session.execute(
        select(AnswerTrace.question_turn_id, AnswerTrace.routing).where(AnswerTrace.question_turn_id.in_(question_turn_ids))
    )
    return {turn_id for turn_id, routing in rows if _starts_a_topic(routing or {})}


def _starts_a_topic(routing: dict) -> bool:
    return bool(
        (routing.get("retrieval") or {}).get("new_topic")
        or routing.get("asked_after_a_script")
        or (routing.get("script_turn") or {}).get("started")
    )


def _earlier(message: IncomingMessage, limit: int) -> tuple[HistoryTurn, ...]:
    if not limit:
        return ()
    texts = [t.strip() for t in message.earlier_messages if t and t.strip()]
    return tuple(HistoryTurn(role="user", text=t[:2000]) for t in texts[-limit:])


def _outcome_and_text(result: StrategyAnswer) -> tuple[Outcome, str]:
    if result.handoff:
        return Outcome.ESCALATED, f"{result.text}\n\n{HANDED_OVER}" if result.text else HANDED_OVER
    if result.text is not None:
        return (Outcome.ESCALATED if result.escalate else Outcome.ANSWERED), result.text
    if result.abstain_reason == "strategy error":
        return Outcome.ESCALATED, FAILED
    return (Outcome.ESCALATED if result.escalate else Outcome.ABSTAINED), NOT_SURE


def _citations(result: StrategyAnswer) -> list[Citation]:
    return [
        Citation(
            number=e.citation,
            title=e.chunk.title,
            section=e.chunk.section,
            url=e.chunk.url,
            document_key=e.chunk.document_key,
        )
        for e in result.citations
    ]


def answer_actions(outcome: Outcome, *, offers_docs_answer: bool = False, handed_off: bool = False) -> list[Action]:
    """The buttons under a reply."""
    if outcome is Outcome.ANSWERED:
        offered = [Action.JUST_ASKING] if offers_docs_answer else []
        return [*offered, Action.HELPFUL, Action.NOT_RIGHT, Action.TALK_TO_HUMAN]
    if handed_off:
        return []
    return [Action.TALK_TO_HUMAN]
