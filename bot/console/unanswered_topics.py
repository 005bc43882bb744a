"""Top unanswered topics: questions that ended abstained or escalated, grouped by the content
words they share. No embeddings: lower-cased words, stop words dropped, a plural `s` trimmed,
then a question joins the first group whose words overlap its own by Jaccard >= 0.5. Crude,
but each group can be checked by reading its examples."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AnswerTrace

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
STOP_WORDS = frozenset(
    "a an the and or but if then so to of in on at by for with from about into over after before is are was were be been "
    "being am do does did doing have has had having i me my we our you your he she it its they them their this that these "
    "those what which who whom whose when where why how can could should would will shall may might must not no yes "
    "please thanks thank hi hello hey there here any some all just also get got need want like know tell help "
    "there's it's i'm don't can't cannot".split()
)
SIMILAR_ENOUGH = 0.5


@dataclass
class Topic:
    words: Counter = field(default_factory=Counter)
    questions: list[tuple[str, str]] = field(default_factory=list)  # (trace id, question)
    keys: list[frozenset[str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " ".join(word for word, _ in self.words.most_common(3))

    @property
    def size(self) -> int:
        return len(self.questions)


def keywords(question: str) -> frozenset[str]:
    words = (w.strip("'-") for w in _WORD.findall(question.lower()))
    return frozenset(_singular(w) for w in words if w and w not in STOP_WORDS and len(w) > 1)


def group_questions(questions: list[tuple[str, str]]) -> list[Topic]:
    topics: list[Topic] = []
    for trace_id, question in questions:
        key = keywords(question)
        if not key:
            continue
        home = next((t for t in topics if any(_jaccard(key, other) >= SIMILAR_ENOUGH for other in t.keys)), None)
        if home is None:
            home = Topic()
            topics.append(home)
        home.words.update(key)
        home.questions.append((trace_id, question))
        if key not in home.keys and len(home.keys) < 20:
            home.keys.append(key)
    return sorted(topics, key=lambda t: t.size, reverse=True)


def top_unanswered_topics(session: Session, since: datetime, until: datetime, limit: int = 10, scan: int = 2000) -> list[Topic]:
    rows = session.execute(
        select(AnswerTrace.id, AnswerTrace.question)
        .where(AnswerTrace.outcome.in_(("abstained", "escalated")))
        .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until)
        .order_by(AnswerTrace.created_at.desc())
        .limit(scan)
    ).all()
    return [t for t in group_questions([(r[0], r[1]) for r in rows]) if t.size > 1 or len(rows) < 20][:limit]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)
