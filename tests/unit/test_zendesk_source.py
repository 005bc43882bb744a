"""The Zendesk connector against a fake Help Center API on 127.0.0.1."""

import pytest

from knowledge.sources import SourceError, load_source
from knowledge.sources.base import PreviousSync
from knowledge.sources.options import ConnectorOptions, ZendeskCredentials
from tests.fakes.zendesk_api import EXPORT_PATH, LIST_PATH, FakeZendesk

EMAIL, TOKEN = "agent@tallyo.example", "zd-secret-token-4242"


@pytest.fixture
def zendesk():
    with FakeZendesk(EMAIL, TOKEN, page_size=2) as fake:
        fake.article(101, "Refunds", "<p>Pro-rated refunds are possible within 14 days.</p><h2>Annual</h2><p>Pro rata.</p>")
        fake.article(102, "Invoices", "<p>Click Send to email an invoice as a PDF.</p>")
        fake.article(103, "Bank feeds", "<p>Bank feeds refresh every 4 hours.</p>")
        fake.article(104, "Roadmap", "<p>Not published yet.</p>", draft=True)
        fake.article(105, "Two-factor", "<p>Turn on two-factor in Settings, Security.</p>")
        yield fake


def _options(token=TOKEN, **kwargs):
    return ConnectorOptions(timeout_s=2, zendesk=ZendeskCredentials(EMAIL, token), **kwargs)


def _load(zendesk, previous=None, options=None):
    return load_source("zendesk", zendesk.url, previous=previous, options=options or _options())


def _again(zendesk, first, options=None):
    previous = PreviousSync(state=first.state, stored_keys=frozenset(d.key for d in first.documents))
    return _load(zendesk, previous, options)


def test_first_sync_reads_every_published_article_across_pages(zendesk):
    result = _load(zendesk)
    assert [d.key for d in result.documents] == ["articles/101", "articles/102", "articles/103", "articles/105"]
    refunds = result.documents[0]
    assert refunds.title == "Refunds" and refunds.url == f"{zendesk.url}/hc/en-us/articles/101"
    assert [s.headings for s in refunds.sections] == [(), ("Annual",)]
    assert len(zendesk.requests_to(LIST_PATH)) == 1  # 100 a page
    assert zendesk.requests_to(EXPORT_PATH)[0].endswith("start_time=0")
    assert len(zendesk.requests_to(EXPORT_PATH)) > 2  # the export pages by time, 2 at a time
    assert result.state["cursor"] > 0 and result.problems == []


def test_list_pagination_follows_links_next(zendesk, monkeypatch):
    from knowledge.sources import zendesk as connector

    monkeypatch.setattr(connector, "PAGE_SIZE", 2)
    result = _load(zendesk)
    assert len(zendesk.requests_to(LIST_PATH)) == 3 and len(result.documents) == 4


def test_resync_starts_at_the_cursor_and_reports_the_rest_unchanged(zendesk):
    first = _load(zendesk)
    exports_so_far = len(zendesk.requests_to(EXPORT_PATH))
    zendesk.article(102, "Invoices", "<p>Invoices can now be sent by text message too.</p>")
    second = _again(zendesk, first)
    assert zendesk.requests_to(EXPORT_PATH)[exports_so_far].endswith(f"start_time={first.state['cursor']}")
    changed = {d.key: d.text for d in second.documents}
    assert "articles/102" in changed and "text message" in changed["articles/102"]
    assert "articles/101" in second.unchanged_keys and "articles/103" in second.unchanged_keys
    assert second.state["cursor"] > first.state["cursor"]


def test_archived_and_unpublished_articles_are_left_out(zendesk):
    first = _load(zendesk)
    zendesk.archive(103)
    zendesk.article(105, "Two-factor", "<p>Being rewritten.</p>", draft=True)
    second = _again(zendesk, first)
    present = {d.key for d in second.documents} | set(second.unchanged_keys)
    assert present == {"articles/101", "articles/102"}


def test_a_listed_article_without_a_stored_version_is_read_even_if_the_cursor_passed_it(zendesk):
    first = _load(zendesk)
    previous = PreviousSync(state=first.state, stored_keys=frozenset({"articles/101", "articles/102"}))
    second = _load(zendesk, previous)
    assert {"articles/103", "articles/105"} <= {d.key for d in second.documents}


def test_429_is_waited_out_as_retry_after_says(zendesk):
    waits = []
    zendesk.fail_next(429, retry_after="7", times=2)
    result = _load(zendesk, options=_options(sleep=waits.append))
    assert waits == [7.0, 7.0] and len(result.documents) == 4


def test_429_that_does_not_stop_fails_the_source(zendesk):
    zendesk.fail_next(429, retry_after="1", times=10)
    with pytest.raises(SourceError, match="kept answering HTTP 429 Too Many Requests after 3 retries"):
        _load(zendesk, options=_options(sleep=lambda s: None))


def test_a_retry_after_longer_than_allowed_fails_at_once(zendesk):
    waits = []
    zendesk.fail_next(429, retry_after="3600")
    with pytest.raises(SourceError, match="asks to wait 3600 s"):
        _load(zendesk, options=_options(sleep=waits.append))
    assert waits == []


def test_wrong_credentials_are_a_source_error_that_does_not_show_the_token(zendesk):
    with pytest.raises(SourceError) as raised:
        _load(zendesk, options=_options(token="wrong-token-0000"))
    message = str(raised.value)
    assert "refused the API credentials (HTTP 401" in message
    assert "wrong-token-0000" not in message and TOKEN not in message
    assert "wrong-token-0000" not in repr(_options(token="wrong-token-0000"))


def test_missing_credentials_are_a_source_error(zendesk):
    with pytest.raises(SourceError, match="no Zendesk credentials"):
        _load(zendesk, options=ConnectorOptions())


def test_a_server_error_fails_the_whole_source(zendesk):
    zendesk.fail_next(500)
    with pytest.raises(SourceError, match="HTTP 500"):
        _load(zendesk)
