"""The quality dashboard's figures, unanswered topics, stale citations, and the exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

from bot.console.unanswered_topics import group_questions, keywords
from bot.db.base import utcnow
from bot.db.models import AnswerFeedback, AnswerTrace, Conversation, Dispute, Escalation, SyncRun, TraceReview
from tests.console import seed


def test_keywords_drop_stop_words_and_plurals():
    assert keywords("How do I export my invoices to CSV?") == {"export", "invoice", "csv"}


def test_questions_sharing_their_words_are_grouped():
    topics = group_questions([
        ("a", "How do I export invoices to CSV?"), ("b", "export invoice csv"), ("c", "Can I export my invoices as CSV"),
        ("d", "Do you support Bitcoin payments?"), ("e", "bitcoin payment"),
    ])
    assert [sorted(trace_id for trace_id, _ in t.questions) for t in topics] == [["a", "b", "c"], ["d", "e"]]
    assert set(topics[0].label.split()) == {"export", "invoice", "csv"}


def test_the_dashboard_shows_rates_per_strategy_and_script(lead, accounts):
    with accounts.sessions.begin() as session:
        answered = [seed.trace(session, f"pricing {n}") for n in range(4)]
        seed.trace(session, "export invoices csv", outcome="abstained")
        seed.trace(session, "how to export invoices to csv", outcome="escalated")
        scripted = seed.trace(session, "reset password", strategy="script", script_id="reset_password")
        session.add_all([
            AnswerFeedback(trace_id=answered[0].id, rating="helpful", user_id="u1"),
            AnswerFeedback(trace_id=answered[0].id, rating="helpful", user_id="u2"),  # one trace, counted once
            AnswerFeedback(trace_id=answered[1].id, rating="not_right", user_id="u1"),
            AnswerFeedback(trace_id=scripted.id, rating="helpful", user_id="u1"),
        ])
    page = lead.get("/console/dashboard")
    assert page.status_code == 200
    text = page.text
    assert "7 traces" in text and 'id="abstention-rate">14%<' in text
    rows = [r for r in text.split('<tr class="rate-row">')[1:]]
    retrieval = next(r for r in rows if "<b>retrieval</b>" in r)
    # 6 retrieval traces: 1 helpful (17%), 1 not right (17%), 1 escalated (17%), 1 abstained (17%)
    assert retrieval.count("17%") == 4
    script_row = next(r for r in rows if "script <b>reset_password</b>" in r)
    assert "<td>1</td><td>100%</td>" in script_row
    assert "<svg" in text and "<rect" in text and "<polyline" in text, "server-rendered charts"
    assert "https://" not in text.split("<main>")[1], "nothing loaded from elsewhere"
    topics = text.split('id="topics"')[1].split('id="stale"')[0]
    assert "— 2 questions" in topics and all(word in topics for word in ("export", "invoice", "csv"))


def test_the_dashboard_lists_scripts_users_declined_with_the_questions_that_started_them(lead, accounts):
    with accounts.sessions.begin() as session:
        for n, (script, opening, pressed) in enumerate([
            ("request_refund", "is there a refund policy for annual plans?", {"pressed": "just_asking"}),
            ("request_refund", "do refunds cover annual plans?", {}),
            ("cancel_subscription", "what happens to my data if I cancel?", {}),
        ]):
            row = seed.trace(session, "no, I was just asking")
            row.routing = {**row.routing, "declined_script": script, "declined_opening": opening, **pressed}
        old = seed.trace(session, "no, I was just asking", created_at=utcnow() - timedelta(days=90))
        old.routing = {**old.routing, "declined_script": "delete_account", "declined_opening": "long ago"}
    section = lead.get("/console/dashboard").text.split('id="declined"')[1].split("</section>")[0]
    scripts = re.findall(r"<b>(\w+)</b> — (\d+) times?( \(1 by the Just asking button\))?</summary>", section)
    assert scripts == [("request_refund", "2", " (1 by the Just asking button)"), ("cancel_subscription", "1", "")], \
        "busiest first, clicks counted; outside the range left out"
    assert "is there a refund policy for annual plans?" in section and "long ago" not in section


def test_the_dashboard_says_how_each_script_started_in_the_range_went(lead, accounts):
    clock = iter(utcnow() - timedelta(minutes=m) for m in range(500, 0, -1))
    waiting = {}  # the step (or end) of each run's last turn -> that turn's trace

    def run(session, script, *turns, days_ago=0):
        """One conversation: each turn a (kind, detail) — started/continued with the step it waits at
        or how it ended, or a decline or leaving the script with the router's reason."""
        conv = seed.conversation(session)
        for kind, detail in turns:
            at = next(clock) - timedelta(days=days_ago)
            row = seed.trace(session, "a message", conv=conv, strategy="script", created_at=at,
                             script_id=script if kind in ("started", "continued") else None)
            if kind == "declined":
                row.routing = {**row.routing, "declined_script": script}
            elif kind == "left":
                row.routing = {**row.routing, "left_script": script, "reason": detail}
            else:
                ended = detail in ("resolved", "retrieval", "escalate", "stopped")
                row.routing = {**row.routing, "script_turn": {
                    "script": script, "started": kind == "started", "steps": [],
                    "waits_at": None if ended else detail, "end": detail if ended else None}}
        waiting[turns[-1][1]] = row.id

    with accounts.sessions.begin() as session:
        run(session, "reset_password", ("started", "check_sso"), ("continued", "resolved"))
        run(session, "reset_password", ("started", "check_sso"), ("continued", "escalate"))
        run(session, "reset_password", ("started", "check_sso"), ("declined", ""))
        run(session, "reset_password", ("started", "check_sso"), ("continued", "arrived"))
        run(session, "reset_password", ("started", "check_sso"))
        run(session, "change_plan", ("started", "which_plan"), ("left", "the user asked for a person"))
        run(session, "change_plan", ("started", "which_plan"), ("left", "changed topic from change_plan"))
        run(session, "change_plan", ("started", "which_plan"))  # and the user pressed for a person under it:
        session.add(Escalation(conversation_id=session.get(AnswerTrace, waiting["which_plan"]).conversation_id,
                               trace_id=waiting["which_plan"], reason="user_request", requested_by="slack:U1"))
        run(session, "change_plan", ("started", "which_plan"))
        run(session, "request_refund", ("started", "retrieval"))  # started and handed to the docs in one turn
        run(session, "request_refund", ("started", "within_14_days"), ("continued", "stopped"))
        run(session, "delete_account", ("started", "confirm"), days_ago=90)
    section = lead.get("/console/dashboard").text.split('id="script-outcomes"')[1].split("</section>")[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.split("<ul>")[0])).strip()
            for r in section.split('<tr class="outcome-row">')[1:]]
    assert rows == [
        "reset_password 5 1 (20%) 0 (0%) 1 (20%) 0 (0%) 1 (20%) 0 (0%) 2 (40%) waiting at arrived 1, check_sso 1",
        "change_plan 4 0 (0%) 0 (0%) 2 (50%) 0 (0%) 0 (0%) 1 (25%) 1 (25%) waiting at which_plan 1",
        "request_refund 2 0 (0%) 1 (50%) 0 (0%) 1 (50%) 0 (0%) 0 (0%) 0 (0%)",
    ], "busiest first; outside the range left out"
    assert '<a href="/console/traces?script=reset_password&amp;from=' in section, "each script links to its traces"
    arrived = section.split("<li>arrived: ")[1].split("</li>")[0]
    assert arrived.startswith(f'<a href="/console/traces/{waiting["arrived"]}">'), "each waiting run links to its last answer"


def test_stale_citations_list_answers_whose_document_the_last_sync_changed(lead, accounts):
    with accounts.sessions.begin() as session:
        doc = seed.document(session, "docs", "pricing.md", current_hash="new-hash")
        seed.document(session, "docs", "steady.md", current_hash="h1")
        from bot.db.models import DocumentVersion

        started = utcnow() - timedelta(minutes=2)
        session.add(DocumentVersion(document_id=doc.id, version=2, content_hash="new-hash", title="Pricing", url=None,
                                    content_type="text/markdown", text="new", created_at=started + timedelta(seconds=30)))
        session.add(SyncRun(source_id=doc.source_id, status="succeeded", started_at=started, finished_at=started + timedelta(minutes=1),
                            updated=1))
        stale = seed.trace(session, "Price of Pro?", evidence=[{"key": "pricing.md", "hash": "h1"}])
        seed.trace(session, "Steady question", evidence=[{"key": "steady.md", "hash": "h1"}])
        seed.trace(session, "New price?", evidence=[{"key": "pricing.md", "hash": "new-hash"}])
        stale_id = stale.id
    section = lead.get("/console/dashboard").text.split('id="stale"')[1]
    assert section.count('class="stale-row"') == 1 and stale_id in section and "changed" in section


def _export(lead, what: str, fmt: str, **params):
    response = lead.get(f"/console/export/{what}.{fmt}", params=params)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.text


def test_exports_hold_exactly_the_filtered_traces(lead, accounts):
    with accounts.sessions.begin() as session:
        for n in range(1200):  # more than one export batch
            seed.trace(session, f"bulk {n}", created_at=utcnow() - timedelta(seconds=n))
        odd = seed.trace(session, "=HYPERLINK(\"http://x\") refund?", outcome="abstained", evidence=[{"key": "refunds.md"}])
        odd_id = odd.id
    rows = list(csv.DictReader(io.StringIO(_export(lead, "traces", "csv", outcome="abstained"))))
    assert [r["id"] for r in rows] == [odd_id]
    assert rows[0]["question"].startswith("'="), "a formula in a question is not run by a spreadsheet"
    assert json.loads(rows[0]["cited"]) == ["docs/refunds.md"]
    lines = _export(lead, "traces", "jsonl").splitlines()
    assert len(lines) == 1201 and len({json.loads(line)["id"] for line in lines}) == 1201
    assert _export(lead, "traces", "csv", q="nothing matches this").strip() == ",".join(
        ["id", "created_at", "channel", "strategy", "script_id", "outcome", "question", "answer", "abstain_reason", "model",
         "feedback", "disputed", "label", "cited"])


def test_reviewed_pairs_carry_the_label_note_and_correction(lead, accounts):
    with accounts.sessions.begin() as session:
        labelled = seed.trace(session, "Q1", "A1", history=[{"role": "user", "text": "earlier"}])
        corrected = seed.trace(session, "Q2", "A2")
        seed.trace(session, "Q3 not reviewed", "A3")
        session.add(TraceReview(trace_id=labelled.id, label="wrong", note="old", reviewer="lea"))
        session.add(TraceReview(trace_id=labelled.id, label="correct", note="fine after all", reviewer="leo"))
        session.add(Dispute(trace_id=corrected.id, conversation_id=corrected.conversation_id, opened_by="u", reason="wrong_fact",
                            status="upheld", verdict="upheld", correction="A2 fixed"))
    pairs = {p["question"]: p for p in map(json.loads, _export(lead, "pairs", "jsonl").splitlines())}
    assert set(pairs) == {"Q1", "Q2"}
    assert (pairs["Q1"]["label"], pairs["Q1"]["note"], pairs["Q1"]["reviewer"]) == ("correct", "fine after all", "leo")
    assert pairs["Q1"]["history"] == [{"role": "user", "text": "earlier"}]
    assert pairs["Q2"]["correction"] == "A2 fixed" and pairs["Q2"]["label"] is None
    assert len(list(csv.DictReader(io.StringIO(_export(lead, "pairs", "csv"))))) == 2


def test_an_unknown_export_or_bad_filter_is_refused(lead):
    assert lead.get("/console/export/everything.csv").status_code == 404
    assert lead.get("/console/export/traces.xml").status_code == 404
    assert lead.get("/console/export/traces.csv", params={"from": "soon"}).status_code == 400


def test_asking_for_a_person_under_an_answer_counts_as_escalated(lead, accounts):
    with accounts.sessions.begin() as session:
        asked = seed.trace(session, "question one")
        seed.trace(session, "question two")
        seed.escalation(session, session.get(Conversation, asked.conversation_id),
                        asked, reason="user_request")
    rows = lead.get("/console/dashboard").text.split('<tr class="rate-row">')[1:]
    retrieval = next(r for r in rows if "<b>retrieval</b>" in r)
    assert re.sub(r"\s+", "", retrieval).startswith("<td>strategy<b>retrieval</b></td><td>2</td><td>0%</td><td>0%</td><td>50%</td>")
