"""What a follow-up is searched with, and what the thread is about (strategies.query_rewrite)."""

from __future__ import annotations

from strategies.base import HistoryTurn
from strategies.query_rewrite import standalone_query, thread_topics

THREAD = (
    HistoryTurn("user", "How much does Pro cost?"), HistoryTurn("bot", "Pro costs $15 per month."),
    HistoryTurn("user", "and Business?"), HistoryTurn("bot", "Business costs $35 per month."),
)


def test_the_thread_is_the_users_recent_turns_together_and_the_bots_last_reply():
    assert thread_topics(THREAD) == ["How much does Pro cost? and Business?", "Business costs $35 per month."]
    assert thread_topics(THREAD, max_user_turns=1) == ["and Business?", "Business costs $35 per month."]
    assert thread_topics((HistoryTurn("user", "hi"),)) == ["hi"]
    assert thread_topics(()) == []


def test_a_follow_up_is_searched_with_the_thread_and_a_first_question_alone():
    query = standalone_query("is there a discount?", THREAD)
    assert query.dense == "is there a discount? and Business? How much does Pro cost?"
    assert "Business costs $35" in query.keyword and "Business costs $35" not in query.dense
    assert standalone_query("is there a discount?", ()).dense == "is there a discount?"
