"""Disputes in the console: from chat or a lead, reviewed, judged, the correction posted into
the user's Slack thread (fake Slack Web API), and promoted to FAQ, eval case and training data."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select

from bot.chat_actions import ChatActions
from bot.db.models import AuditEntry, Dispute, Document, Source, Turn
from strategies.script_model import load_labelled_file
from bot.escalations import EscalationNotices
from strategies.evaluation.cases import parse_case
from tests.console import seed
from tests.console.slack_fixtures import settings, slack, slack_thread  # noqa: F401  (fixtures)


@pytest.fixture
def disputed(accounts):
    """A Slack answer a user marked Not right in the chat."""
    with accounts.sessions.begin() as session:
        conv = slack_thread(session, seed)
        row = seed.trace(session, "How much is Pro?", "Pro is $10.", conv=conv,
                         history=[{"role": "user", "text": "hi"}], evidence=[{"key": "pricing.md"}])
        trace_id = row.id
    result = ChatActions(accounts.sessions, notices=EscalationNotices(accounts.sessions)).dispute(trace_id, "slack:U_ALICE", "wrong_fact", "it is $15")
    return result.dispute_id, trace_id


def test_a_chat_dispute_is_reviewed_judged_and_its_correction_posted_into_the_thread(lead, accounts, slack, disputed):
    dispute_id, trace_id = disputed
    listing = lead.get("/console/disputes?status=open")
    assert f'href="/console/disputes/{dispute_id}"' in listing.text and "Wrong fact" in listing.text
    page = lead.get(f"/console/disputes/{dispute_id}")
    assert "it is $15" in page.text and "Pro is $10." in page.text

    taken = lead.post(f"/console/disputes/{dispute_id}/review", data={"assignee": "", "csrf_token": lead.csrf})
    assert "The dispute is in review." in taken.text and 'id="assignee">lea<' in taken.text
    judged = lead.post(f"/console/disputes/{dispute_id}/judge", data={
        "verdict": "upheld", "correction": "Pro is $15 per month.", "post": "1", "csrf_token": lead.csrf})
    assert judged.status_code == 200 and "correction was posted" in judged.text

    [posted] = slack.posts("C_HELP", "1700000000.000100")
    assert "Pro is $15 per month." in posted["text"]
    with accounts.sessions() as session:
        dispute = session.get(Dispute, dispute_id)
        assert (dispute.status, dispute.verdict, dispute.judged_by) == ("upheld", "upheld", "lea")
        assert dispute.correction_posted_at is not None
        turn = session.scalars(select(Turn).where(Turn.conversation_id == dispute.conversation_id).order_by(Turn.id.desc())).first()
        assert (turn.role, turn.user_id) == ("bot", "console:lea") and "Pro is $15" in turn.text
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target == f"dispute:{dispute_id}")).all()
    assert actions == ["dispute_assigned", "dispute_judged", "correction_posted"]


def test_a_second_verdict_is_refused_and_says_who_judged(lead, other_lead, disputed):
    dispute_id, _ = disputed
    lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "overturned", "correction": "", "csrf_token": lead.csrf})
    late = other_lead.post(f"/console/disputes/{dispute_id}/judge", data={
        "verdict": "upheld", "correction": "my text", "csrf_token": other_lead.csrf})
    assert late.status_code == 409 and "already judged (overturned) by lea" in late.text


def test_an_upheld_verdict_needs_a_correction_and_keeps_what_was_typed(lead, disputed):
    dispute_id, _ = disputed
    response = lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "upheld", "correction": "  ", "csrf_token": lead.csrf})
    assert response.status_code == 409 and "needs a correction" in response.text
    response = lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "", "correction": "draft <b>x</b>", "csrf_token": lead.csrf})
    assert response.status_code == 409 and "draft &lt;b&gt;x&lt;/b&gt;" in response.text


def test_when_slack_refuses_the_correction_is_kept_and_can_be_posted_again(lead, accounts, slack, disputed):
    dispute_id, _ = disputed
    for _ in range(3):  # the client's own retries fail too
        slack.fail_next("chat.postMessage", 500)
    failed = lead.post(f"/console/disputes/{dispute_id}/judge", data={
        "verdict": "upheld", "correction": "Pro is $15.", "post": "1", "csrf_token": lead.csrf})
    assert failed.status_code == 502 and "verdict is saved, but the correction was not posted" in failed.text
    assert 'id="post-again"' in failed.text
    again = lead.post(f"/console/disputes/{dispute_id}/post-correction", data={"csrf_token": lead.csrf})
    assert again.status_code == 200 and "correction was posted" in again.text
    assert len(slack.posts("C_HELP")) == 1


def test_a_correction_in_a_deleted_conversation_is_saved_but_not_posted(lead, accounts, slack, disputed):
    dispute_id, trace_id = disputed
    with accounts.sessions() as session:
        conversation_id = session.get(Dispute, dispute_id).conversation_id
    seed.delete_conversation_behind_the_back(accounts.engine, conversation_id)
    page = lead.get(f"/console/disputes/{dispute_id}")
    assert "conversation behind this dispute was deleted" in page.text
    response = lead.post(f"/console/disputes/{dispute_id}/judge", data={
        "verdict": "upheld", "correction": "Pro is $15.", "post": "1", "csrf_token": lead.csrf})
    assert response.status_code == 502 and "no longer exists" in response.text
    assert slack.posts("C_HELP") == []
    with accounts.sessions() as session:
        assert session.get(Dispute, dispute_id).correction == "Pro is $15."


def test_one_action_makes_a_correction_a_faq_entry_an_eval_case_and_training_examples(lead, accounts, disputed):
    dispute_id, trace_id = disputed
    synced = []
    accounts.console.promotions.start_sync = synced.append
    lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "upheld", "correction": "Pro is $15 per month.", "csrf_token": lead.csrf})
    bad = lead.post(f"/console/disputes/{dispute_id}/promote", data={"expected_script": "no_such_script", "facts": "$15", "csrf_token": lead.csrf})
    assert bad.status_code == 409 and "No script 'no_such_script'" in html.unescape(bad.text) and "$15" in bad.text
    done = lead.post(f"/console/disputes/{dispute_id}/promote", data={
        "faq_question": "How much does Pro cost?", "facts": "$15\nper month", "expected_script": "", "csrf_token": lead.csrf})
    assert done.status_code == 200 and "verified FAQ entry" in done.text
    files = accounts.console.promotions.files

    assert json.loads(files.faq.read_text()) == [{"question": "How much does Pro cost?", "answer": "Pro is $15 per month."}]
    [case_line] = files.eval_cases.read_text().splitlines()
    case = parse_case(json.loads(case_line))
    assert (case.id, case.question, case.expected_script, case.expected_facts) == (
        f"dispute-{dispute_id}", "How much is Pro?", None, ("$15", "per month"))
    assert case.expected_sources == ("How much does Pro cost?",) and case.history[0].text == "hi"
    [pair] = [json.loads(line) for line in files.chat_training.read_text().splitlines()]
    assert pair["messages"][-2:] == [{"role": "user", "content": "How much is Pro?"}, {"role": "assistant", "content": "Pro is $15 per month."}]
    assert synced == ["verified-faq"]
    with accounts.sessions() as session:
        source = session.scalar(select(Source).where(Source.name == "verified-faq"))
        assert (source.kind, source.location) == ("faq", str(files.faq.resolve()))

    twice = lead.post(f"/console/disputes/{dispute_id}/promote", data={"csrf_token": lead.csrf})
    assert twice.status_code == 409 and "already added" in twice.text
    assert len(files.eval_cases.read_text().splitlines()) == 1


def test_a_promotion_waits_for_another_process_writing_the_files(lead, accounts, disputed):
    dispute_id, _ = disputed
    accounts.console.promotions.start_sync = lambda name: None
    lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "upheld", "correction": "Pro is $15.", "csrf_token": lead.csrf})
    files = accounts.console.promotions.files
    files.folder.mkdir(parents=True, exist_ok=True)
    promoting = {}
    other_replica = subprocess.Popen(  # holds the lock as another web process promoting at the same moment would
        [sys.executable, "-c", "import sys, time; from filelock import FileLock\n"
         "with FileLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(1.5)", str(files.lock().lock_file)],
        stdout=subprocess.PIPE, text=True,
    )
    assert other_replica.stdout.readline().strip() == "held"
    worker = threading.Thread(target=lambda: promoting.update(response=lead.post(
        f"/console/disputes/{dispute_id}/promote", data={"csrf_token": lead.csrf})))
    worker.start()
    worker.join(0.7)
    assert worker.is_alive() and not files.eval_cases.exists(), "it waits while the other process writes"
    other_replica.wait(10)
    worker.join(10)
    assert promoting["response"].status_code == 200
    assert len(files.eval_cases.read_text().splitlines()) == 1


def test_naming_the_script_that_should_have_run_adds_a_labelled_example(lead, accounts, disputed):
    dispute_id, _ = disputed
    accounts.console.promotions.start_sync = lambda name: None
    script = sorted(accounts.scripts.scripts)[0]
    lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "upheld", "correction": "Follow the script.", "csrf_token": lead.csrf})
    lead.post(f"/console/disputes/{dispute_id}/promote", data={"expected_script": script, "csrf_token": lead.csrf})
    [example] = load_labelled_file(accounts.console.promotions.files.script_examples)
    assert (example.text, example.label) == ("How much is Pro?", script)
    assert parse_case(json.loads(accounts.console.promotions.files.eval_cases.read_text())).expected_script == script


def test_an_overturned_dispute_cannot_be_promoted(lead, disputed):
    dispute_id, _ = disputed
    lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "overturned", "correction": "", "csrf_token": lead.csrf})
    response = lead.post(f"/console/disputes/{dispute_id}/promote", data={"csrf_token": lead.csrf})
    assert response.status_code == 409 and "Only an upheld dispute" in response.text


@pytest.mark.slow
def test_the_verified_faq_source_is_synced_into_the_knowledge_base(lead, accounts, disputed):
    dispute_id, _ = disputed
    accounts.console.promotions.start_sync = lambda name: None
    lead.post(f"/console/disputes/{dispute_id}/judge", data={"verdict": "upheld", "correction": "Pro is $15 per month.", "csrf_token": lead.csrf})
    lead.post(f"/console/disputes/{dispute_id}/promote", data={"faq_question": "What does Pro cost?", "csrf_token": lead.csrf})
    report = accounts.sync_service.sync("verified-faq")
    assert report.status == "succeeded", report.error
    with accounts.sessions() as session:
        keys = session.scalars(select(Document.key).join(Source).where(Source.name == "verified-faq")).all()
    assert keys == ["faq/what-does-pro-cost"]
    [best, *_] = accounts.retriever.retrieve("What does Pro cost?")
    assert (best.chunk.source, best.chunk.document_key) == ("verified-faq", "faq/what-does-pro-cost")


def _script_dispute(accounts, question: str, routing: dict | None = None) -> int:
    """A dispute on an answer script request_refund gave to `question`."""
    with accounts.sessions.begin() as session:
        conv = slack_thread(session, seed)
        row = seed.trace(session, question, "Sorry to hear that. Which invoice?", conv=conv, strategy="script",
                         script_id="request_refund")
        row.routing = {**row.routing, **(routing or {})}
        trace_id = row.id
    return ChatActions(accounts.sessions, notices=EscalationNotices(accounts.sessions)).dispute(
        trace_id, "slack:U_ALICE", "wrong_topic", "I only asked about the policy").dispute_id


def _promote(lead, dispute_id: int, **form):
    lead.post(f"/console/disputes/{dispute_id}/judge", data={
        "verdict": "upheld", "correction": "Annual plans are refunded pro rata.", "csrf_token": lead.csrf})
    return lead.post(f"/console/disputes/{dispute_id}/promote", data={**form, "csrf_token": lead.csrf})


def _out_of_scope_lines(accounts) -> list[str]:
    path = accounts.console.promotions.files.out_of_scope
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_question_a_script_wrongly_took_is_marked_not_a_script_when_promoted(lead, accounts):
    accounts.console.promotions.start_sync = lambda name: None
    dispute_id = _script_dispute(accounts, "is there a refund policy\nfor annual plans?")
    done = _promote(lead, dispute_id)
    assert done.status_code == 200 and "also added to the out-of-scope messages" in done.text
    assert _out_of_scope_lines(accounts) == ["is there a refund policy for annual plans?"]
    with accounts.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "opening_marked_out_of_scope")).all()
    assert (entry.target, entry.details["script"]) == (f"dispute:{dispute_id}", "request_refund")


def test_a_promotion_naming_a_script_or_a_person_or_of_a_scripts_later_step_marks_nothing(lead, accounts):
    accounts.console.promotions.start_sync = lambda name: None
    script = sorted(accounts.scripts.scripts)[0]
    _promote(lead, _script_dispute(accounts, "refund policy for annual plans?"), expected_script=script)
    _promote(lead, _script_dispute(accounts, "a refund, annual plan?"), should_escalate="1")
    step = _promote(lead, _script_dispute(accounts, "the invoice from March",
                                          {"script_in_progress": {"script": "request_refund", "step": "which_invoice"}}))
    assert step.status_code == 200 and "out-of-scope" not in step.text
    assert _out_of_scope_lines(accounts) == []


def test_a_scripts_own_example_is_not_marked_and_the_lead_is_told_to_edit_the_script(lead, accounts):
    accounts.console.promotions.start_sync = lambda name: None
    example = next(e for s in accounts.scripts.scripts.values() for e in s.examples)
    done = _promote(lead, _script_dispute(accounts, example))
    assert done.status_code == 200 and "one of a script&#39;s examples" in done.text
    assert _out_of_scope_lines(accounts) == []
