"""The corrections page: every "Not a script" mark and every "needed script X" a lead made, who
made it and from where, whether the active model keeps it yet, and Undo for each."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry
from strategies.script_model import OUT_OF_SCOPE, LabelledExample, TrainingConfig, save_classifier, train_classifier
from tests.console.conftest import new_client
from tests.console.test_console_disputes import _promote, _script_dispute
from tests.console.test_console_out_of_scope import _declined, _mark

MARKED = "is there a refund policy for annual plans?"
NEEDS = "the app charged me again after I cancelled"


@pytest.fixture
def corrected(lead, accounts):
    """One question marked from the dashboard, one a dispute said needed a script, one line by hand."""
    accounts.console.promotions.start_sync = lambda name: None
    trace_id = _declined(accounts, MARKED)
    assert _mark(lead, trace_id).status_code == 303
    dispute_id = _script_dispute(accounts, NEEDS)
    assert _promote(lead, dispute_id, expected_script="duplicate_charge").status_code == 200
    with accounts.console.promotions.files.out_of_scope.open("a", encoding="utf-8") as handle:
        handle.write("# added by the support lead\nwhat's your DPA?\n")
    return trace_id, dispute_id


def _rows(html: str, section: str) -> list[str]:
    part = html.split(f'id="{section}"')[1].split("</section>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in part.split("<tr>")[2:]]


def test_each_correction_says_who_made_it_from_where_and_that_it_waits_for_training(lead, corrected):
    trace_id, dispute_id = corrected
    page = lead.get("/console/corrections")
    assert page.status_code == 200 and "no script model is active" in page.text
    assert 'id="model-freshness"' not in page.text
    marked, by_hand = _rows(page.text, "not-a-script")
    assert marked == f"{MARKED} lea, {_when_in(page.text, 0)} · trace at the next supportbot train Undo"
    assert by_hand == "what&#39;s your DPA? written into the file by hand at the next supportbot train Undo"
    assert f'href="/console/traces/{trace_id}"' in page.text
    [needs] = _rows(page.text, "needs-script")
    assert needs.startswith(f"{NEEDS} duplicate_charge lea,") and f"dispute #{dispute_id}" in needs
    assert 'id="leaving"' not in page.text


def _when_in(html: str, index: int) -> str:
    return re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", html)[index]


def test_undo_takes_a_mark_out_of_the_file_audited_against_where_it_was_made(lead, accounts, corrected):
    trace_id, _ = corrected
    done = lead.post("/console/corrections/not-a-script/undo", data={"question": MARKED, "csrf_token": lead.csrf})
    assert done.status_code == 200 and "no longer learns it" in done.text
    lines = accounts.console.promotions.files.out_of_scope.read_text(encoding="utf-8").splitlines()
    assert lines == ["# added by the support lead", "what's your DPA?"]
    with accounts.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "opening_unmarked_out_of_scope")).all()
    assert (entry.actor, entry.target, entry.details["opening"]) == ("lea", f"trace:{trace_id}", MARKED)

    again = lead.post("/console/corrections/not-a-script/undo", data={"question": MARKED, "csrf_token": lead.csrf})
    assert again.status_code == 409 and "is not in the out-of-scope messages" in again.text


def test_undoing_the_last_needed_script_removes_the_file_training_would_refuse_empty(lead, accounts, corrected):
    _, dispute_id = corrected
    path = accounts.console.promotions.files.script_examples
    wrong = lead.post("/console/corrections/needs-script/undo",
                      data={"question": NEEDS, "script": "request_refund", "csrf_token": lead.csrf})
    assert wrong.status_code == 409 and path.exists(), "only the line with that script goes"
    done = lead.post("/console/corrections/needs-script/undo",
                     data={"question": NEEDS.upper(), "script": "duplicate_charge", "csrf_token": lead.csrf})
    assert done.status_code == 200 and not path.exists()
    with accounts.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "script_example_removed")).all()
    assert (entry.target, entry.details["script"]) == (f"dispute:{dispute_id}", "duplicate_charge")


def test_undo_without_the_pages_token_changes_nothing(lead, accounts, corrected):
    refused = lead.post("/console/corrections/not-a-script/undo", data={"question": MARKED, "csrf_token": "forged"})
    assert refused.status_code == 403
    assert MARKED in accounts.console.promotions.files.out_of_scope.read_text(encoding="utf-8")


def test_a_file_that_is_not_utf8_is_named_and_the_rest_still_shown(lead, accounts, corrected):
    accounts.console.promotions.files.out_of_scope.write_bytes(b"caf\xe9 question\n")
    page = lead.get("/console/corrections")
    assert page.status_code == 200 and "out-of-scope.txt: not UTF-8 text" in page.text
    assert NEEDS in page.text


@pytest.mark.slow
def test_a_correction_the_active_model_keeps_says_so_and_one_undone_since_stays_listed(lead, accounts, corrected, tmp_path):
    examples = [LabelledExample(f"{verb} my refund please", "request_refund") for verb in ("get", "send", "process", "issue")]
    examples += [LabelledExample(f"charged twice {when}", "duplicate_charge") for when in ("today", "again", "this month", "on Monday")]
    corrections = [LabelledExample(MARKED, OUT_OF_SCOPE), LabelledExample(NEEDS, "duplicate_charge")]
    trained = train_classifier(examples, out_of_scope=["hello", "what is the weather"], corrections=corrections,
                               config=TrainingConfig(epochs=1, seed=3))
    accounts.script_models.register(save_classifier(trained, tmp_path / "v-corrected", "v-corrected"), activate=True)

    page = lead.get("/console/corrections")
    assert "the active model is <b>v-corrected</b>" in page.text
    freshness = page.text.split('id="model-freshness">')[1].split("</p>")[0]
    assert "<b>v-corrected</b> was trained (new scripts it does not start yet: add_team_member," in freshness
    marked, by_hand = _rows(page.text, "not-a-script")
    assert "in the active model" in marked and "at the next supportbot train" in by_hand
    assert "in the active model" in _rows(page.text, "needs-script")[0]

    lead.post("/console/corrections/not-a-script/undo", data={"question": MARKED, "csrf_token": lead.csrf})
    leaving = lead.get("/console/corrections").text.split('id="leaving"')[1]
    assert f"{MARKED} — not a script" in leaving.replace("&#39;", "'")
    manifest = tmp_path / "v-corrected" / "manifest.json"
    assert json.loads(manifest.read_text())["verdicts"], "the model file is not touched"

    manifest.write_text("{not json")
    page = lead.get("/console/corrections")
    assert page.status_code == 200 and "The active model&#39;s corrections could not be read" in page.text
    assert "at the next supportbot train" in _rows(page.text, "needs-script")[0]


def test_only_signed_in_console_users_see_corrections(app):
    response = new_client(app).get("/console/corrections", follow_redirects=False)
    assert response.status_code == 303 and "/console/login" in response.headers["location"]
