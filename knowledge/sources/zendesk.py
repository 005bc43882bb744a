"""Zendesk Help Center articles, kept current with the incremental export.

Each sync asks two things:
- which articles exist now: the article list (cursor pagination). An archived (deleted) article
  simply stops being listed, which the export cannot tell, and a draft is not published, so both
  are retired;
- which changed since the cursor: the incremental export from `start_time` (the `end_time` the
  last sync reached; 0 the first time). Only those, and listed articles that have no stored
  version yet, are parsed; every other listed article is reported unchanged.
The state carried between syncs is `{"cursor": end_time}`.
"""

from __future__ import annotations

from knowledge.documents import LoadProblem, SourceDocument
from knowledge.parsing import ParseError, clean_text, parse_html
from knowledge.sources.base import LoadResult, PreviousSync, SourceError
from knowledge.sources.options import ConnectorOptions
from knowledge.sources.zendesk_api import ZendeskApi

ARTICLES = "/api/v2/help_center/articles.json"
INCREMENTAL_ARTICLES = "/api/v2/help_center/incremental/articles.json"
PAGE_SIZE = 100


def load_zendesk(location: str, previous: PreviousSync, options: ConnectorOptions) -> LoadResult:
    if options.zendesk is None:
        raise SourceError("no Zendesk credentials are configured (an agent's email and API token)")
    start_time = int(previous.state.get("cursor") or 0)
    result = LoadResult()
    with ZendeskApi(location, options.zendesk, options) as api:
        listed = _by_id(api.pages(ARTICLES, {"page[size]": PAGE_SIZE}, "articles"), result)
        changed, cursor = _export_since(api, start_time, result)
    result.state = {"cursor": cursor}
    live = {article_id: a for article_id, a in listed.items() if not a.get("draft")}
    for article_id, article in changed.items():  # the export is the later, fresher answer
        if article.get("draft"):
            live.pop(article_id, None)
        else:
            live[article_id] = article
    for article_id, article in sorted(live.items()):
        key = article_key(article_id)
        if article_id not in changed and key in previous.stored_keys:
            result.unchanged_keys.append(key)
            continue
        _read_article(article, key, result)
    return result


def article_key(article_id: int) -> str:
    return f"articles/{article_id}"


def _export_since(api: ZendeskApi, start_time: int, result: LoadResult) -> tuple[dict[int, dict], int]:
    """Articles changed since `start_time`, and the end_time reached. The export pages by time:
    each `next_page` starts where the last one ended; it is drained when no articles come back, the
    end_time stops advancing, or there is no next page."""
    changed: dict[int, dict] = {}
    cursor, url, params = start_time, INCREMENTAL_ARTICLES, {"start_time": start_time}
    while True:
        data = api.get(url, params)
        articles = data.get("articles") or []
        changed.update(_by_id(articles, result))
        end_time = data.get("end_time")
        advanced = isinstance(end_time, int) and end_time > cursor
        if advanced:
            cursor = end_time
        next_page = data.get("next_page")
        if not articles or not advanced or not next_page or data.get("end_of_stream"):
            return changed, cursor
        url, params = next_page, None


def _by_id(articles, result: LoadResult) -> dict[int, dict]:
    found = {}
    for article in articles:
        article_id = article.get("id") if isinstance(article, dict) else None
        if not isinstance(article_id, int):
            # no key to blame, so nothing is retired this time
            result.problems.append(LoadProblem("zendesk article", "an article without a numeric id was skipped"))
            continue
        found[article_id] = article
    return found


def _read_article(article: dict, key: str, result: LoadResult) -> None:
    url = article.get("html_url") or None
    title = clean_text(str(article.get("title") or article.get("name") or ""))
    try:
        parsed_title, sections = parse_html(str(article.get("body") or ""), fallback_title=title or key)
    except ParseError as exc:
        result.problems.append(LoadProblem(url or key, str(exc), key=key))
        return
    result.documents.append(
        SourceDocument(key=key, title=title or parsed_title, sections=sections, url=url, content_type="text/html")
    )
