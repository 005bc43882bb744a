"""'Not a script' on a declined script: the question that started it becomes an out-of-scope
message for the next `supportbot train`, once, audited, and never one that a script teaches;
Undo takes a mistaken mark back out."""

from __future__ import annotations

from sqlalchemy import select

from bot.console.promotions import console_files
from bot.db.models import AuditEntry
from tests.console import seed

OPENING = "is there a refund policy for annual plans?"


def _declined(accounts, opening: str | None, script: str = "request_refund") -> str:
    with accounts.sessions.begin() as session:
        row = seed.trace(session, "no, I was just asking")
        row.routing = {**row.routing, "declined_script": script, "declined_opening": opening}
        return row.id


def _declined_section(lead) -> str:
    return lead.get("/console/dashboard").text.split('id="declined"')[1].split("</section>")[0]


def _mark(lead, trace_id: str, csrf: str | None = None, undo: bool = False):
    return lead.post(f"/console/declined/{trace_id}/out-of-scope{'/undo' if undo else ''}",
                     data={"csrf_token": csrf or lead.csrf}, follow_redirects=False)


def test_not_a_script_adds_the_opening_once_to_the_file_train_reads(lead, accounts):
    trace_id = _declined(accounts, OPENING)
    assert f'action="/console/declined/{trace_id}/out-of-scope"' in _declined_section(lead)

    response = _mark(lead, trace_id)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/dashboard?notice=out_of_scope")
    path = console_files(accounts.settings).out_of_scope
    assert path.read_text(encoding="utf-8").splitlines() == [OPENING]
    section = _declined_section(lead)
    assert "marked not a script" in section and f'action="/console/declined/{trace_id}/out-of-scope"' not in section
    with accounts.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "opening_marked_out_of_scope")).all()
    assert (entry.actor, entry.target, entry.details["opening"]) == ("lea", f"trace:{trace_id}", OPENING)

    again = _mark(lead, _declined(accounts, OPENING.upper().rstrip("?")))  # the same words, another trace
    assert again.status_code == 409 and "already in the out-of-scope messages" in again.text
    assert path.read_text(encoding="utf-8").splitlines() == [OPENING]


def test_an_opening_a_script_teaches_is_refused_and_nothing_is_written(lead, accounts):
    response = _mark(lead, _declined(accounts, "I forgot my password!", script="reset_password"))
    assert response.status_code == 409
    assert "is an example of script &#39;reset_password&#39;" in response.text
    assert not console_files(accounts.settings).out_of_scope.exists()


def test_only_a_declined_script_with_its_opening_can_be_marked(lead, accounts):
    with accounts.sessions.begin() as session:
        plain = seed.trace(session, "How much does Pro cost?").id
    assert "not a declined script" in _mark(lead, plain).text
    assert "was not recorded" in _mark(lead, _declined(accounts, None)).text
    assert _mark(lead, "0" * 32).status_code == 409
    assert _mark(lead, _declined(accounts, OPENING), csrf="forged").status_code == 403
    assert not console_files(accounts.settings).out_of_scope.exists()


def test_undo_takes_the_mark_out_and_keeps_the_files_other_lines(lead, accounts):
    path = console_files(accounts.settings).out_of_scope
    trace_id = _declined(accounts, OPENING)
    assert _mark(lead, trace_id).status_code == 303
    with path.open("a", encoding="utf-8") as handle:  # a lead also edits the file by hand
        handle.write("# added by hand\nwhat's the weather\nIS THERE A REFUND POLICY FOR ANNUAL PLANS\n")
    assert f'action="/console/declined/{trace_id}/out-of-scope/undo"' in _declined_section(lead)

    response = _mark(lead, trace_id, undo=True)
    assert response.status_code == 303 and "notice=out_of_scope_undone" in response.headers["location"]
    assert path.read_text(encoding="utf-8").splitlines() == ["# added by hand", "what's the weather"]
    section = _declined_section(lead)
    assert f'action="/console/declined/{trace_id}/out-of-scope"' in section and "marked not a script" not in section
    with accounts.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "opening_unmarked_out_of_scope")).all()
    assert (entry.actor, entry.target, entry.details["opening"]) == ("lea", f"trace:{trace_id}", OPENING)

    again = _mark(lead, trace_id, undo=True)
    assert again.status_code == 409 and "is not in the out-of-scope messages" in again.text
    assert _mark(lead, trace_id, csrf="forged", undo=True).status_code == 403
    assert path.read_text(encoding="utf-8").splitlines() == ["# added by hand", "what's the weather"]
