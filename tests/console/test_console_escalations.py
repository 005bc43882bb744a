"""The escalation queue: age and SLA, claim (one lead wins), reply, resolve and hand back, with
what the lead writes posted into the user's Slack thread (fake Slack Web API)."""

from __future__ import annotations

import html
import threading
from datetime import timedelta

from sqlalchemy import select

from bot.console.disputes import Actor
from bot.console.escalation_work import EscalationError, claim
from bot.db.models import AuditEntry, Conversation, Escalation
from tests.console import seed
from tests.console.slack_fixtures import settings, slack, slack_thread  # noqa: F401  (fixtures)


def _escalated(accounts, age=timedelta(minutes=5), reason="low_confidence") -> tuple[int, int]:
    with accounts.sessions.begin() as session:
        conv = slack_thread(session, seed)
        row = seed.trace(session, "Can I pay by cheque?", "I'm not sure.", conv=conv, outcome="escalated")
        escalation = seed.escalation(session, conv, row, reason=reason, age=age)
        return escalation.id, conv.id


def test_the_queue_shows_age_reason_and_the_sla(lead, accounts):
    late, _ = _escalated(accounts, age=timedelta(hours=5))
    fresh, _ = _escalated(accounts, age=timedelta(minutes=20), reason="user_request")
    page = lead.get("/console/escalations").text
    assert page.index(f"#{late}<") < page.index(f"#{fresh}<"), "the one waiting longest comes first"
    assert "5 h 00 min" in page and "20 min" in page and "user request" in page
    assert page.count("over SLA") == 1 and "SLA 4.0 h" in page


def test_a_second_lead_claiming_the_same_escalation_is_told_who_has_it(lead, other_lead, accounts):
    escalation_id, conversation_id = _escalated(accounts)
    first = lead.post(f"/console/escalations/{escalation_id}/claim", data={"csrf_token": lead.csrf})
    assert first.status_code == 200 and "You claimed this escalation" in first.text
    second = other_lead.post(f"/console/escalations/{escalation_id}/claim", data={"csrf_token": other_lead.csrf})
    assert second.status_code == 409 and "lea already claimed escalation" in second.text
    blocked = other_lead.post(f"/console/escalations/{escalation_id}/reply", data={"text": "I'll take it", "csrf_token": other_lead.csrf})
    assert blocked.status_code == 409 and "lea has claimed" in blocked.text and "take it" in html.unescape(blocked.text)
    with accounts.sessions() as session:
        assert session.get(Escalation, escalation_id).claimed_by == "lea"
        assert session.get(Conversation, conversation_id).handled_by == "human", "the bot stays quiet once a person has it"


def test_claims_racing_on_the_database_have_exactly_one_winner(accounts):
    escalation_id, _ = _escalated(accounts)
    barrier, outcomes = threading.Barrier(4), []

    def try_claim(name: str) -> None:
        barrier.wait()
        try:
            claim(accounts.sessions, escalation_id, Actor(name))
            outcomes.append(("won", name))
        except EscalationError as exc:
            outcomes.append(("lost", exc.message))

    threads = [threading.Thread(target=try_claim, args=(f"lead{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for result, name in outcomes if result == "won"]
    assert len(winners) == 1, outcomes
    with accounts.sessions() as session:
        assert session.get(Escalation, escalation_id).claimed_by == winners[0]


def test_reply_and_resolve_are_posted_into_the_thread_and_the_bot_takes_over_again(lead, accounts, slack):
    escalation_id, conversation_id = _escalated(accounts)
    lead.post(f"/console/escalations/{escalation_id}/claim", data={"csrf_token": lead.csrf})
    replied = lead.post(f"/console/escalations/{escalation_id}/reply", data={"text": "Cheques are fine <3", "csrf_token": lead.csrf})
    assert "Your reply was posted" in replied.text
    resolved = lead.post(f"/console/escalations/{escalation_id}/resolve", data={"resolution": "Sent you the form.", "csrf_token": lead.csrf})
    assert "Resolved" in resolved.text and 'id="escalation-state">closed (resolved)' in resolved.text
    texts = [p["text"] for p in slack.posts("C_HELP", "1700000000.000100")]
    assert texts == ["Cheques are fine &lt;3", "Sent you the form."]
    with accounts.sessions() as session:
        escalation = session.get(Escalation, escalation_id)
        assert (escalation.closed_as, escalation.resolution, escalation.claimed_by) == ("resolved", "Sent you the form.", "lea")
        assert session.get(Conversation, conversation_id).handled_by == "bot"
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target == f"escalation:{escalation_id}")).all()
    assert actions == ["escalation_claimed", "escalation_replied", "escalation_resolved"]
    again = lead.post(f"/console/escalations/{escalation_id}/resolve", data={"resolution": "twice", "csrf_token": lead.csrf})
    assert again.status_code == 409 and "already closed" in again.text


def test_a_failed_post_leaves_the_escalation_open_and_the_text_in_the_form(lead, accounts, slack):
    escalation_id, _ = _escalated(accounts)
    for _ in range(3):
        slack.fail_next("chat.postMessage", 500)
    response = lead.post(f"/console/escalations/{escalation_id}/resolve", data={"resolution": "Here is the answer", "csrf_token": lead.csrf})
    assert response.status_code == 409 and "Slack did not take the message" in response.text
    assert "Here is the answer" in response.text
    with accounts.sessions() as session:
        assert session.get(Escalation, escalation_id).resolved_at is None


def test_hand_back_closes_without_a_message(lead, accounts, slack):
    escalation_id, conversation_id = _escalated(accounts)
    response = lead.post(f"/console/escalations/{escalation_id}/hand-back", data={"csrf_token": lead.csrf})
    assert "Handed back to the bot" in response.text
    assert slack.posts("C_HELP") == []
    with accounts.sessions() as session:
        assert session.get(Escalation, escalation_id).closed_as == "handed_back"
        assert session.get(Conversation, conversation_id).handled_by == "bot"
    closed = lead.get("/console/escalations?show=resolved").text
    assert f"#{escalation_id}<" in closed


def test_a_missing_escalation_is_a_404_page(lead):
    assert lead.get("/console/escalations/999").status_code == 404
    assert lead.post("/console/escalations/999/claim", data={"csrf_token": lead.csrf}).status_code == 404
