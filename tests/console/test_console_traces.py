"""The trace list (filters, keyset pages), one trace's page, QA labels and leads' disputes."""

from __future__ import annotations

import re
from html import escape as html_escape
from datetime import timedelta

from sqlalchemy import select

from bot.db.base import utcnow
from bot.db.models import AnswerFeedback, AuditEntry, Dispute, TraceReview
from tests.console import seed

SCRIPT = "<script>alert('x')</script>"


def _ids_on(page_html: str) -> list[str]:
    return re.findall(r'href="/console/traces/([0-9a-f]{32})" class="trace-link"', page_html)


def test_filters_narrow_the_list_and_pages_follow_the_keyset(lead, accounts):
    now = utcnow()
    with accounts.sessions.begin() as session:
        web = [seed.trace(session, f"web question {n}", created_at=now - timedelta(minutes=n)) for n in range(60)]
        slack = seed.trace(session, "refund policy?", conv=seed.conversation(session, "slack:T1/C1"), outcome="abstained",
                           created_at=now - timedelta(days=3), top_similarity=0.2)
        script = seed.trace(session, "reset my password", strategy="script", script_id="reset_password", outcome="escalated",
                            created_at=now - timedelta(days=10), top_similarity=0.9)
        session.add(AnswerFeedback(trace_id=web[5].id, rating="not_right", user_id="web:bob"))
        session.add(Dispute(trace_id=web[7].id, conversation_id=web[7].conversation_id, opened_by="web:bob", reason="tone"))
        session.add(TraceReview(trace_id=web[9].id, label="wrong", reviewer="lea"))
        web_ids = [t.id for t in web]
        slack_id, script_id = slack.id, script.id

    first = lead.get("/console/traces")
    assert first.status_code == 200
    assert _ids_on(first.text) == web_ids[:50], "newest first, 50 a page"
    for choice in ("slack:T1/C1</option>", ">web</option>", ">script</option>", ">retrieval</option>"):
        assert choice in first.text, "the drop-downs offer the channels and strategies seen"
    next_link = re.search(r'href="([^"]+)" id="next-page"', first.text).group(1).replace("&amp;", "&")
    second = lead.get(next_link)
    assert _ids_on(second.text) == web_ids[50:] + [slack_id, script_id]
    assert 'id="next-page"' not in second.text

    def only(**params) -> list[str]:
        response = lead.get("/console/traces", params=params)
        assert response.status_code == 200, response.text
        return _ids_on(response.text)

    assert only(channel="slack:T1/C1") == [slack_id]
    assert only(strategy="script") == [script_id]
    assert only(script="reset_password") == [script_id] and only(script="request_refund") == []
    assert '<option selected>reset_password</option>' in lead.get("/console/traces", params={"script": "reset_password"}).text
    assert only(outcome="abstained") == [slack_id]
    assert only(feedback="not_right") == [web_ids[5]]
    assert only(disputed="yes") == [web_ids[7]]
    assert only(label="wrong") == [web_ids[9]]
    assert only(low_confidence="1") == [slack_id], "script answers use the model's confidence, docs answers the evidence"
    assert only(q="REFUND") == [slack_id]
    day = (now - timedelta(days=3)).date().isoformat()
    assert only(**{"from": day, "to": day}) == [slack_id]
    assert set(only(**{"to": (now - timedelta(days=2)).date().isoformat()})) == {slack_id, script_id}
    assert len(only(disputed="no", outcome="answered", q="web question")) == 50


def test_bad_filters_and_cursors_get_a_clear_message(lead):
    assert "must be a date" in lead.get("/console/traces", params={"from": "yesterday"}).text
    assert lead.get("/console/traces", params={"outcome": "maybe"}).status_code == 400
    broken = lead.get("/console/traces", params={"after": "not-a-cursor!"})
    assert broken.status_code == 400 and "page link is broken" in broken.text
    assert lead.get("/console/api/traces", params={"from": "2026-12-05", "to": "2026-12-01"}).status_code == 400


def test_the_trace_page_shows_the_thread_routing_and_evidence_with_document_changes(lead, accounts):
    with accounts.sessions.begin() as session:
        seed.document(session, "docs", "pricing.md", current_hash="h2")  # changed since
        seed.document(session, "docs", "old.md", current_hash="h1", status="retired")
        seed.document(session, "docs", "same.md", current_hash="h1")
        row = seed.trace(session, history=[{"role": "user", "text": "hello there"}, {"role": "bot", "text": "Hi!"}],
                         evidence=[{"key": "pricing.md", "text": "Pro is $15 a month, billed monthly."},
                                   {"key": "old.md", "title": "Old page"}, {"key": "same.md"}, {"key": "gone.md", "citation": None}])
        trace_id = row.id
    page = lead.get(f"/console/traces/{trace_id}")
    assert page.status_code == 200
    html = page.text
    assert "hello there" in html and "How much does Pro cost?" in html
    assert "no confident script match" in html and "reset_password" in html and "oos" in html, "router decision and thresholds"
    assert "Pro is $15 a month, billed monthly." in html, "full chunk text"
    for note in ("document changed since", "document removed since", "unchanged since", "document no longer known"):
        assert note in html
    assert "retrieve" in html and "12.5 ms" in html
    assert lead.get(f"/console/api/traces/{trace_id}").json()["evidence"][0]["document_now"] == "changed"
    assert 'id="pressed"' not in html, "a typed message is not marked as a click"


def test_the_trace_page_says_when_the_message_was_a_just_asking_or_answer_click(lead, accounts):
    with accounts.sessions.begin() as session:
        row = seed.trace(session, "just asking")
        row.routing = {**row.routing, "declined_script": "reset_password", "pressed": "just_asking"}
        answered = seed.trace(session, "No")
        answered.routing = {**answered.routing, "pressed": "answer"}
        trace_id, answered_id = row.id, answered.id
    html = lead.get(f"/console/traces/{trace_id}").text
    assert re.search(r'id="pressed">Sent by the <b>Just asking</b> button, not typed', html)
    assert 'id="pressed">Sent by an answer button under the script\'s question' in lead.get(f"/console/traces/{answered_id}").text


def test_the_trace_page_says_when_a_question_was_searched_without_the_thread(lead, accounts):
    with accounts.sessions.begin() as session:
        new_topic = seed.trace(session, "Can you recommend a good pizza place?")
        new_topic.routing = {**new_topic.routing, "retrieval": {"thread_similarity": 0.0798, "new_topic": True}}
        new_topic.scores = {**new_topic.scores, "new_topic_below": 0.15}
        follow_up = seed.trace(session, "How often does it refresh?")
        ids = new_topic.id, follow_up.id
    html = lead.get(f"/console/traces/{ids[0]}").text
    assert 'id="new-topic">Searched without the thread: a new topic (similarity to the thread 0.0798, below 0.15)' in html
    assert 'id="new-topic"' not in lead.get(f"/console/traces/{ids[1]}").text


def test_the_trace_page_says_when_a_leads_correction_decided_the_route(lead, accounts):
    with accounts.sessions.begin() as session:
        row = seed.trace(session, "is there a refund policy for annual plans?")
        row.routing = {**row.routing, "reason": "a lead marked this question not a script",
                       "script_model": {**row.routing["script_model"], "verdict": "out_of_scope"}}
        marked, plain = row.id, seed.trace(session, "a question the model decided").id
    html = lead.get(f"/console/traces/{marked}").text
    assert """<tr id="verdict"><th>Decided by a lead's correction</th><td>not a script</td>""" in html
    assert 'id="verdict"' not in lead.get(f"/console/traces/{plain}").text


def test_the_trace_page_shows_the_script_turn_and_whether_the_script_changed_since(lead, accounts):
    now = accounts.scripts.scripts["reset_password"].fingerprint
    turns = {}
    with accounts.sessions.begin() as session:
        for name, version, waits_at, end in (("current", now, "arrived", None), ("edited", "0123456789ab", None, "escalate")):
            row = seed.trace(session, "I forgot my password", strategy="script", script_id="reset_password")
            row.routing = {**row.routing, "script_turn": {
                "script": "reset_password", "version": version, "started": False, "steps": ["send_link", "arrived"],
                "filled": {"uses_sso": "no"}, "slots": {"uses_sso": "no", "email": "a@example.com"},
                "waits_at": waits_at, "choices": ["Yes", "No"] if waits_at else [], "end": end}}
            turns[name] = row.id
    current = _text(lead.get(f"/console/traces/{turns['current']}").text.split('id="script-turn"')[1].split("</table>")[0])
    assert f"Script reset_password version {now}" in current
    script = accounts.scripts.scripts["reset_password"]
    words = {step.id: _text(html_escape(step.say)) for step in script.steps}
    assert f"This turn continued the script Steps said send_link {words['send_link']} arrived {words['arrived']} Collected uses_sso: no" in current, (
        "the steps' words, as the version that said them has them")
    assert "Slots so far uses_sso: no, email: a@example.com Waits at step arrived (answer buttons: Yes · No)" in current
    edited = lead.get(f"/console/traces/{turns['edited']}").text
    assert 'id="script-changed">This script has been edited since this answer' in edited
    assert "<th>Ended</th><td>handed to a person</td>" in edited
    assert "send_link → arrived" in edited and 'id="steps-said"' not in edited, "an edited script's words are not this turn's"
    assert 'id="script-changed"' not in lead.get(f"/console/traces/{turns['current']}").text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&gt;", ">").strip()


def test_a_missing_trace_is_a_404_page(lead):
    response = lead.get("/console/traces/0123456789abcdef")
    assert response.status_code == 404 and "There is no trace" in response.text
    assert lead.get("/console/api/traces/nope").status_code == 404


def test_html_in_questions_answers_and_documents_is_shown_as_text(lead, accounts):
    with accounts.sessions.begin() as session:
        row = seed.trace(session, f"what is {SCRIPT}?", "answer <img src=x onerror=alert(1)>",
                         evidence=[{"key": "x.md", "title": SCRIPT, "text": f"doc {SCRIPT}", "url": "javascript:alert(1)"}])
        trace_id = row.id
    for path in ("/console/traces", f"/console/traces/{trace_id}", "/console/dashboard"):
        html = lead.get(path).text
        assert SCRIPT not in html and "<img src=x" not in html, path
    html = lead.get(f"/console/traces/{trace_id}").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "javascript:alert" not in html, "a document's javascript: URL is not linked"
    assert "script-src 'self'" in lead.get("/console/traces").headers["content-security-policy"]


def test_a_label_is_saved_with_its_note_and_audited(lead, accounts):
    with accounts.sessions.begin() as session:
        trace_id = seed.trace(session).id
    response = lead.post(f"/console/traces/{trace_id}/label", data={"label": "partly", "note": "misses VAT", "csrf_token": lead.csrf},
                         follow_redirects=False)
    assert response.status_code == 303
    assert "Label saved." in lead.get(response.headers["location"]).text
    bad = lead.post(f"/console/traces/{trace_id}/label", data={"label": "great", "note": "keep me", "csrf_token": lead.csrf})
    assert bad.status_code == 400 and "unknown label" in bad.text and 'value="keep me"' in bad.text
    with accounts.sessions() as session:
        review = session.scalar(select(TraceReview))
        assert (review.label, review.note, review.reviewer) == ("partly", "misses VAT", "lea")
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.target == f"trace:{trace_id}")) == "trace_labelled"


def test_a_lead_opens_a_dispute_on_any_trace(lead, accounts):
    with accounts.sessions.begin() as session:
        trace_id = seed.trace(session).id
    response = lead.post(f"/console/traces/{trace_id}/disputes", data={"reason": "outdated_doc", "details": "price changed",
                                                                       "csrf_token": lead.csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/disputes/")
    with accounts.sessions() as session:
        dispute = session.scalar(select(Dispute))
        assert (dispute.reason, dispute.opened_by, dispute.status) == ("outdated_doc", "console:lea", "open")


def test_a_dispute_on_a_deleted_conversation_is_refused_clearly(lead, accounts):
    with accounts.sessions.begin() as session:
        row = seed.trace(session)
        trace_id, conversation_id = row.id, row.conversation_id
    seed.delete_conversation_behind_the_back(accounts.engine, conversation_id)
    response = lead.post(f"/console/traces/{trace_id}/disputes", data={"reason": "tone", "details": "rude", "csrf_token": lead.csrf})
    assert response.status_code == 409 and "conversation behind this answer was deleted" in response.text
    assert 'value="rude"' in response.text, "what the lead typed is still in the form"
