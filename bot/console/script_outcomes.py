"""How the scripts started in a date range went: to their end (resolved), handed to the docs or to
a person (at its end, or the user asked for one midway, typed or by the button), stopped by the user, declined ("no, I was
just asking"), left for another question, or not finished: the conversation's last answer still
waits at a step (the user went quiet there, or is still answering), counted per step. A script
many users leave or decline needs its steps or its examples looked at. Counted from the script
turns and the router's reasons that traces keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import AnswerTrace, Escalation
from strategies.router import USER_ASKED_FOR_A_PERSON

ENDS = {"resolved": "resolved", "retrieval": "to_docs", "escalate": "to_person", "stopped": "stopped"}


@dataclass
class ScriptOutcomes:
    script_id: str
    started: int = 0
    resolved: int = 0
    to_docs: int = 0
    to_person: int = 0
    stopped: int = 0
    declined: int = 0
    moved_on: int = 0  # the user asked something else midway
    waiting: dict[str, list[str]] = field(default_factory=dict)  # step -> last traces of the runs waiting there

    @property
    def unfinished(self) -> int:
        return sum(len(traces) for traces in self.waiting.values())

    def waiting_steps(self) -> list[tuple[str, list[str]]]:
        """Where unfinished runs wait, the most first, with the trace of each run's last answer."""
        return sorted(self.waiting.items(), key=lambda item: (-len(item[1]), item[0]))

    def rate(self, count: int) -> float:
        return count / self.started if self.started else 0.0


def script_outcomes(session: Session, since: datetime, until: datetime, limit: int = 20_000) -> list[ScriptOutcomes]:
    declined = AnswerTrace.routing["declined_script"].as_string()
    left = AnswerTrace.routing["left_script"].as_string()
    rows = session.scalars(
        select(AnswerTrace.routing)
        .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until,
               or_(AnswerTrace.script_id.is_not(None), declined.is_not(None), left.is_not(None)))
        .order_by(AnswerTrace.created_at.desc())
        .limit(limit)
    )
    by_script: dict[str, ScriptOutcomes] = {}
    for routing in rows:
        routing = routing or {}
        turn, declined_from, left_from = routing.get("script_turn") or {}, routing.get("declined_script"), routing.get("left_script")
        if declined_from:
            by_script.setdefault(declined_from, ScriptOutcomes(declined_from)).declined += 1
        if left_from:
            outcomes = by_script.setdefault(left_from, ScriptOutcomes(left_from))
            if routing.get("reason") == USER_ASKED_FOR_A_PERSON:
                outcomes.to_person += 1
            else:
                outcomes.moved_on += 1
        if turn.get("script"):
            outcomes = by_script.setdefault(turn["script"], ScriptOutcomes(turn["script"]))
            outcomes.started += bool(turn.get("started"))
            end = ENDS.get(turn.get("end"))
            if end and not declined_from:  # a decline with nothing else asked stops the script: one outcome
                setattr(outcomes, end, getattr(outcomes, end) + 1)
    for trace_id, turn, handed in _last_turns_of_conversations_with_scripts(session, since, until):
        if turn.get("script") and turn.get("waits_at"):
            outcomes = by_script.setdefault(turn["script"], ScriptOutcomes(turn["script"]))
            if handed:  # the user asked for a person with the button under the script's question
                outcomes.to_person += 1
            else:
                outcomes.waiting.setdefault(turn["waits_at"], []).append(trace_id)
    return sorted(by_script.values(), key=lambda o: (-o.started, o.script_id))


def _last_turns_of_conversations_with_scripts(
    session: Session, since: datetime, until: datetime
) -> list[tuple[str, dict, bool]]:
    """(trace id, script turn or {}, whether a person was asked for under it) of the last trace
    before `until` of each conversation that followed a script in the range: one that waits for an
    answer, with nobody asked for, is a run nobody finished."""
    followed = (select(AnswerTrace.conversation_id)
                .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until, AnswerTrace.script_id.is_not(None))
                .distinct())
    last = (select(AnswerTrace.conversation_id, func.max(AnswerTrace.created_at).label("at"))
            .where(AnswerTrace.created_at < until, AnswerTrace.conversation_id.in_(followed))
            .group_by(AnswerTrace.conversation_id)
            .subquery())
    handed = select(Escalation.trace_id).where(Escalation.trace_id.is_not(None)).distinct().subquery()
    rows = session.execute(
        select(AnswerTrace.id, AnswerTrace.routing, handed.c.trace_id.is_not(None))
        .join(last, and_(AnswerTrace.conversation_id == last.c.conversation_id, AnswerTrace.created_at == last.c.at))
        .outerjoin(handed, handed.c.trace_id == AnswerTrace.id)
        .order_by(AnswerTrace.created_at.desc())
    )
    return [(trace_id, (routing or {}).get("script_turn") or {}, bool(asked)) for trace_id, routing, asked in rows]
