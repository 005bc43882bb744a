"""Adapter benchmark: the running web app driven the way Slack and Teams drive it.

    python benchmarks/adapters.py [--concurrency N] [--requests N] [--levels 1,10] [--script-model DIR]

Starts the web app (`bot.web.app.create_app` under uvicorn, in its own process:
benchmarks/adapter_server.py) on 127.0.0.1 on the embedded default (SQLite + in-memory index in
a temp home, the example knowledge synced, the example script model trained for two epochs or
the saved model --script-model names), with a local fake Slack Web API and a local fake Bot
Framework connector. For each chat and each concurrency level N, N people ask questions at
once, each waiting for the answer before asking the next, until `--requests` questions are
answered: signed Slack events, and Teams activities with real JWTs minted by a locally
generated key. Every question is delivered a second time 20 ms after the first, while it is
being handled (the chat's retry), and a third time after all answers have been posted. Five
questions per chat warm the app up first and are not counted.

Reported per chat and level: acknowledgement latency (the HTTP response of /slack/events or
/api/messages; its maximum is the level's opening burst, N questions and N retries at once on
new connections), time from sending a question to its answer arriving at the fake chat API,
duplicate answers (answers beyond one per question), and the answer service's own time per
answer from its traces (service_p50_ms: the rest is the adapter and queueing). The baseline, in the same run:
/healthz at the same concurrency (what the HTTP stack alone costs) and the answer service
called in process, one question at a time (what an answer costs without any adapter).
The top-level figures per chat are those at `--concurrency`; the last line is one JSON
object. Load stays on 127.0.0.1 and is bounded by `--requests` and `--timeout-s`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bench_env  # noqa: F401  (first: offline models, the repository on sys.path)

import aiohttp
import httpx
from sqlalchemy import select

from benchmarks.adapter_loads import ChatLoad, SlackLoad, TeamsLoad, bench_settings, prepare_home
from bot.db.base import utcnow
from bot.db.models import AnswerTrace
from bot.messages import IncomingMessage
from strategies.script_model import ModelArtifactError, load_classifier
from tests.fakes.web_app import free_port

SERVER = Path(__file__).with_name("adapter_server.py")
WARM_UP_QUESTIONS = 5  # per chat, not measured

QUESTIONS = [
    "How much does the Pro plan cost?",
    "How do I connect my bank account?",
    "Which currencies can I invoice in?",
    "How do I export my invoices?",
    "Can I add my accountant as a user?",
    "How do I set up recurring invoices?",
    "I forgot my password",
    "I was charged twice",
    "How often does the bank feed refresh?",
    "Can I change the invoice template?",
]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index], 1)


def load_client(base: str, connections: int, timeout_s: float) -> aiohttp.ClientSession:
    """The load generator's HTTP client. aiohttp, not httpx: at 50 requests in flight httpx's own
    overhead put /healthz at p50 ~100 ms and p99 ~750 ms here, against ~3 / ~10 ms with aiohttp, so
    it measured the client, not the app."""
    return aiohttp.ClientSession(
        base, connector=aiohttp.TCPConnector(limit=connections), timeout=aiohttp.ClientTimeout(total=timeout_s)
    )


async def timed_post(client: aiohttp.ClientSession, path: str, headers: dict, body: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    async with client.post(path, headers=headers, data=body) as response:
        await response.read()
    return (time.perf_counter() - started) * 1000, response.status


async def run_level(base: str, load: ChatLoad, concurrency: int, requests: int, timeout_s: float, container) -> dict:
    """`concurrency` people each ask a question and wait for its answer before asking the next."""
    limit = asyncio.Semaphore(concurrency)
    run = uuid.uuid4().hex[:8]
    keys = [f"{run}-{i}" for i in range(requests)]
    sent_at: dict[str, float] = {}
    acks: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + timeout_s

    def count(status: int) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    async with load_client(base, 2 * concurrency, 60) as client:

        async def ask(i: int, key: str) -> None:
            async with limit:
                sent_at[key] = time.perf_counter()
                original = asyncio.create_task(timed_post(client, *load.question(key, QUESTIONS[i % len(QUESTIONS)])))
                await asyncio.sleep(0.02)  # the chat retries while the first delivery is still being handled
                _ms, status = await timed_post(client, *load.retry(key, 1))
                count(status)
                ms, status = await original
                acks.append(ms)
                count(status)
                while key not in load.first_answers([key]) and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)

        started = time.perf_counter()
        since = utcnow()
        await asyncio.gather(*(ask(i, key) for i, key in enumerate(keys)))
        elapsed = time.perf_counter() - started
        for key in keys:  # a late retry, after the answer is out
            _ms, status = await timed_post(client, *load.retry(key, 2))
            count(status)
        await asyncio.sleep(1.0)

    answered = load.first_answers(keys)
    answer_ms = [(answered[k] - sent_at[k]) * 1000 for k in keys if k in answered]
    counts = load.answer_counts(keys)
    return {
        "concurrency": concurrency,
        "requests": requests,
        "http_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "ack_p50_ms": percentile(acks, 50),
        "ack_p99_ms": percentile(acks, 99),
        "ack_max_ms": round(max(acks), 1) if acks else None,  # the level's first burst, on new connections
        "answered": len(answer_ms),
        "answer_p50_ms": percentile(answer_ms, 50),
        "answer_p95_ms": percentile(answer_ms, 95),
        "answers_per_s": round(len(answer_ms) / elapsed, 2),
        "service_p50_ms": percentile(service_times(container, load.name, since), 50),
        "duplicates": sum(max(0, n - 1) for n in counts.values()),
    }


def service_times(container, chat: str, since) -> list[float]:
    """The answer service's own time per answer (its trace's total_ms): the rest is the adapter and queueing."""
    with container.sessions() as session:
        rows = session.scalars(
            select(AnswerTrace.timings_ms).where(AnswerTrace.channel.startswith(f"{chat}:"), AnswerTrace.created_at >= since)
        )
        return [t["total_ms"] for t in rows if t and "total_ms" in t]


async def healthz_level(base: str, concurrency: int, requests: int) -> dict:
    limit = asyncio.Semaphore(concurrency)
    times: list[float] = []
    async with load_client(base, concurrency, 30) as client:

        async def one() -> None:
            async with limit:
                started = time.perf_counter()
                async with client.get("/healthz") as response:
                    await response.read()
                times.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(one() for _ in range(requests)))
    return {"concurrency": concurrency, "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99)}


def answer_service_baseline(container, n: int) -> dict:
    service = container.answer_service
    times = []
    for i in range(n):
        message = IncomingMessage(channel="bench", conversation_key=uuid.uuid4().hex, user_id="bench:u", text=QUESTIONS[i % len(QUESTIONS)])
        started = time.perf_counter()
        service.handle(message)
        times.append((time.perf_counter() - started) * 1000)
    return {"questions": n, "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


@contextmanager
def app_process(settings: dict[str, str], token_url: str, timeout_s: float = 180) -> Iterator[str]:
    """The web app in its own process (benchmarks/adapter_server.py) on a free port; yields its URL once ready."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    env.update({f"SUPPORTBOT_{name.upper()}": value for name, value in settings.items()})
    server = subprocess.Popen([sys.executable, str(SERVER), "--port", str(port), "--teams-token-url", token_url], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the web app exited with {server.returncode}")
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the web app was not ready within {timeout_s} s")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=50, help="the highest number of requests in flight")
    parser.add_argument("--requests", type=int, default=300, help="questions per chat and level (p99 of 100 is the 2nd slowest)")
    parser.add_argument("--levels", default="1,10", help="lower concurrency levels, run before --concurrency")
    parser.add_argument("--timeout-s", type=float, default=300, help="longest wait for the answers of one level")
    parser.add_argument("--script-model", type=Path, help="a saved script model directory to serve (default: the example "
                                                          "scripts' model, trained here for two epochs)")
    args = parser.parse_args()
    if not (1 <= args.concurrency <= 200 and 1 <= args.requests <= 2000):
        parser.error("--concurrency must be 1..200 and --requests 1..2000 (the load is bounded on purpose)")
    levels = sorted({int(x) for x in args.levels.split(",") if x.strip()} | {args.concurrency})
    levels = [c for c in levels if 1 <= c <= args.concurrency]
    if args.script_model:
        try:  # before the minutes of set-up
            load_classifier(args.script_model)
        except ModelArtifactError as exc:
            parser.error(f"--script-model: {exc}")

    with tempfile.TemporaryDirectory(prefix="bench-adapters-") as tmp:
        with SlackLoad.fake() as slack_api, TeamsLoad.fake() as connector:
            print("setting up: syncing the example knowledge, " + (f"serving the script model {args.script_model}" if args.script_model
                  else "training the script model (2 epochs)"), file=sys.stderr)
            settings = bench_settings(Path(tmp), slack_api, connector)
            container = prepare_home(settings, args.script_model)
            loads: list[ChatLoad] = [SlackLoad(slack_api, container.settings), TeamsLoad(connector, container.settings)]
            baseline = {"answer_service": answer_service_baseline(container, 30), "healthz": []}
            with app_process(settings, connector.token_url) as base:
                results: dict = {"concurrency": args.concurrency, "requests": args.requests,
                                 "script_model": container.script_models.active().version}
                for load in loads:
                    # first requests pay one-off costs (bolt's auth.test, the signing keys, connection pools)
                    asyncio.run(run_level(base, load, 1, WARM_UP_QUESTIONS, args.timeout_s, container))
                    per_level = []
                    for concurrency in levels:
                        print(f"{load.name}: {args.requests} questions at concurrency {concurrency}", file=sys.stderr)
                        figures = asyncio.run(run_level(base, load, concurrency, args.requests, args.timeout_s, container))
                        print(json.dumps(figures), file=sys.stderr)
                        per_level.append(figures)
                    top = per_level[-1]
                    results[load.name] = {
                        **{k: top[k] for k in ("ack_p50_ms", "ack_p99_ms", "answer_p50_ms", "answer_p95_ms")},
                        "duplicates": sum(level["duplicates"] for level in per_level),
                        "levels": per_level,
                    }
                for concurrency in levels:
                    baseline["healthz"].append(asyncio.run(healthz_level(base, concurrency, args.requests)))
                results["baseline"] = baseline
            container.engine.dispose()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
