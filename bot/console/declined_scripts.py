"""Scripts users said were not what they meant ("no, I was just asking"): the router started
them on a question the docs should have answered. Many for one script means its examples
are broader than the task it handles; the openings listed are what to fix them with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AnswerTrace


@dataclass
class DeclinedScript:
    script_id: str
    openings: list[tuple[str, str]] = field(default_factory=list)  # (trace id of the decline, the question that started it)
    pressed: int = 0  # declines sent by the Just asking button; the rest were typed

    @property
    def times(self) -> int:
        return len(self.openings)


def declined_scripts(session: Session, since: datetime, until: datetime, limit: int = 2000) -> list[DeclinedScript]:
    declined = AnswerTrace.routing["declined_script"].as_string()
    rows = session.execute(
        select(AnswerTrace.id, declined, AnswerTrace.routing["declined_opening"].as_string(),
               AnswerTrace.routing["pressed"].as_string())
        .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until, declined.is_not(None))
        .order_by(AnswerTrace.created_at.desc())
        .limit(limit)
    ).all()
    by_script: dict[str, DeclinedScript] = {}
    for trace_id, script_id, opening, pressed in rows:
        script = by_script.setdefault(script_id, DeclinedScript(script_id))
        script.openings.append((trace_id, opening or ""))
        script.pressed += pressed is not None
    return sorted(by_script.values(), key=lambda d: (-d.times, d.script_id))
