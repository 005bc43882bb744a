"""Makes a follow-up question standalone using the thread's history.

Without a language model the rewrite is lexical: the question comes first (so the
embedder, which truncates long input, always sees it), followed by the user's recent turns
and the bot's last reply, which name the topic a follow-up like "how long does that take?"
leaves implicit.
"""

from __future__ import annotations

from dataclasses import dataclass

from strategies.base import HistoryTurn


@dataclass(frozen=True)
class StandaloneQuery:
    dense: str  # for the embedder
    keyword: str  # for BM25, may be longer


def standalone_query(question: str, history: tuple[HistoryTurn, ...], max_user_turns: int = 3) -> StandaloneQuery:
    if not history:
        return StandaloneQuery(dense=question, keyword=question)
    user_turns = [t.text for t in history if t.role == "user"][-max_user_turns:]
    bot_turns = [t.text for t in history if t.role == "bot"][-1:]
    context = " ".join(reversed(user_turns))
    dense = f"{question} {context}".strip()
    keyword = " ".join([question, question, context, *bot_turns]).strip()
    return StandaloneQuery(dense=dense, keyword=keyword)
