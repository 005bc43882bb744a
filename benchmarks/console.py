"""Review console benchmark: the trace list page at 100,000 traces, with filters.

    python benchmarks/console.py [--traces N] [--repeats R] [--postgres-url URL [--no-sqlite]]

Generates N traces (default 100,000) with their turns, conversations, feedback (10 %),
disputes (1 %) and QA labels (2 %) in a temp SQLite database (and, with --postgres-url, in
that PostgreSQL database too: its tables are dropped and recreated, so give a throw-away
one), signs a lead in, and times whole page requests (routing, session check, queries,
template) of /console/traces through the app in-process, for a set of filters and page
depths (1, 2, 10 and 100, reached by following the page links; the cursors are collected
before timing). Each request runs R times (default 5); p50/p95 are over every timed request.

Baseline, in the same run on the same data: the same pages with OFFSET pagination
(`LIMIT 50 OFFSET (page-1)*50`), the drop-downs' channels and strategies by plain SELECT
DISTINCT, and without the console's trace-list indexes (migration 0007: (created_at, id), and
channel / strategy / outcome followed by (created_at, id); on PostgreSQL also migration 0009's
trigram indexes for the text search): what a first list page would do. The target is p95 <= 300 ms for the console's list.

Progress and a table go to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert, inspect, select, text  # noqa: E402

from bot.console import trace_list  # noqa: E402
from bot.console.accounts import add_account  # noqa: E402
from bot.console.routes import traces as trace_routes  # noqa: E402
from bot.container import Container  # noqa: E402
from bot.db.base import Base  # noqa: E402
from bot.db.models import AnswerFeedback, AnswerTrace, Conversation, Dispute, TraceReview, Turn  # noqa: E402
from bot.db.models.trace_indexes import TRACE_LIST_INDEXES  # noqa: E402
from bot.db.search_indexes import TRIGRAM_INDEXES  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.web.app import create_app  # noqa: E402

TARGET_P95_MS = 300
PASSWORD = "benchmark passphrase"
TOPICS = ["refund", "invoice", "password", "bank account", "export csv", "pricing", "vat", "receipt scan", "team members",
          "single sign-on", "cancel subscription", "change plan", "duplicate charge", "api key", "mobile app"]
FILTERS = {
    "none": {},
    "channel": {"channel": "slack:T1/C007"},
    "outcome+strategy": {"outcome": "abstained", "strategy": "retrieval"},
    "feedback": {"feedback": "not_right"},
    "disputed": {"disputed": "yes"},
    "low_confidence": {"low_confidence": "1"},
    "label": {"label": "wrong"},
    "text": {"q": "duplicate charge"},
    "text_rare": {"q": "duplicate charge 4242?"},  # a handful of matches: the whole table is searched
    "date_range": {"from": "", "to": ""},  # filled in with a 7-day window in the middle of the data
    "combined": {"channel": "slack:T1/C003", "outcome": "answered", "q": "invoice"},
}
PAGES = (1, 2, 10, 100)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(container: Container, count: int, seed: int = 7) -> datetime:
    """Bulk rows with Core inserts; returns the newest trace's time."""
    rng = random.Random(seed)
    engine = container.engine
    start = datetime(2026, 6, 1, tzinfo=UTC)
    span = timedelta(days=90).total_seconds()
    conversations, turns, traces, feedback, disputes, reviews = [], [], [], [], [], []
    channels = [f"slack:T1/C{n:03d}" for n in range(20)] + ["web", "teams:t1/19:abc"]
    for n in range(count):
        conversation_id, question_turn, answer_turn = n + 1, 2 * n + 1, 2 * n + 2
        channel = rng.choice(channels)
        created = start + timedelta(seconds=span * n / count + rng.random())
        strategy = rng.choices(["retrieval", "script", "handoff"], [70, 25, 5])[0]
        outcome = "escalated" if strategy == "handoff" else rng.choices(["answered", "abstained", "escalated"], [80, 12, 8])[0]
        topic = rng.choice(TOPICS)
        question = f"{rng.choice(['How do I', 'Can I', 'Why is my', 'What about'])} {topic} {rng.randint(1, 10_000)}?"
        trace_id = uuid.UUID(int=rng.getrandbits(128)).hex
        confidence = round(rng.random(), 4)
        conversations.append({"id": conversation_id, "channel": channel, "external_key": f"k{n}", "created_at": created, "handled_by": "bot"})
        turns += [{"id": question_turn, "conversation_id": conversation_id, "role": "user", "user_id": "u", "text": question, "created_at": created},
                  {"id": answer_turn, "conversation_id": conversation_id, "role": "bot", "user_id": None, "text": "An answer.", "created_at": created}]
        traces.append({
            "id": trace_id, "conversation_id": conversation_id, "question_turn_id": question_turn, "answer_turn_id": answer_turn,
            "created_at": created, "channel": channel, "question": question, "history": [], "standalone_query": question,
            "strategy": strategy, "outcome": outcome, "abstain_reason": None,
            "scores": {"top_similarity": confidence, "min_similarity": 0.45},
            "routing": {"route": strategy, "script_model": {"confidence": confidence}},
            "script_id": "reset_password" if strategy == "script" else None, "script_model_version": "v1",
            "index_backend": "in-memory", "index_version": 1, "embedding_model": "minilm", "generator": "extractive",
            "model": None, "prompt": None, "generator_error": None,
            "answer": f"About {topic}: see the help center. " * 3, "timings_ms": {"total": 20.0},
        })
        if rng.random() < 0.10:
            feedback.append({"trace_id": trace_id, "rating": rng.choice(["helpful", "not_right"]), "user_id": "u", "created_at": created})
        if rng.random() < 0.01:
            disputes.append({"trace_id": trace_id, "conversation_id": conversation_id, "opened_by": "u", "reason": "wrong_fact",
                             "details": "", "status": "open", "created_at": created, "updated_at": created})
        if rng.random() < 0.02:
            reviews.append({"trace_id": trace_id, "label": rng.choice(["correct", "partly", "wrong"]), "note": "", "reviewer": "lea",
                            "created_at": created})
    with engine.begin() as connection:
        for table, rows in ((Conversation, conversations), (Turn, turns), (AnswerTrace, traces), (AnswerFeedback, feedback),
                            (Dispute, disputes), (TraceReview, reviews)):
            for chunk in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[chunk:chunk + 5000])
        connection.execute(text("ANALYZE"))
    return traces[-1]["created_at"]


def offset_trace_page(session, filters, low_confidence_below, after=None, size=trace_list.PAGE_SIZE):
    """The baseline list: OFFSET pagination (`after` carries the offset), same filters and decorations."""
    offset = int(after or 0)
    columns = (AnswerTrace.id, AnswerTrace.created_at, AnswerTrace.channel, AnswerTrace.strategy, AnswerTrace.script_id,
               AnswerTrace.outcome, AnswerTrace.question)
    query = filters.apply(select(*columns), low_confidence_below)
    query = query.order_by(AnswerTrace.created_at.desc(), AnswerTrace.id.desc()).offset(offset).limit(size + 1)
    found = session.execute(query).all()
    shown = found[:size]
    feedback, disputed, labels = trace_list._decorations(session, [r[0] for r in shown])
    rows = [trace_list.TraceRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6][:300], feedback.get(r[0]), r[0] in disputed, labels.get(r[0]))
            for r in shown]
    return trace_list.TracePage(rows, str(offset + size) if len(found) > size else None)


def distinct_filter_choices(session) -> dict[str, list[str]]:
    """The baseline's drop-downs: a plain SELECT DISTINCT per column."""
    return {
        "channels": list(session.scalars(select(AnswerTrace.channel).distinct().order_by(AnswerTrace.channel).limit(500))),
        "strategies": list(session.scalars(select(AnswerTrace.strategy).distinct().order_by(AnswerTrace.strategy))),
    }


def signed_in(app) -> TestClient:
    client = TestClient(app, base_url="http://127.0.0.1")
    form = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = client.post("/console/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def page_urls(client: TestClient, params: dict, link_kind: str) -> dict[int, str]:
    """The URL of each page depth in PAGES that exists, by following the page links (untimed)."""
    from urllib.parse import urlencode

    urls, url, page = {}, "/console/traces?" + urlencode(params), 1
    while page <= max(PAGES):
        if page in PAGES:
            urls[page] = url
        if page == max(PAGES):
            break
        if link_kind == "cursor":
            html = client.get(url).text
            match = re.search(r'href="([^"]+)" id="next-page"', html)
            if not match:
                break
            url = match.group(1).replace("&amp;", "&")
        else:
            url = "/console/traces?" + urlencode({**params, "after": str(page * trace_list.PAGE_SIZE)})
        page += 1
    return urls


def measure(client: TestClient, urls_by_filter: dict, repeats: int) -> dict:
    timings, per_case = [], {}
    for name, urls in urls_by_filter.items():
        for page, url in urls.items():
            client.get(url)  # warm the path once
            case = []
            for _ in range(repeats):
                started = time.perf_counter()
                response = client.get(url)
                case.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            timings += case
            per_case[f"{name}@{page}"] = round(statistics.median(case), 1)
    ordered = sorted(timings)
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(ordered[-1], 1),
        "median_ms_by_case": per_case,
    }


def present_trigram_indexes(container: Container) -> list[str]:
    found = {i["name"] for i in inspect(container.engine).get_indexes("answer_traces")}
    return [name for name in TRIGRAM_INDEXES if name in found]


def run_database(url: str | None, traces: int, repeats: int, home: Path) -> dict:
    settings = Settings(home=home / "var", database_url=url, _env_file=None) if url else Settings(home=home / "var", _env_file=None)
    container = Container(settings)
    if url:
        with container.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    container.init_db()
    dialect = container.engine.dialect.name
    log(f"[{dialect}] generating {traces:,} traces ...")
    started = time.perf_counter()
    newest = generate(container, traces)
    log(f"[{dialect}] generated in {time.perf_counter() - started:.1f} s")
    add_account(container.sessions, "bench", "lead", PASSWORD)
    filters = {k: dict(v) for k, v in FILTERS.items()}
    middle = newest - timedelta(days=45)
    filters["date_range"] = {"from": (middle - timedelta(days=7)).date().isoformat(), "to": middle.date().isoformat()}
    app = create_app(container)
    client = signed_in(app)

    console_urls = {name: page_urls(client, params, "cursor") for name, params in filters.items()}
    log(f"[{dialect}] timing the console's list ...")
    console = measure(client, console_urls, repeats)

    with container.engine.begin() as connection:  # the baseline: no trace-list indexes, OFFSET pages
        for name in [index.name for index in TRACE_LIST_INDEXES] + present_trigram_indexes(container):
            connection.execute(text(f"DROP INDEX {name}"))
        connection.execute(text("ANALYZE"))
    original = trace_routes.trace_page, trace_routes.filter_choices
    trace_routes.trace_page, trace_routes.filter_choices = offset_trace_page, distinct_filter_choices
    try:
        baseline_urls = {name: {p: u for p, u in page_urls(client, params, "offset").items() if p in console_urls[name]}
                         for name, params in filters.items()}
        log(f"[{dialect}] timing the baseline (OFFSET, no trace-list indexes) ...")
        baseline = measure(client, baseline_urls, repeats)
    finally:
        trace_routes.trace_page, trace_routes.filter_choices = original
    container.engine.dispose()
    return {"database": dialect, "traces": traces, "console": console, "baseline_offset_no_indexes": baseline,
            "speedup_p95": round(baseline["p95_ms"] / console["p95_ms"], 2) if console["p95_ms"] else None,
            "meets_target": console["p95_ms"] <= TARGET_P95_MS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--postgres-url", default=None, help="a throw-away PostgreSQL database (its tables are dropped)")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL (needs --postgres-url)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="console-bench-") as tmp:
        if not args.no_sqlite:
            results.append(run_database(None, args.traces, args.repeats, Path(tmp) / "sqlite"))
        if args.postgres_url:
            results.append(run_database(args.postgres_url, args.traces, args.repeats, Path(tmp) / "postgres"))
    for r in results:
        c, b = r["console"], r["baseline_offset_no_indexes"]
        log(f"{r['database']:>10}: console p50 {c['p50_ms']} ms p95 {c['p95_ms']} ms | baseline p50 {b['p50_ms']} ms "
            f"p95 {b['p95_ms']} ms | target p95 <= {TARGET_P95_MS} ms: {'met' if r['meets_target'] else 'MISSED'}")
        slowest = sorted(c["median_ms_by_case"].items(), key=lambda kv: -kv[1])[:5]
        log(f"{'':>10}  slowest console cases (median ms): {slowest}")
        slowest = sorted(b["median_ms_by_case"].items(), key=lambda kv: -kv[1])[:5]
        log(f"{'':>10}  slowest baseline cases (median ms): {slowest}")
    print(json.dumps({"benchmark": "console_trace_list", "target_p95_ms": TARGET_P95_MS, "results": results}))
    return 0 if all(r["meets_target"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
