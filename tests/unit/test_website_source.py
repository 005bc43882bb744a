"""The website connector against a fake help-center site on 127.0.0.1."""

import pytest

from knowledge.sources import SourceError, load_source
from knowledge.sources.base import PreviousSync
from knowledge.sources.options import ConnectorOptions
from tests.fakes.help_site import MB, FakeHelpSite
from tests.fakes.local_http import Response

OPTIONS = ConnectorOptions(timeout_s=0.5, max_page_bytes=1 * MB, user_agent="supportbot/test")


@pytest.fixture
def site():
    with FakeHelpSite() as fake:
        fake.page("/", "Tallyo Help Center", "<p>Answers about billing, invoices and your account.</p>",
                  links=["/refunds", "/invoices", "https://elsewhere.example/refunds", "/files/price-list.pdf"])
        fake.page("/refunds", "Refunds", "<p>Pro-rated refunds are possible within 14 days of a charge.</p>"
                  "<h2>Annual plans</h2><p>Annual plans are refunded pro rata for unused months.</p>", links=["/invoices"])
        fake.page("/invoices", "Invoices", "<p>Click Send to email an invoice as a PDF.</p>", links=["/refunds#policy"])
        yield fake


def _load(site, location="/", previous=None, options=OPTIONS):
    return load_source("website", site.url + location, previous=previous, options=options)


def _again(site, first, location="/", options=OPTIONS):
    previous = PreviousSync(state=first.state, stored_keys=frozenset(d.key for d in first.documents))
    return _load(site, location, previous, options)


def test_crawl_reads_same_site_pages_as_main_content_only(site):
    result = _load(site)
    assert sorted(d.key for d in result.documents) == ["/", "/invoices", "/refunds"]
    assert result.problems == []
    refunds = next(d for d in result.documents if d.key == "/refunds")
    assert refunds.title == "Refunds" and refunds.url == site.url + "/refunds"
    assert [s.headings for s in refunds.sections] == [(), ("Annual plans",)]
    for chrome in ("cookies", "Sign up", "Related articles", "All rights reserved", "Help Center", "analytics"):
        assert chrome not in refunds.text, chrome
    assert site.server.requested("/files/price-list.pdf") == 0


def test_unchanged_site_is_answered_with_304s_and_reported_unchanged(site):
    first = _load(site)
    second = _again(site, first)
    assert second.documents == [] and second.problems == []
    assert sorted(second.unchanged_keys) == ["/", "/invoices", "/refunds"]
    assert site.server.requested("/refunds", 304) == 1 and site.server.requested("/refunds", 200) == 1
    assert second.state == first.state


def test_last_modified_alone_is_enough_for_a_conditional_get(site):
    site.page("/refunds", "Refunds", "<p>Refunds within 14 days.</p>", validators="last-modified")
    second = _again(site, _load(site))
    assert "/refunds" in second.unchanged_keys and site.server.requested("/refunds", 304) == 1


def test_changed_page_is_read_again_and_removed_page_is_left_out(site):
    first = _load(site)
    site.page("/refunds", "Refunds", "<p>Refunds are now possible within 30 days.</p>", links=["/invoices"])
    site.remove("/invoices")
    second = _again(site, first)
    assert [d.key for d in second.documents] == ["/refunds"] and "30 days" in second.documents[0].text
    assert second.unchanged_keys == ["/"] and second.problems == []
    assert "/invoices" not in second.state["pages"]


def test_a_page_linked_only_from_an_unchanged_page_is_still_visited(site):
    first = _load(site)
    second = _again(site, first)  # "/" answers 304, so its links are not read again
    assert "/invoices" in second.unchanged_keys


@pytest.mark.parametrize(
    ("path", "response", "reason"),
    [
        ("/slow", Response(200, b"<p>late</p>", {"Content-Type": "text/html"}, delay_s=3), "timed out after 0.5 s"),
        ("/broken", Response(500, b"oops", {"Content-Type": "text/html"}), "HTTP 500 Internal Server Error"),
        ("/price-list", Response(200, b"%PDF-1.7\x00\x01", {"Content-Type": "application/pdf"}),
         "content type application/pdf is not a web page"),
        ("/logo", Response(200, b"\x89PNG\r\n", {"Content-Type": "image/png"}), "content type image/png is not a web page"),
    ],
)
def test_a_bad_page_is_a_problem_with_its_url_and_the_rest_still_loads(site, path, response, reason):
    site.respond(path, response)
    site.page("/", "Tallyo Help Center", "<p>Start here.</p>", links=[path, "/refunds"])
    result = _load(site)
    assert [(p.path, p.reason, p.key) for p in result.problems] == [(site.url + path, reason, path)]
    assert {"/", "/refunds", "/invoices"} == {d.key for d in result.documents}


def test_a_50_mb_page_is_refused_by_its_content_length_without_reading_it(site):
    site.huge("/manual", size=50 * MB)
    site.page("/", "Tallyo Help Center", "<p>Start here.</p>", links=["/manual"])
    result = _load(site)
    assert [p.reason for p in result.problems] == ["page is 52,428,800 bytes; the limit is 1,048,576"]


def test_a_page_without_content_length_is_cut_off_at_the_limit(site):
    site.huge("/manual", size=50 * MB, declare_length=False)
    site.page("/", "Tallyo Help Center", "<p>Start here.</p>", links=["/manual"])
    result = _load(site)
    assert [p.reason for p in result.problems] == ["page is larger than the limit of 1,048,576 bytes"]


def test_redirect_loops_and_off_site_redirects_are_named(site):
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a")
    site.redirect("/moved", "https://elsewhere.example/moved")
    site.redirect("/old-refunds", "/refunds", status=301)
    site.page("/", "Tallyo Help Center", "<p>Start here.</p>", links=["/loop-a", "/moved", "/old-refunds"])
    result = _load(site)
    reasons = {p.key: p.reason for p in result.problems}
    assert reasons["/loop-a"] == f"redirect loop: {site.url}/loop-a → {site.url}/loop-b → {site.url}/loop-a"
    assert reasons["/moved"] == "redirects off the site, to https://elsewhere.example/moved"
    assert [d.key for d in result.documents].count("/refunds") == 1 and "/old-refunds" not in reasons


def test_robots_txt_disallow_is_honoured(site):
    site.robots_txt = "User-agent: *\nDisallow: /invoices\n"
    result = _load(site)
    assert {d.key for d in result.documents} == {"/", "/refunds"}
    assert site.server.requested("/invoices") == 0


def test_robots_txt_rules_for_our_agent_win_over_the_wildcard(site):
    site.robots_txt = "User-agent: *\nDisallow: /\n\nUser-agent: supportbot\nAllow: /\nDisallow: /refunds\n"
    assert {d.key for d in _load(site).documents} == {"/", "/invoices"}


def test_robots_txt_forbidding_everything_fails_the_source(site):
    site.robots_txt = "User-agent: *\nDisallow: /\n"
    with pytest.raises(SourceError, match="robots.txt forbids .* nothing was read and nothing retired"):
        _load(site)
    assert site.server.requested("/") == 0


def test_robots_txt_that_cannot_be_read_fails_the_source(site):
    site.respond("/robots.txt", Response(503, b"down", {"Content-Type": "text/plain"}))
    with pytest.raises(SourceError, match=r"robots.txt could not be read \(HTTP 503 Service Unavailable\)"):
        _load(site)


def test_a_missing_robots_txt_allows_everything(site):
    site.robots_txt = None
    assert len(_load(site).documents) == 3


def test_sitemap_lists_the_pages_and_links_are_not_followed(site):
    site.sitemap(["/refunds", "/invoices", "/private"])
    site.robots_txt = "User-agent: *\nDisallow: /private\n"
    result = _load(site, "/sitemap.xml")
    assert sorted(d.key for d in result.documents) == ["/invoices", "/refunds"]
    assert site.server.requested("/") == 0 and site.server.requested("/private") == 0


def test_a_missing_sitemap_fails_the_source(site):
    with pytest.raises(SourceError, match="sitemap could not be read"):
        _load(site, "/sitemap.xml")


def test_the_page_limit_stops_the_crawl_with_a_problem_that_blocks_retiring(site):
    result = _load(site, options=ConnectorOptions(timeout_s=0.5, max_pages=2))
    assert len(site.server.requests) == 1 + 2  # robots.txt and two pages
    assert [p.key for p in result.problems] == [None]
    assert "limit of 2 pages" in result.problems[0].reason


def test_a_noindex_page_is_not_a_document_but_its_links_are_followed(site):
    site.respond("/", Response(200, b'<html><head><meta name="robots" content="noindex"></head>'
                               b'<body><a href="/refunds">Refunds</a></body></html>', {"Content-Type": "text/html"}))
    assert sorted(d.key for d in _load(site).documents) == ["/invoices", "/refunds"]
