"""The `supportbot` command line, driven through the real Typer app against a fresh home
(SQLite database and embedded index under SUPPORTBOT_HOME)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import context as cli_context
from bot.cli.main import app
from knowledge.stores.in_memory import InMemoryIndex
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow

PAGE_SUFFIXES = {".md", ".markdown", ".html", ".htm", ".txt"}
PAPER_QUESTION = "How do I change the paper size when printing invoices?"
BOX = re.compile(r"[\u2500-\u257f]")  # rich's panel and table borders


def flat(text: str) -> str:
    """Output without borders and with all whitespace collapsed, so wrapping cannot hide text."""
    return " ".join(BOX.sub(" ", text).split())


def summary(source: str, added=0, updated=0, unchanged=0, removed=0, failed=0) -> str:
    return (
        f"{source}: {added} added, {updated} updated, {unchanged} unchanged, "
        f"{removed} removed, {failed} failed"
    )


def table(output: str) -> dict[str, list[str]]:
    """The body rows of a rich table, keyed by their first cell."""
    rows = [[cell.strip() for cell in line.split("\u2502")[1:-1]] for line in output.splitlines() if "\u2502" in line]
    return {row[0]: row for row in rows if row}


def page_count(folder: Path) -> int:
    return sum(
        1
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES and not p.name.startswith(".")
    )


def faq_count(path: Path) -> int:
    return len(yaml.safe_load(path.read_text(encoding="utf-8")))


runner = CliRunner()


def cli(*args: str, input: str | None = None):  # noqa: A002 - click's name
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def isolate(mp: pytest.MonkeyPatch, root: Path) -> None:
    """A fresh home, no settings from the developer's shell or .env, and wide consoles."""
    for name in list(os.environ):
        if name.startswith("SUPPORTBOT_"):
            mp.delenv(name)
    mp.setenv("SUPPORTBOT_HOME", str(root / "var"))
    mp.chdir(root)
    for console in (cli_context.console, cli_context.errors):
        mp.setattr(console, "_width", 1000)


@dataclass
class Workspace:
    root: Path
    home: Path
    folder: Path
    faq: Path
    added: list
    first_sync: object


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """Both example sources added with `sources add` (from writable copies) and synced once."""
    root = tmp_path_factory.mktemp("cli")
    folder = root / "help-center"
    shutil.copytree(EXAMPLES / "help-center", folder)
    faq = root / "faq.yaml"
    shutil.copy(EXAMPLES / "faq.yaml", faq)
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        added = [
            cli("sources", "add", "help-center", str(folder), "--base-url", "https://help.tallyo.example"),
            cli("sources", "add", "faq", str(faq), "--base-url", "https://help.tallyo.example/faq"),
        ]
        first_sync = cli("sync")
        yield Workspace(root, root / "var", folder, faq, added, first_sync)


@pytest.fixture(scope="module")
def asked(ws):
    """One `ask --json`, shared by the ask and traces tests."""
    result = cli("ask", "How much does Pro cost?", "--json")
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def show_json(trace_id: str) -> dict:
    result = cli("traces", "show", trace_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- sources and sync --------------------------------------------------------------------------


def test_sources_add_registers_a_folder_and_an_faq_file(ws):
    folder_result, faq_result = ws.added
    assert folder_result.exit_code == 0, folder_result.output
    assert faq_result.exit_code == 0, faq_result.output
    assert "Added folder source help-center" in folder_result.output
    assert "Added faq source faq" in faq_result.output

    listed = cli("sources", "list")
    assert listed.exit_code == 0, listed.output
    rows = table(listed.output)
    assert sorted(rows) == ["faq", "help-center"]
    assert rows["help-center"][1:4] == ["folder", str(ws.folder), str(page_count(ws.folder))]
    assert rows["faq"][1:4] == ["faq", str(ws.faq), str(faq_count(ws.faq))]
    assert rows["faq"][4].startswith("succeeded")


def test_sources_add_of_a_missing_folder_fails_naming_the_path(ws):
    missing = ws.root / "no-such-folder"

    result = cli("sources", "add", "ghost", str(missing))

    assert result.exit_code != 0
    assert str(missing) in flat(result.output)
    assert "does not exist" in result.output
    assert "ghost" not in table(cli("sources", "list").output), "nothing was added"


def test_sources_add_refuses_a_duplicate_name(ws):
    result = cli("sources", "add", "faq", str(ws.faq))
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_first_sync_reports_every_page_and_faq_entry_as_added(ws):
    result = ws.first_sync
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert summary("help-center", added=page_count(ws.folder)) in out
    assert summary("faq", added=faq_count(ws.faq)) in out


def test_a_second_sync_finds_everything_unchanged(ws):
    result = cli("sync")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert summary("help-center", unchanged=page_count(ws.folder)) in out
    assert summary("faq", unchanged=faq_count(ws.faq)) in out


def test_sync_of_an_unknown_source_fails(ws):
    result = cli("sync", "nope")
    assert result.exit_code == 1
    assert "nope" in result.output


# -- asking ------------------------------------------------------------------------------------


def test_ask_json_answers_with_citations_and_a_trace_id(asked):
    result, reply = asked
    assert result.exit_code == 0, result.output
    assert reply["outcome"] == "answered"
    assert reply["trace_id"] and re.fullmatch(r"[0-9a-f]{32}", reply["trace_id"])
    assert reply["citations"], "an answer cites its sources"
    for citation in reply["citations"]:
        assert f"[{citation['number']}]" in reply["text"]
        assert citation["title"] and citation["document_key"]
    assert "$15" in reply["text"]
    assert "talk_to_human" in reply["actions"]


def test_ask_with_an_empty_question_exits_1_and_says_why(ws):
    result = cli("ask", "")
    assert result.exit_code == 1
    assert "Your message was empty" in flat(result.output)


# -- traces ------------------------------------------------------------------------------------


def test_traces_list_shows_the_trace(asked):
    _, reply = asked
    result = cli("traces", "list")
    assert result.exit_code == 0, result.output
    assert reply["trace_id"][:12] in result.output
    assert "answered" in result.output


def test_traces_show_prints_question_evidence_and_document_status(asked):
    _, reply = asked
    trace = show_json(reply["trace_id"])
    assert trace["question"] == "How much does Pro cost?"
    assert trace["evidence"]

    result = cli("traces", "show", reply["trace_id"][:10])  # a unique prefix works too

    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert reply["trace_id"] in out
    assert "Question: How much does Pro cost?" in out
    for item in trace["evidence"]:
        assert flat(item["text"]) in out, f"evidence #{item['rank']} is printed in full"
    assert out.count("unchanged since") == len(trace["evidence"])
    assert flat(reply["text"]) in out


def test_traces_show_of_an_unknown_id_exits_1(ws):
    result = cli("traces", "show", "nonexistent")
    assert result.exit_code == 1
    assert "nonexistent" in result.output


def test_a_trace_keeps_the_old_evidence_after_the_cited_page_changes(ws):
    asked = cli("ask", PAPER_QUESTION, "--json")
    assert asked.exit_code == 0, asked.output
    trace_id = json.loads(asked.stdout.strip().splitlines()[-1])["trace_id"]
    before = show_json(trace_id)
    cited = [e for e in before["evidence"] if e["citation"] and e["source"] == "help-center"]
    assert cited, f"the test needs a cited help-center page: {[(e['source'], e['document_key']) for e in before['evidence']]}"
    page = cited[0]["document_key"]
    assert all(e["document_now"] == "current" for e in before["evidence"])

    marker = "Since June, every layout can also be printed on US Legal paper."
    with (ws.folder / page).open("a", encoding="utf-8") as f:
        f.write(f"\n\n## New paper sizes\n\n{marker}\n")
    resync = cli("sync", "help-center")
    assert resync.exit_code == 0, resync.output
    assert summary("help-center", updated=1, unchanged=page_count(ws.folder) - 1) in flat(resync.output)

    after = show_json(trace_id)
    assert [e["text"] for e in after["evidence"]] == [e["text"] for e in before["evidence"]], "the snapshot is frozen"
    for item in after["evidence"]:
        expected = "changed" if (item["source"], item["document_key"]) == ("help-center", page) else "current"
        assert item["document_now"] == expected, item["document_key"]

    shown = cli("traces", "show", trace_id)
    assert shown.exit_code == 0, shown.output
    out = flat(shown.output)
    assert flat(cited[0]["text"]) in out
    assert marker not in out
    changed = sum(1 for e in after["evidence"] if e["document_now"] == "changed")
    assert out.count("document changed since") == changed >= 1
    assert out.count("unchanged since") == len(after["evidence"]) - changed

    fresh = cli("ask", "Can I print invoices on US Legal paper?", "--json")
    assert fresh.exit_code == 0, fresh.output
    fresh_trace = show_json(json.loads(fresh.stdout.strip().splitlines()[-1])["trace_id"])
    assert any(marker in e["text"] for e in fresh_trace["evidence"]), "the new version is what is searched now"


# -- chat, reindex, init -----------------------------------------------------------------------


def test_chat_answers_with_sources_and_quits(ws):
    result = cli("chat", input="How do I reset my password?\n/quit\n")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "Sources" in out
    assert re.search(r"\[1\] \S", out), "the sources are numbered"
    assert "answered" in out


def test_chat_ends_cleanly_at_end_of_input(ws):
    result = cli("chat", input="")
    assert result.exit_code == 0, result.output


def test_reindex_rebuilds_the_index_from_the_current_chunks_in_the_database(tmp_path, monkeypatch):
    # Its own small home (the FAQ only): re-embedding the whole example knowledge is slow.
    isolate(monkeypatch, tmp_path)
    faq = tmp_path / "faq.yaml"
    shutil.copy(EXAMPLES / "faq.yaml", faq)
    assert cli("sources", "add", "faq", str(faq)).exit_code == 0
    assert cli("sync").exit_code == 0
    text = faq.read_text(encoding="utf-8")
    assert "Pro costs $15 per month" in text
    faq.write_text(text.replace("Pro costs $15 per month", "Pro costs $16 per month"), encoding="utf-8")
    assert summary("faq", updated=1, unchanged=faq_count(faq) - 1) in flat(cli("sync").output)
    index_file = tmp_path / "var" / "index" / "chunks.json"
    index_file.unlink()  # the index is a projection: reindex rebuilds it from SQL alone

    result = cli("reindex")

    assert result.exit_code == 0, result.output
    match = re.search(r"Indexed (\d+) chunks into the in-memory index", flat(result.output))
    assert match, result.output
    with sqlite3.connect(tmp_path / "var" / "supportbot.db") as db:
        (current,) = db.execute(
            "SELECT count(*) FROM chunks c JOIN document_versions v ON c.version_id = v.id "
            "JOIN documents d ON v.document_id = d.id "
            "WHERE d.status = 'active' AND v.content_hash = d.current_hash"
        ).fetchone()
        (all_rows,) = db.execute("SELECT count(*) FROM chunks").fetchone()
    assert 0 < current < all_rows, "the old version's chunks stay in SQL but are not indexed"
    assert int(match.group(1)) == current
    rebuilt = InMemoryIndex(index_file)
    assert rebuilt.count() == current
    texts = " ".join(d.meta["text"] for d in rebuilt.document_store.filter_documents())
    assert "$16 per month" in texts and "Pro costs $15 per month" not in texts


def test_init_on_a_synced_home_keeps_the_sources_and_finds_nothing_new(ws):
    result = cli("init")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "Database ready" in out
    assert summary("help-center", unchanged=page_count(ws.folder)) in out
    assert summary("faq", unchanged=faq_count(ws.faq)) in out
    assert re.search(r"Script model v1-[0-9a-f]{8} is active", out), "init trains the example scripts once"
    rows = table(cli("sources", "list").output)
    assert sorted(rows) == ["faq", "help-center"], "init adds no second copy of the example sources"
    assert rows["help-center"][2] == str(ws.folder), "the admin's source is kept, not replaced"


def test_init_without_examples_on_an_empty_home(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)

    result = cli("init", "--no-examples")

    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    assert (tmp_path / "var" / "supportbot.db").is_file()
    assert "Syncing" not in result.output
    no_sources = cli("sync")
    assert no_sources.exit_code == 1
    assert "No sources yet" in no_sources.output
    again = cli("init", "--no-examples")
    assert again.exit_code == 0, again.output
