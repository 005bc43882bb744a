"""Makes a follow-up question standalone using the thread's history.

Without a language model the rewrite is lexical, and the two retrievers get different text:
- the embedder gets the question first (it truncates long input, so it always sees the
  question), then the user's recent turns, newest first. The same text picks the sentences
  the extractive writer quotes, so it stays about what the user asked;
- BM25 gets all of that plus the bot's recent replies. A follow-up like "how long does that
  take?" refers to what the bot just said, and the bot's replies quote the very documentation
  the thread is about (measured on doc2dial's follow-ups by benchmarks/retrieval.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from strategies.base import HistoryTurn


@dataclass(frozen=True)
class StandaloneQuery:
    dense: str  # for the embedder
    keyword: str  # for BM25, may be longer


def standalone_query(question: str, history: tuple[HistoryTurn, ...], max_user_turns: int = 3) -> StandaloneQuery:
    """Uses the turns since the `max_user_turns`-th last user turn, with the bot's replies."""
    recent = list(reversed(_recent_turns(history, max_user_turns)))
    if not recent:
        return StandaloneQuery(dense=question, keyword=question)
    dense = " ".join([question, *(t.text for t in recent if t.role == "user")])
    keyword = " ".join([question, *(t.text for t in recent)])
    return StandaloneQuery(dense=dense.strip(), keyword=keyword.strip())


def thread_topics(history: tuple[HistoryTurn, ...], max_user_turns: int = 3) -> list[str]:
    """What the thread is about, to tell a follow-up from a new topic: the user's recent turns
    together, and the bot's last reply."""
    recent = _recent_turns(history, max_user_turns)
    users = " ".join(t.text for t in recent if t.role == "user").strip()
    last_reply = next((t.text for t in reversed(recent) if t.role == "bot"), "").strip()
    return [text for text in (users, last_reply) if text]


def _recent_turns(history: tuple[HistoryTurn, ...], max_user_turns: int) -> tuple[HistoryTurn, ...]:
    if max_user_turns <= 0:
        return ()
    users = [i for i, turn in enumerate(history) if turn.role == "user"]
    start = users[-max_user_turns] if len(users) >= max_user_turns else 0
    return history[start:]
