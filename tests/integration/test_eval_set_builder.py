"""Evaluation cases from judged disputes and reviewed traces."""

from __future__ import annotations

import uuid

from bot.db.models import AnswerTrace, Dispute
from bot.evaluation.set_builder import cases_from_reviews_and_disputes
from bot.messages import IncomingMessage
from bot.trace_reviews import label_trace
from strategies.evaluation import parse_case


def ask(container, text):
    reply = container.answer_service.handle(
        IncomingMessage(channel="test", conversation_key=uuid.uuid4().hex, user_id="u", text=text)
    )
    return reply.trace_id


def dispute(container, trace_id, status, correction=None):
    with container.sessions.begin() as session:
        trace = session.get(AnswerTrace, trace_id)
        session.add(Dispute(trace_id=trace_id, conversation_id=trace.conversation_id, opened_by="u", reason="wrong_fact",
                            details="", status=status, correction=correction))


def test_disputes_and_reviews_become_cases(synced):
    upheld = ask(synced, "How much does Pro cost?")
    overturned = ask(synced, "How often do bank feeds refresh?")
    reviewed = ask(synced, "How do I set up a VAT tax rate?")
    still_open = ask(synced, "Can Tallyo send automatic payment reminders?")
    dispute(synced, upheld, "upheld", correction="Pro is $15 a month.")
    dispute(synced, overturned, "overturned")
    dispute(synced, still_open, "open")
    label_trace(synced.sessions, reviewed, "wrong", "lead")
    label_trace(synced.sessions, reviewed, "correct", "lead")  # the latest review counts

    with synced.sessions() as session:
        cases = {c.question: c for c in cases_from_reviews_and_disputes(session)}
        cited = {  # each cited document once, in citation order
            t.id: list(dict.fromkeys(e.document_key for e in t.evidence if e.citation is not None))
            for t in session.query(AnswerTrace).all()
        }
    assert set(cases) == {"How much does Pro cost?", "How often do bank feeds refresh?", "How do I set up a VAT tax rate?"}
    wrong = cases["How much does Pro cost?"]
    assert wrong.should_escalate and "upheld" in wrong.note and "Pro is $15 a month." in wrong.note
    right = cases["How often do bank feeds refresh?"]
    assert not right.should_escalate and list(right.expected_sources) == cited[overturned] and cited[overturned]
    assert list(cases["How do I set up a VAT tax rate?"].expected_sources) == cited[reviewed]
    for case in cases.values():
        assert parse_case(case.to_dict()).to_dict() == case.to_dict()  # every built case is in the file format
