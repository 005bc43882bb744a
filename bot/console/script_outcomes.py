"""How the scripts started in a date range went: to their end (resolved), handed to the docs or to
a person (at its end, or the user asked for one midway, typed or by the button), stopped by the user, declined ("no, I was
just asking"), left for another question, or not finished: the conversation's last answer still
waits at a step (the user went quiet there, or is still answering), counted per step. A script
many users leave or decline needs its steps or its examples looked at. Counted from the script
turns and the router's reasons that traces keep, grouped in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
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


def script_outcomes(session: Session, since: datetime, until: datetime) -> list[ScriptOutcomes]:
    routing = AnswerTrace.routing
    script = routing[("script_turn", "script")].as_string()
    started = routing[("script_turn", "started")].as_boolean()
    end = routing[("script_turn", "end")].as_string()
    declined = routing["declined_script"].as_string()
    left = routing["left_script"].as_string()
    asked_for_a_person = case((routing["reason"].as_string() == USER_ASKED_FOR_A_PERSON, True), else_=False)
    groups = session.execute(
        select(script, started, end, declined, left, asked_for_a_person, func.count())
        .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until,
               or_(AnswerTrace.script_id.is_not(None), declined.is_not(None), left.is_not(None)))
        .group_by(script, started, end, declined, left, asked_for_a_person)
    )
    by_script: dict[str, ScriptOutcomes] = {}

    def of(script_id: str) -> ScriptOutcomes:
        return by_script.setdefault(script_id, ScriptOutcomes(script_id))

    for turn_script, turn_started, turn_end, declined_from, left_from, to_person, count in groups:
        if declined_from:
            of(declined_from).declined += count
        if left_from:
            if to_person:
                of(left_from).to_person += count
            else:
                of(left_from).moved_on += count
        if turn_script:
            outcomes = of(turn_script)
            outcomes.started += count if turn_started else 0
            outcome = ENDS.get(turn_end)
            if outcome and not declined_from:  # a decline with nothing else asked stops the script: one outcome
                setattr(outcomes, outcome, getattr(outcomes, outcome) + count)
    for trace_id, turn_script, waits_at, handed in _runs_waiting_at_a_step(session, since, until):
        if handed:  # the user asked for a person with the button under the script's question
            of(turn_script).to_person += 1
        else:
            of(turn_script).waiting.setdefault(waits_at, []).append(trace_id)
    return sorted(by_script.values(), key=lambda o: (-o.started, o.script_id))


def _runs_waiting_at_a_step(session: Session, since: datetime, until: datetime) -> list[tuple[str, str, str, bool]]:
    """(trace id, script, step, whether a person was asked for under it) of each conversation that
    followed a script in the range and whose last trace before `until` still waits at a step: with
    nobody asked for, a run nobody finished."""
    script = AnswerTrace.routing[("script_turn", "script")].as_string()
    waits_at = AnswerTrace.routing[("script_turn", "waits_at")].as_string()
    followed = (select(AnswerTrace.conversation_id)
                .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until, AnswerTrace.script_id.is_not(None))
                .distinct())
    last = (select(AnswerTrace.conversation_id, func.max(AnswerTrace.created_at).label("at"))
            .where(AnswerTrace.created_at < until, AnswerTrace.conversation_id.in_(followed))
            .group_by(AnswerTrace.conversation_id)
            .subquery())
    handed = select(Escalation.trace_id).where(Escalation.trace_id.is_not(None)).distinct().subquery()
    rows = session.execute(
        select(AnswerTrace.id, script, waits_at, handed.c.trace_id.is_not(None))
        .join(last, and_(AnswerTrace.conversation_id == last.c.conversation_id, AnswerTrace.created_at == last.c.at))
        .outerjoin(handed, handed.c.trace_id == AnswerTrace.id)
        .where(script.is_not(None), waits_at.is_not(None))
        .order_by(AnswerTrace.created_at.desc())
    )
    return [(trace_id, turn_script, step, bool(asked)) for trace_id, turn_script, step, asked in rows]
