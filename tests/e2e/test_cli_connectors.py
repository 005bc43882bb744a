"""`supportbot sources add --kind website|zendesk` and `supportbot sync` against local fakes."""

from __future__ import annotations

import pytest

from tests.e2e.test_cli import cli, flat, isolate, summary, table
from tests.fakes.help_site import FakeHelpSite
from tests.fakes.zendesk_api import FakeZendesk

pytestmark = pytest.mark.slow

EMAIL, TOKEN = "agent@tallyo.example", "zd-secret-token-4242"


@pytest.fixture
def home(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("SUPPORTBOT_ZENDESK_EMAIL", EMAIL)
    monkeypatch.setenv("SUPPORTBOT_ZENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("SUPPORTBOT_CRAWL_TIMEOUT_S", "1")
    return tmp_path


def test_a_website_and_a_zendesk_help_center_are_added_and_synced(home):
    with FakeHelpSite() as site, FakeZendesk(EMAIL, TOKEN) as zendesk:
        site.page("/", "Tallyo Help Center", "<p>Answers about billing.</p>", links=["/refunds"])
        site.page("/refunds", "Refunds", "<p>Pro-rated refunds are possible within 14 days.</p>")
        zendesk.article(7, "Invoices", "<p>Click Send to email an invoice as a PDF.</p>")
        added = cli("sources", "add", "site", site.url + "/")  # kind guessed from the URL
        assert added.exit_code == 0 and "Added website source" in added.output
        added = cli("sources", "add", "zd", zendesk.url, "--kind", "zendesk")
        assert added.exit_code == 0 and "Added zendesk source" in added.output
        assert table(cli("sources", "list").output)["zd"][1] == "zendesk"

        synced = cli("sync")
        assert synced.exit_code == 0, synced.output
        assert summary("site", added=2) in flat(synced.output) and summary("zd", added=1) in flat(synced.output)
        again = flat(cli("sync").output)
        assert summary("site", unchanged=2) in again and summary("zd", unchanged=1) in again
    assert TOKEN not in synced.output


def test_a_website_source_needs_a_url(home):
    result = cli("sources", "add", "site", "not-a-url", "--kind", "website")
    assert result.exit_code != 0 and "needs an http(s) URL" in flat(result.output)
