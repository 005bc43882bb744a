"""`/supportbot ...` admin commands, chat-neutral: who may run them and what each one does."""

from __future__ import annotations

from sqlalchemy import select

from bot.admin_commands import AdminCommands
from bot.db.models import ChannelPolicy

ADMIN = "slack:U_ADMIN"
CHANNEL = "slack:T1/C1"


def commands(container, started: list[str]) -> AdminCommands:
    return AdminCommands(container.sessions, container.sources, [ADMIN], started.append)


def test_only_admins_may_run_commands(container):
    started: list[str] = []
    admin = commands(container, started)
    refused = admin.run("slack:U_OTHER", CHANNEL, "sync")
    assert "only supportbot admins" in refused.lower()
    assert admin.run("teams:U_ADMIN", CHANNEL, "strategy set script").lower().startswith("only supportbot admins")
    assert started == []
    with container.sessions() as session:
        assert session.get(ChannelPolicy, CHANNEL) is None


def test_status_names_each_source_and_its_last_sync(synced, tmp_path):
    (tmp_path / "later").mkdir()
    synced.sources.add("later", "folder", str(tmp_path / "later"), None)
    status = commands(synced, []).run(ADMIN, CHANNEL, "status")
    lines = status.splitlines()
    assert any(line.startswith("• help-center: succeeded") and "added" in line for line in lines)
    assert "• later: never synced; manual" in lines


def test_status_shows_a_sync_in_progress_and_the_schedule(synced):
    source = synced.sources.get("faq")
    synced.sources.schedule("faq", 60)
    run_id = synced.sync_service.leases.acquire(source.id, "schedule")
    synced.sync_service.leases.touch(run_id, done=3, total=12)
    line = next(line for line in commands(synced, []).run(ADMIN, CHANNEL, "status").splitlines() if "faq" in line)
    assert line.startswith("• faq: syncing now (3/12 documents, since ")
    assert "schedule)" in line and "; succeeded " in line and line.endswith("; every 1h")


def test_sync_starts_the_named_source_or_all(synced):
    started: list[str] = []
    admin = commands(synced, started)
    assert "Started syncing faq" in admin.run(ADMIN, CHANNEL, "sync faq")
    assert admin.run(ADMIN, CHANNEL, "sync") == "Started syncing faq, help-center. `status` shows how it went."
    assert started == ["faq", "faq", "help-center"]
    assert "nope" in admin.run(ADMIN, CHANNEL, "sync nope") and started == ["faq", "faq", "help-center"]


def test_strategy_is_read_and_set_per_channel_with_who(container):
    admin = commands(container, [])
    assert admin.run(ADMIN, CHANNEL, "strategy") == "This channel uses `auto`."
    assert admin.run(ADMIN, CHANNEL, "strategy set retrieval") == "This channel now uses `retrieval`."
    assert admin.run(ADMIN, "slack:T1/C2", "strategy") == "This channel uses `auto`."
    assert "unknown policy" in admin.run(ADMIN, CHANNEL, "strategy set everything")
    with container.sessions() as session:
        row = session.scalar(select(ChannelPolicy).where(ChannelPolicy.channel == CHANNEL))
        assert (row.policy, row.updated_by) == ("retrieval", ADMIN)


def test_unknown_commands_and_help_show_what_exists(container):
    admin = commands(container, [])
    assert "`status`" in admin.run(ADMIN, CHANNEL, "")
    unknown = admin.run(ADMIN, CHANNEL, "drop tables")
    assert unknown.startswith("I don't know `drop tables`") and "`strategy set" in unknown
