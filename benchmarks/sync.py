"""Sync benchmark: website sources synced by real celery workers, first in full, then unchanged.

    python benchmarks/sync.py [--docs F] [--workers N] [--compare-workers] [--limit N]
                              [--split domain|shards] [--sources K]
                              [--redis-url URL] [--database-url URL] [--timeout-s S]

The doc2dial documents (default `../shared/data/doc2dial/documents.jsonl`) are written out as a
folder of HTML pages, one sub-folder and one sitemap.xml per source, and served from that folder
by a local static HTTP server on 127.0.0.1 (benchmarks/sync_site.py): every page carries an ETag
and a Last-Modified, and conditional GETs are answered 304. Each sub-folder is one `website`
source whose location is its sitemap.

The split: only one sync of a source runs at a time (its lock), so a single source could never
use a second worker. By default (`--split domain`) there is one source per doc2dial domain, as a
company would add one source per help center: dmv 51, ssa 77, studentaid 50, va 95 pages (the
largest source bounds what two workers can gain: at best 273 / 145 = 1.9x). `--split shards
--sources K` deals the documents round-robin into K sources of equal size instead (use it with
`--limit`: the first documents are all dmv).

The worker path: this process queues every source at once with
`Container(settings).background.sync_source(name)` (celery on Redis), and `--workers N` separate
`celery -A bot.worker worker --queues=sync,chat --pool=prefork --concurrency=1` processes run
them (N processes rather than one with --concurrency=N: closer to "two workers", and each has
its own model and its own copy of the embedded index, which they share through its file lock).
Before anything is timed, every worker is ready and has synced a one-page warm-up folder source
(so each has loaded the embedding model: start-up cost, not sync throughput). Then:
- first sync: every source queued at once; the time is from queueing until the last SyncRun
  finished (its `finished_at`), and docs/s = documents / that time;
- unchanged re-sync: the same again with nothing changed on the site (every page should be
  answered 304 to the connector's conditional GET; the benchmark checks it, and that every
  document is counted unchanged).
`resync_speedup` = first sync time / re-sync time (the issue asks for at least 20).
`peak_rss_mb` is the sum of VmHWM (peak resident set) over every process of every worker (the
celery main process and its pool child), read from /proc just before the workers are stopped;
the sum counts pages shared after fork twice, so `peak_rss_max_process_mb`, the largest single
process, is reported too. `--compare-workers` runs everything twice, with 1 worker and then
with N (`--workers`, 2 when not given above 1), each on a fresh home and database; the top-level
figures are the N-worker run's and `by_workers` holds both.

Services: a throw-away `redis-server` on a free 127.0.0.1 port in a temp dir unless
`--redis-url` is given; a SQLite database in a temp SUPPORTBOT_HOME unless `--database-url` is
given (then the sources are named `syncbench-<tag>-...` and are left in that database). The
workers run with cwd in the temp dir (no `.env` is read) and with no SUPPORTBOT_ setting from
this shell: only home, database and Redis, so the defaults (batch size, chunking, the packaged
MiniLM encoder) are what is measured. Everything is offline. A rich table goes to stderr; the
last stdout line is one JSON object. Exit status 1 when a check failed (a run that did not
succeed, documents missing, a re-sync that re-read pages); the figures are still printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench_env import DATA  # first: offline models, the repository on sys.path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from benchmarks.sync_services import BenchmarkError, celery_workers, given_url, peak_rss_kb, redis_server
from benchmarks.sync_site import Page, StaticSite, read_doc2dial, write_pages, write_sitemaps
from bot.container import Container
from bot.db.base import as_utc
from bot.db.models import SyncRun
from bot.settings import Settings
from tests.fakes.celery_processes import worker_env

console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)
FINAL = ("succeeded", "failed", "skipped")  # an abandoned run is followed by its redelivered task
WARM_UP_ROUNDS = 5


def split_pages(pages: list[Page], split: str, sources: int) -> dict[str, list[Page]]:
    if split == "domain":
        groups: dict[str, list[Page]] = {}
        for page in pages:
            groups.setdefault(f"doc2dial-{page.domain}", []).append(page)
        return groups
    count = max(1, min(sources, len(pages)))
    return {f"shard-{k + 1}": pages[k::count] for k in range(count)}


def wait_for_runs(container: Container, task_ids: list[str], workers: list[subprocess.Popen], timeout_s: float,
                  label: str, documents: int) -> list[SyncRun]:
    deadline = time.monotonic() + timeout_s
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} docs"),
                  TextColumn("{task.fields[runs]}"), TimeElapsedColumn(), console=console, transient=True) as progress:
        bar = progress.add_task(label, total=documents, runs="")
        while True:
            with container.sessions() as session:
                rows = list(session.scalars(select(SyncRun).where(SyncRun.task_id.in_(task_ids)).order_by(SyncRun.id)))
            final = {row.task_id: row for row in rows if row.status in FINAL}
            done = sum(row.added + row.updated + row.unchanged if row.status in FINAL else row.progress_done for row in rows)
            progress.update(bar, completed=min(done, documents), runs=f"{len(final)}/{len(task_ids)} sources done")
            if len(final) == len(task_ids):
                return [final[task_id] for task_id in task_ids]
            if any(process.poll() is not None for process in workers):
                raise BenchmarkError(f"{label}: a worker exited")
            if time.monotonic() > deadline:
                raise BenchmarkError(f"{label}: not finished within {timeout_s:g} s")
            time.sleep(0.1)


def queue_and_wait(container: Container, names: list[str], workers, timeout_s: float, label: str, documents: int):
    queued_at = datetime.now(UTC)
    task_ids = [container.background.sync_source(name, "manual") for name in names]
    runs = wait_for_runs(container, task_ids, workers, timeout_s, label, documents)
    seconds = (max(as_utc(run.finished_at) for run in runs) - queued_at).total_seconds()
    return runs, seconds, queued_at


def warm_up(container: Container, run_dir: Path, workers, timeout_s: float, tag: str) -> tuple[float, int]:
    """Until every worker process has synced a one-page folder source (and so loaded the model)."""
    runners: set[str] = set()
    started = time.perf_counter()
    for round_ in range(1, WARM_UP_ROUNDS + 1):
        names = []
        for n in range(len(workers)):
            folder = run_dir / "warmup" / f"r{round_}-{n}"
            folder.mkdir(parents=True)
            (folder / "welcome.md").write_text(f"# Welcome {round_}.{n}\n\nWarm-up page {round_}.{n}: resetting a password.\n")
            name = f"{tag}warmup-r{round_}-{n}"
            container.sources.add(name, "folder", str(folder))
            names.append(name)
        runs, _, _ = queue_and_wait(container, names, workers, timeout_s, f"warm-up {round_}", len(names))
        if any(run.status != "succeeded" for run in runs):
            raise BenchmarkError(f"warm-up sync failed: {[run.error for run in runs]}")
        runners |= {run.runner for run in runs}
        if len(runners) >= len(workers):
            break
    return round(time.perf_counter() - started, 1), len(runners)


def run_benchmark(groups: dict[str, list[Page]], urls: dict[str, str], site: StaticSite, workers_count: int,
                  run_dir: Path, redis_url: str, database_url: str | None, timeout_s: float) -> dict:
    home = run_dir / "var"
    database = database_url or f"sqlite:///{home / 'supportbot.db'}"
    tag = f"syncbench-{uuid.uuid4().hex[:6]}-" if database_url else ""
    settings = Settings(home=home, database_url=database, redis_url=redis_url, _env_file=None)
    container = Container(settings)
    container.init_db()
    names = {f"{tag}{group}": group for group in groups}
    for name, group in names.items():
        container.sources.add(name, "website", urls[group])
    documents = sum(len(pages) for pages in groups.values())
    problems: list[str] = []
    env = worker_env(home, database, redis_url)
    try:
        with celery_workers(workers_count, env, run_dir) as workers:
            warm_up_s, warmed = warm_up(container, run_dir, workers, timeout_s, tag)
            if warmed < workers_count:
                problems.append(f"only {warmed} of {workers_count} worker processes ran a warm-up sync")

            mark = site.mark()
            first, first_s, _ = queue_and_wait(container, list(names), workers, timeout_s, "first sync", documents)
            first_http = site.answered_since(mark)
            mark = site.mark()
            again, resync_s, _ = queue_and_wait(container, list(names), workers, timeout_s, "unchanged re-sync", documents)
            resync_http = site.answered_since(mark)

            peaks = {process.pid: peak_rss_kb(process.pid) for process in workers}
    finally:
        container.engine.dispose()

    for label, runs, field in (("first sync", first, "added"), ("re-sync", again, "unchanged")):
        for run in runs:
            if run.status != "succeeded" or run.failed:
                problems.append(f"{label} of source {run.source_id}: {run.status}, {run.failed} failed, "
                                f"{run.error or run.problems[:2]}")
        counted = sum(getattr(run, field) for run in runs)
        if counted != documents:
            problems.append(f"{label}: {counted} documents {field}, expected {documents}")
    if sum(run.added + run.updated + run.removed for run in again):
        problems.append("the unchanged re-sync added, updated or removed documents")
    if resync_http["page"].get(304, 0) != documents or resync_http["page"].get(200, 0):
        problems.append(f"re-sync page answers {dict(resync_http['page'])}, expected {documents} x 304")

    all_peaks = [kb for group in peaks.values() for kb in group.values()]
    per_source = []
    for (name, group), run_first, run_again in zip(names.items(), first, again):
        per_source.append({
            "source": name, "documents": len(groups[group]),
            "first_s": round((as_utc(run_first.finished_at) - as_utc(run_first.started_at)).total_seconds(), 2),
            "resync_s": round((as_utc(run_again.finished_at) - as_utc(run_again.started_at)).total_seconds(), 3),
            "first_runner": run_first.runner, "resync_runner": run_again.runner,
        })
    return {
        "documents": documents,
        "first_sync_docs_per_s": round(documents / first_s, 2),
        "resync_docs_per_s": round(documents / resync_s, 1),
        "resync_speedup": round(first_s / resync_s, 1),
        "peak_rss_mb": round(sum(all_peaks) / 1024, 1),
        "workers": workers_count,
        "first_sync_s": round(first_s, 2),
        "resync_s": round(resync_s, 3),
        "peak_rss_max_process_mb": round(max(all_peaks, default=0) / 1024, 1),
        "peak_rss_by_worker_mb": [round(sum(group.values()) / 1024, 1) for group in peaks.values()],
        "sources": len(names),
        "warm_up_s": warm_up_s,
        "http_first": {kind: dict(statuses) for kind, statuses in first_http.items()},
        "http_resync": {kind: dict(statuses) for kind, statuses in resync_http.items()},
        "per_source": per_source,
        "problems": problems,
    }


# -- report --------------------------------------------------------------------------------------------
def print_tables(results: list[dict], split: str) -> None:
    table = Table(title=f"website sync through celery workers: {results[0]['documents']} doc2dial pages, "
                        f"{results[0]['sources']} sources (split by {split})")
    for column in ("workers", "first s", "first docs/s", "re-sync s", "re-sync docs/s", "speedup",
                   "peak RSS sum MB", "largest MB", "re-sync 304/200"):
        table.add_column(column, justify="right")
    for r in results:
        pages = r["http_resync"]["page"]
        table.add_row(str(r["workers"]), f"{r['first_sync_s']:.1f}", f"{r['first_sync_docs_per_s']:.2f}",
                      f"{r['resync_s']:.2f}", f"{r['resync_docs_per_s']:.1f}", f"{r['resync_speedup']:.1f}x",
                      f"{r['peak_rss_mb']:.0f}", f"{r['peak_rss_max_process_mb']:.0f}",
                      f"{pages.get(304, 0)}/{pages.get(200, 0)}")
    console.print(table)
    sources = Table(title="per source (run time from its worker's start to finish)")
    for column in ("workers", "source", "docs", "first s", "re-sync s", "first runner"):
        sources.add_column(column, justify="left" if column in ("source", "first runner") else "right")
    for r in results:
        for s in r["per_source"]:
            sources.add_row(str(r["workers"]), s["source"], str(s["documents"]), f"{s['first_s']:.1f}",
                            f"{s['resync_s']:.2f}", s["first_runner"] or "-")
    console.print(sources)
    for r in results:
        if r["resync_speedup"] < 20:
            console.print(f"[yellow]{r['workers']} worker(s): the unchanged re-sync is only "
                          f"{r['resync_speedup']:.1f}x faster than the first sync (the target is 20x)[/]")
        for problem in r["problems"]:
            console.print(f"[red]{r['workers']} worker(s): {problem}[/]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=DATA / "doc2dial" / "documents.jsonl")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (each --concurrency=1)")
    parser.add_argument("--compare-workers", action="store_true", help="run with 1 worker, then with --workers (2 if 1)")
    parser.add_argument("--limit", type=int, help="only the first N documents (a quick smoke run)")
    parser.add_argument("--split", choices=("domain", "shards"), default="domain", help="how documents become sources")
    parser.add_argument("--sources", type=int, default=4, help="number of sources for --split shards")
    parser.add_argument("--redis-url", help="an existing Redis to use as the broker (default: start a throw-away one)")
    parser.add_argument("--database-url", help="an existing database (default: SQLite in the temp home)")
    parser.add_argument("--timeout-s", type=float, default=3600, help="longest wait for one phase")
    args = parser.parse_args()
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be 1..16")
    counts = [1, args.workers if args.workers > 1 else 2] if args.compare_workers else [args.workers]

    pages = read_doc2dial(args.docs, args.limit)
    if not pages:
        parser.error(f"no documents in {args.docs}")
    groups = split_pages(pages, args.split, args.sources)
    console.print(f"{len(pages)} documents from {args.docs} in {len(groups)} sources: "
                  + ", ".join(f"{name} {len(group)}" for name, group in groups.items()))

    results = []
    with tempfile.TemporaryDirectory(prefix="supportbot-sync-bench-") as tmp_name:
        tmp = Path(tmp_name)
        paths = write_pages(tmp / "site", groups)
        with StaticSite(tmp / "site") as site, \
                (redis_server(tmp / "redis") if args.redis_url is None else given_url(args.redis_url)) as redis_url:
            urls = write_sitemaps(tmp / "site", site.url, paths)
            for count in counts:
                console.print(f"[bold]{count} worker(s)[/]: starting, warming up, first sync, unchanged re-sync")
                run_dir = tmp / f"workers-{count}"
                run_dir.mkdir()
                started = time.perf_counter()
                results.append(run_benchmark(groups, urls, site, count, run_dir, redis_url, args.database_url,
                                             args.timeout_s))
                console.print(f"{count} worker(s): done in {time.perf_counter() - started:.0f} s")
                console.print(json.dumps({k: v for k, v in results[-1].items() if k != "per_source"}), markup=False,
                              highlight=False, soft_wrap=True)

    print_tables(results, args.split)
    figures = dict(results[-1])
    figures["split"] = args.split
    if len(results) > 1:
        figures["by_workers"] = {str(r["workers"]): r for r in results}
        figures["first_sync_speedup_vs_1_worker"] = round(results[0]["first_sync_s"] / results[-1]["first_sync_s"], 2)
    print(json.dumps(figures))
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as exc:
        console.print(f"[red]sync benchmark failed: {exc}[/]")
        sys.exit(1)
