"""Retrieval benchmark: the project's sync + hybrid retrieval against a plain BM25 baseline.

    python benchmarks/retrieval.py [--doc2dial-docs F] [--doc2dial-questions F]
                                   [--emanual-sections F] [--emanual-qa F] [--chunk-words N]
                                   [--chunk-overlap-words N] [--sets SET ...]

Each corpus is written as a folder of text pages and synced by the bot's own sync service
(a first sync and an unchanged re-sync) into a fresh supportbot home. A question is asked
the way the retrieval strategy asks it: made standalone from the thread's last
`history_turns` turns (doc2dial's agent turns are the bot's), then searched by the hybrid
retriever. The baseline is haystack's InMemoryBM25Retriever with default settings over the
same chunks, given the question alone. A hit is counted per document: pages are ranked by
their best chunk. Prints R@1, R@5, MRR@10 and retrieval latency per question set and method,
sync throughput and answer latency (`supportbot ask` end to end, and the answer service
in process); the last line is one JSON object. `--sets` runs only the named question sets
(and syncs only their corpora); answer latency is measured only when doc2dial_first runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from bench_env import DATA, REPO_ROOT  # first: offline models, the repository on sys.path

from haystack.components.retrievers.in_memory import InMemoryBM25Retriever
from haystack.document_stores.in_memory import InMemoryDocumentStore

from benchmarks.retrieval_data import Corpus, Query, load_doc2dial, load_emanual
from benchmarks.retrieval_sync import SyncedCorpus, sync_corpus
from bot.messages import IncomingMessage
from strategies.base import HistoryTurn
from strategies.query_rewrite import standalone_query

DEPTH = 10  # documents ranked per question (MRR@10)
CHUNK_DEPTH = 50  # fused chunks fetched to find DEPTH distinct documents
ASK_CLI_QUESTIONS = 3  # `supportbot ask` runs (each one starts a process and loads the model)
ASK_SERVICE_QUESTIONS = 30

SETS = ("doc2dial_first", "doc2dial_followup", "emanual")

Ranker = Callable[[Query], list[str]]  # question -> document keys, best first


def supportbot_ranker(synced: SyncedCorpus) -> Ranker:
    retriever = synced.container.retriever
    history_turns = synced.container.settings.history_turns

    def rank(query: Query) -> list[str]:
        recent = query.history[-history_turns:] if history_turns else ()
        history = tuple(HistoryTurn(t.role, t.text) for t in recent)  # type: ignore[arg-type]
        standalone = standalone_query(query.text, history)
        hits = retriever.retrieve(standalone.dense, keyword_query=standalone.keyword)
        return _distinct(h.chunk.document_key for h in hits)

    return rank


def bm25_ranker(synced: SyncedCorpus) -> Ranker:
    store = InMemoryDocumentStore()
    store.write_documents(synced.chunk_documents())
    retriever = InMemoryBM25Retriever(document_store=store, top_k=CHUNK_DEPTH)

    def rank(query: Query) -> list[str]:
        documents = retriever.run(query=query.text)["documents"]
        return _distinct(d.meta["document_key"] for d in documents)

    return rank


def _distinct(keys) -> list[str]:
    seen: dict[str, None] = {}
    for key in keys:
        seen.setdefault(key, None)
        if len(seen) == DEPTH:
            break
    return list(seen)


def evaluate(rank: Ranker, queries: Sequence[Query]) -> dict:
    ranks, latencies = [], []
    for query in queries:
        started = time.perf_counter()
        ranking = rank(query)
        latencies.append((time.perf_counter() - started) * 1000)
        ranks.append(next((i for i, key in enumerate(ranking, start=1) if key in query.gold), None))
    n = len(queries)
    return {
        "n": n,
        "r@1": _round(sum(r == 1 for r in ranks) / n),
        "r@5": _round(sum(r is not None and r <= 5 for r in ranks) / n),
        "mrr@10": _round(sum(1 / r for r in ranks if r is not None and r <= DEPTH) / n),
        **_latency(latencies),
    }


def ask_latency(synced: SyncedCorpus, questions: Sequence[Query]) -> dict:
    """`supportbot ask` as a user runs it (a new process: imports, model and index loading
    included), then the warm answer service in this process."""
    env = {**os.environ, "SUPPORTBOT_HOME": str(synced.home), "PYTHONPATH": str(REPO_ROOT)}
    cli_ms = []
    for query in questions[:ASK_CLI_QUESTIONS]:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli.main", "ask", query.text, "--json"],
            cwd=synced.home, env=env, capture_output=True, text=True, timeout=300,
        )
        cli_ms.append((time.perf_counter() - started) * 1000)
        if done.returncode not in (0, 1) or not done.stdout.strip():
            raise RuntimeError(f"supportbot ask failed ({done.returncode}): {done.stderr[-2000:]}")
    service = synced.container.answer_service
    service_ms = []
    for query in questions[:ASK_SERVICE_QUESTIONS]:
        message = IncomingMessage(channel="bench", conversation_key=uuid.uuid4().hex, user_id="bench", text=query.text)
        started = time.perf_counter()
        service.handle(message)
        service_ms.append((time.perf_counter() - started) * 1000)
    return {
        "cli": {"n": len(cli_ms), **_latency(cli_ms)},
        "answer_service": {"n": len(service_ms), **_latency(service_ms)},
    }


def _latency(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(_percentile(values, 95), 1)}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _round(x: float) -> float:
    return round(x, 4)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doc2dial-docs", type=Path, default=DATA / "doc2dial" / "documents.jsonl")
    parser.add_argument("--doc2dial-questions", type=Path, default=DATA / "doc2dial" / "questions_dev.jsonl")
    parser.add_argument("--emanual-sections", type=Path, default=DATA / "emanual_smart_tv" / "manual_sections.json")
    parser.add_argument("--emanual-qa", type=Path, default=DATA / "emanual_smart_tv" / "qa_dev.jsonl")
    parser.add_argument("--chunk-words", type=int, default=None, help="override the chunk_words setting")
    parser.add_argument(
        "--chunk-overlap-words", type=int, default=None, help="override the chunk_overlap_words setting"
    )
    parser.add_argument(
        "--sets", nargs="+", choices=SETS, default=list(SETS), help="question sets to run (default: all)"
    )
    args = parser.parse_args(argv)

    doc2dial, first, followup = load_doc2dial(args.doc2dial_docs, args.doc2dial_questions)
    emanual, emanual_queries = load_emanual(args.emanual_sections, args.emanual_qa)
    question_sets: list[tuple[str, Corpus, list[Query]]] = [
        (name, corpus, queries)
        for name, corpus, queries in (
            ("doc2dial_first", doc2dial, first),
            ("doc2dial_followup", doc2dial, followup),
            ("emanual", emanual, emanual_queries),
        )
        if name in args.sets
    ]
    corpora = list({corpus.name: corpus for _, corpus, _ in question_sets}.values())
    settings = {"retrieval_top_k": CHUNK_DEPTH}
    if args.chunk_words:
        settings["chunk_words"] = args.chunk_words
    if args.chunk_overlap_words is not None:
        settings["chunk_overlap_words"] = args.chunk_overlap_words

    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="supportbot-bench-") as tmp:
        synced = {corpus.name: sync_corpus(corpus, Path(tmp) / corpus.name, **settings) for corpus in corpora}
        for name, corpus in synced.items():
            _log(f"synced {name}: {corpus.figures}")
        for set_name, corpus, queries in question_sets:
            results[set_name] = {}
            for method, make in (("bm25", bm25_ranker), ("supportbot", supportbot_ranker)):
                results[set_name][method] = evaluate(make(synced[corpus.name]), queries)
                _log(f"{set_name:18} {method:10} {results[set_name][method]}")
        ask = ask_latency(synced["doc2dial"], first) if "doc2dial_first" in args.sets else None
        sync_figures = {name: corpus.figures for name, corpus in synced.items()}

    _print_table(results)
    for name, figures in sync_figures.items():
        first_sync, resync = figures["first"], figures["resync"]
        print(
            f"sync {name}: {figures['documents']} documents, {figures['chunks']} chunks; first sync "
            f"{first_sync['seconds']} s ({first_sync['docs_per_s']} docs/s), unchanged re-sync "
            f"{resync['seconds']} s ({resync['docs_per_s']} docs/s)"
        )
    if ask:
        print(
            f"answer latency (doc2dial): `supportbot ask` end to end p50 {ask['cli']['p50_ms']} ms "
            f"(n={ask['cli']['n']}); answer service in process p50 {ask['answer_service']['p50_ms']} ms, "
            f"p95 {ask['answer_service']['p95_ms']} ms (n={ask['answer_service']['n']})"
        )
        results["ask_latency_ms"] = ask
    results["sync"] = sync_figures
    print(json.dumps(results))
    return results


def _print_table(results: dict) -> None:
    header = f"{'set':18} {'method':10} {'n':>5} {'R@1':>6} {'R@5':>6} {'MRR@10':>7} {'p50 ms':>7} {'p95 ms':>7}"
    print(header)
    print("-" * len(header))
    for set_name, methods in results.items():
        for method, m in methods.items():
            print(
                f"{set_name:18} {method:10} {m['n']:>5} {m['r@1']:>6.3f} {m['r@5']:>6.3f} "
                f"{m['mrr@10']:>7.3f} {m['p50_ms']:>7.1f} {m['p95_ms']:>7.1f}"
            )


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
