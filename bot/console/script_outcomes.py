"""How the scripts started in a date range went: to their end (resolved), handed to the docs or to
a person (at its end, or the user asked for one midway), stopped by the user, declined ("no, I was
just asking"), left for another question, or not finished (the user went quiet, or it is still
running). A script many users leave or decline needs its steps or its examples looked at. Counted
from the script turns and the router's reasons that traces keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import AnswerTrace
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

    @property
    def unfinished(self) -> int:
        ended = self.resolved + self.to_docs + self.to_person + self.stopped + self.declined + self.moved_on
        return max(0, self.started - ended)  # a run started before the range can end inside it

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
    return sorted(by_script.values(), key=lambda o: (-o.started, o.script_id))
