"""Sign-in, sessions, roles, CSRF and throttling of the review console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.console.accounts import AccountError, add_account, disable_account
from bot.console.passwords import WeakPassword
from bot.db.base import utcnow
from bot.db.models import AuditEntry, ConsoleAccount, ConsoleSession
from tests.console.conftest import PASSWORD, csrf_of, new_client, sign_in

PAGES = ["/console/traces", "/console/disputes", "/console/escalations", "/console/dashboard", "/console/audit",
         "/console/traces/abc123", "/console/disputes/1", "/console/escalations/1"]
API = ["/console/api/session", "/console/api/traces", "/console/api/traces/abc", "/console/export/traces.csv",
       "/console/export/pairs.jsonl"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_stranger_to_sign_in(app, path):
    response = new_client(app).get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


@pytest.mark.parametrize("path", API)
def test_the_api_and_exports_answer_401_without_a_session(app, path):
    response = new_client(app).get(path)
    assert response.status_code == 401 and "sign in" in response.json()["detail"]


def test_state_changing_routes_need_a_session_too(app):
    client = new_client(app)
    for path in ("/console/traces/x/label", "/console/disputes/1/judge", "/console/escalations/1/claim", "/console/logout"):
        assert client.post(path, data={}, follow_redirects=False).status_code == 303, path


def test_signing_in_sets_a_hardened_session_cookie_and_stores_only_its_hash(app, accounts):
    client = new_client(app)
    response = sign_in(client, "lea", client_next="/console/dashboard")
    assert response.status_code == 303 and response.headers["location"] == "/console/dashboard"
    cookie = response.headers["set-cookie"]
    assert "supportbot_console=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    token = client.cookies.get("supportbot_console")
    with accounts.sessions() as session:
        stored = session.scalars(select(ConsoleSession.token_hash)).all()
        account = session.scalar(select(ConsoleAccount).where(ConsoleAccount.name == "lea"))
    assert token not in stored and len(stored) == 1
    assert PASSWORD not in account.password_hash and account.password_hash.startswith("$argon2id$")
    assert client.get("/console/api/session").json()["name"] == "lea"


def test_a_wrong_password_is_refused_with_a_clear_message(app, accounts):
    client = new_client(app)
    response = sign_in(client, "lea", "not the password")
    assert response.status_code == 401 and "do not match" in response.text
    assert 'value="lea"' in response.text, "the name typed is kept in the form"
    assert sign_in(client, PASSWORD, "typed in the name field").status_code == 401
    with accounts.sessions() as session:
        failures = session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")).all()
    assert [f.actor for f in failures][0] == "lea" and len(failures) == 2
    assert failures[1].actor.startswith("unknown:") and PASSWORD not in failures[1].target, "no typed secret is logged"


def test_repeated_wrong_passwords_pause_the_account_even_for_the_right_password(app, accounts):
    client = new_client(app)
    for _ in range(3):  # console_failed_sign_ins_per_account=3 in these tests
        assert sign_in(client, "lea", "wrong wrong wrong").status_code == 401
    paused = sign_in(client, "lea", PASSWORD)
    assert paused.status_code == 429 and "Too many wrong passwords" in paused.text
    assert sign_in(client, "leo", PASSWORD).status_code == 303, "another account from the same address still works"
    with accounts.sessions.begin() as session:  # the window passes
        from bot.db.models import SignInAttempt

        session.execute(update(SignInAttempt).values(created_at=utcnow() - timedelta(hours=1)))
    assert sign_in(new_client(app), "lea", PASSWORD).status_code == 303


def test_an_address_guessing_at_many_accounts_is_paused(app):
    client = new_client(app)
    for n in range(6):  # console_failed_sign_ins_per_client=6
        assert sign_in(client, f"user{n}", "guess guess guess").status_code == 401
    assert sign_in(client, "leo", PASSWORD).status_code == 429


def test_an_expired_session_says_so_and_signing_in_again_returns_to_the_page(app, lead, accounts):
    token = lead.cookies.get("supportbot_console")
    with accounts.sessions.begin() as session:
        session.execute(update(ConsoleSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    response = lead.get("/console/disputes?status=open", follow_redirects=False)
    assert response.status_code == 303 and "expired=1" in response.headers["location"]
    page = lead.get(response.headers["location"])
    assert "Your session has expired" in page.text
    api = new_client(app)
    api.cookies.set("supportbot_console", token, path="/console")
    assert api.get("/console/api/traces").json()["detail"].startswith("your console session has expired")
    again = lead.post("/console/login", data={"name": "lea", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                              "next": "/console/disputes?status=open"}, follow_redirects=False)
    assert again.headers["location"] == "/console/disputes?status=open"


def test_signing_out_ends_the_session_on_the_server(app, lead):
    token = lead.cookies.get("supportbot_console")
    response = lead.post("/console/logout", data={"csrf_token": lead.csrf}, follow_redirects=False)
    assert response.headers["location"] == "/console/login?notice=signed_out"
    replay = new_client(app)
    replay.cookies.set("supportbot_console", token, path="/console")
    assert replay.get("/console/api/session").status_code == 401


def test_posts_without_the_sessions_csrf_token_are_refused(app, lead, accounts):
    with accounts.sessions.begin() as session:
        from tests.console.seed import trace

        trace_id = trace(session).id
    for token in ("", "forged-token"):
        response = lead.post(f"/console/traces/{trace_id}/label", data={"label": "correct", "csrf_token": token})
        assert response.status_code == 403 and "Form expired" in response.text
    accepted = lead.post(f"/console/traces/{trace_id}/label", data={"label": "correct"}, headers={"X-CSRF-Token": lead.csrf},
                         follow_redirects=False)
    assert accepted.status_code == 303


def test_the_sign_in_form_needs_its_own_token(app):
    client = new_client(app)
    response = client.post("/console/login", data={"name": "lea", "password": PASSWORD, "csrf_token": "x"})
    assert response.status_code == 400 and "expired" in response.text


def test_the_next_page_after_sign_in_stays_inside_the_console(app):
    client = new_client(app)
    form = client.get("/console/login")
    response = client.post("/console/login", follow_redirects=False, data={
        "name": "lea", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "https://evil.example/console"})
    assert response.headers["location"] == "/console/"


def test_the_audit_log_is_for_admins(app, lead):
    assert lead.get("/console/audit").status_code == 403
    admin = new_client(app)
    sign_in(admin, "ada")
    page = admin.get("/console/audit")
    assert page.status_code == 200 and "sign in" in page.text and "lea" in page.text


def test_a_disabled_account_is_signed_out_at_once(app, lead, accounts):
    disable_account(accounts.sessions, "lea")
    assert lead.get("/console/api/session").status_code == 401
    assert sign_in(new_client(app), "lea").status_code == 401


def test_accounts_need_a_known_role_a_unique_name_and_a_real_password(accounts):
    with pytest.raises(AccountError, match="role"):
        add_account(accounts.sessions, "sam", "boss", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        add_account(accounts.sessions, "lea", "lead", PASSWORD)
    with pytest.raises(WeakPassword):
        add_account(accounts.sessions, "sam", "lead", "short")


def test_old_attempts_and_long_expired_sessions_are_forgotten_at_the_next_sign_in(app, accounts):
    from bot.db.models import SignInAttempt

    client = new_client(app)
    sign_in(client, "lea", "wrong wrong wrong")
    sign_in(client, "lea")
    with accounts.sessions.begin() as session:
        session.execute(update(SignInAttempt).values(created_at=utcnow() - timedelta(days=2)))
        session.execute(update(ConsoleSession).values(expires_at=utcnow() - timedelta(days=2)))
    sign_in(new_client(app), "leo")
    with accounts.sessions() as session:
        assert [a.account_name for a in session.scalars(select(SignInAttempt))] == ["leo"]
        assert len(session.scalars(select(ConsoleSession)).all()) == 1
