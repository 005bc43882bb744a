"""Website and Zendesk sources synced end to end into SQL and the index, against local fakes."""

import logging

import pytest
from sqlalchemy import select

from bot.db.models import ConnectorState, Document, SyncRun
from bot.settings import Settings
from tests.fakes.help_site import FakeHelpSite
from tests.fakes.zendesk_api import FakeZendesk

EMAIL, TOKEN = "agent@tallyo.example", "zd-secret-token-4242"


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(
        home=tmp_path / "var",
        database_url=database_url,
        zendesk_email=EMAIL,
        zendesk_api_token=TOKEN,
        crawl_timeout_s=0.5,
        _env_file=None,
    )


@pytest.fixture
def site():
    with FakeHelpSite() as fake:
        fake.page("/", "Tallyo Help Center", "<p>Answers about billing and your account.</p>",
                  links=["/refunds", "/invoices", "https://elsewhere.example/pricing"])
        fake.page("/refunds", "Refunds", "<p>Pro-rated refunds are possible within 14 days of a charge.</p>")
        fake.page("/invoices", "Invoices", "<p>Click Send to email an invoice as a PDF.</p>")
        yield fake


@pytest.fixture
def zendesk():
    with FakeZendesk(EMAIL, TOKEN) as fake:
        fake.article(101, "Refunds", "<p>Pro-rated refunds are possible within 14 days.</p>")
        fake.article(102, "Invoices", "<p>Click Send to email an invoice as a PDF.</p>")
        fake.article(103, "Bank feeds", "<p>Bank feeds refresh every 4 hours.</p>")
        yield fake


def _counts(report):
    return report.added, report.updated, report.unchanged, report.removed, report.failed


def _documents(container) -> dict[str, tuple[str, int]]:
    with container.sessions() as session:
        return {d.key: (d.status, len(d.versions)) for d in session.scalars(select(Document))}


def _indexed_keys(container) -> set[str]:
    return {d.meta["document_key"] for d in container.index.document_store.filter_documents()}


def test_website_first_sync_unchanged_resync_change_and_removal(container, site):
    container.sources.add("site", "website", site.url + "/")
    first = container.sync_service.sync("site")
    assert first.status == "succeeded" and _counts(first) == (3, 0, 0, 0, 0)
    assert _indexed_keys(container) == {"/", "/refunds", "/invoices"}

    again = container.sync_service.sync("site")
    assert _counts(again) == (0, 0, 3, 0, 0)
    assert site.server.requested("/refunds", 200) == 1 and site.server.requested("/refunds", 304) == 1

    site.page("/refunds", "Refunds", "<p>Refunds are now possible within 30 days.</p>")
    site.remove("/invoices")
    changed = container.sync_service.sync("site")
    assert _counts(changed) == (0, 1, 1, 1, 0)
    assert _documents(container) == {"/": ("active", 1), "/refunds": ("active", 2), "/invoices": ("retired", 1)}
    assert _indexed_keys(container) == {"/", "/refunds"}


def test_a_failing_page_keeps_its_last_version_and_the_rest_syncs(container, site):
    container.sources.add("site", "website", site.url + "/")
    container.sync_service.sync("site")
    from tests.fakes.local_http import Response

    site.respond("/refunds", Response(500, b"oops", {"Content-Type": "text/html"}))
    report = container.sync_service.sync("site")
    assert report.status == "succeeded" and (report.failed, report.removed, report.kept_despite_problems) == (1, 0, 1)
    with container.sessions() as session:
        problems = session.scalars(select(SyncRun).order_by(SyncRun.id.desc())).first().problems
    assert problems == [{"path": site.url + "/refunds", "reason": "HTTP 500 Internal Server Error"}]
    assert _documents(container)["/refunds"] == ("active", 1)


def test_robots_txt_forbidding_everything_fails_the_sync_and_retires_nothing(container, site):
    container.sources.add("site", "website", site.url + "/")
    container.sync_service.sync("site")
    site.robots_txt = "User-agent: *\nDisallow: /\n"
    report = container.sync_service.sync("site")
    assert report.status == "failed" and "robots.txt forbids" in report.error
    assert all(status == "active" for status, _ in _documents(container).values())
    assert _indexed_keys(container) == {"/", "/refunds", "/invoices"}


def test_connector_state_is_saved_only_by_a_sync_that_succeeded(container, site):
    source = container.sources.add("site", "website", site.url + "/")
    container.sync_service.sync("site")
    with container.sessions() as session:
        saved = session.get(ConnectorState, source.id).state
    assert set(saved["pages"]) == {"/", "/refunds", "/invoices"}
    site.robots_txt = "User-agent: *\nDisallow: /\n"
    container.sync_service.sync("site")
    with container.sessions() as session:
        assert session.get(ConnectorState, source.id).state == saved


def test_zendesk_sync_resync_edit_and_deletion(container, zendesk):
    container.sources.add("zd", "zendesk", zendesk.url)
    assert _counts(container.sync_service.sync("zd")) == (3, 0, 0, 0, 0)
    assert _counts(container.sync_service.sync("zd")) == (0, 0, 3, 0, 0)

    zendesk.article(102, "Invoices", "<p>Invoices can be sent by text message too.</p>")
    zendesk.archive(103)
    zendesk.article(101, "Refunds", "<p>Being rewritten.</p>", draft=True)
    report = container.sync_service.sync("zd")
    assert _counts(report) == (0, 1, 0, 2, 0)
    assert _documents(container) == {
        "articles/101": ("retired", 1), "articles/102": ("active", 2), "articles/103": ("retired", 1),
    }
    assert _indexed_keys(container) == {"articles/102"}


def test_zendesk_429_then_success(container, zendesk):
    zendesk.fail_next(429, retry_after="0")
    container.sources.add("zd", "zendesk", zendesk.url)
    report = container.sync_service.sync("zd")
    assert report.status == "succeeded" and report.added == 3


def test_zendesk_wrong_credentials_fail_the_sync_clearly_and_the_token_is_never_stored(container, zendesk, caplog):
    zendesk.expect_token("a-rotated-token")  # the configured one is now wrong
    container.sources.add("zd", "zendesk", zendesk.url)
    with caplog.at_level(logging.DEBUG):
        report = container.sync_service.sync("zd")
    assert report.status == "failed" and "refused the API credentials (HTTP 401" in report.error
    with container.sessions() as session:
        run = session.scalar(select(SyncRun))
        stored = f"{run.error} {run.problems} {[s.state for s in session.scalars(select(ConnectorState))]}"
    assert run.status == "failed" and TOKEN not in stored
    assert TOKEN not in caplog.text and TOKEN not in repr(container.connector_options)
