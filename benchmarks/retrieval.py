"""Retrieval benchmark: the project's sync + hybrid retrieval against a plain BM25 baseline.

    python benchmarks/retrieval.py [--doc2dial-docs F] [--doc2dial-questions F]
                                   [--emanual-sections F] [--emanual-qa F]

Each corpus is written as a folder of text pages, synced through the project's own sync
path and searched with its retriever; the baseline is haystack's InMemoryBM25Retriever
(default settings) over the very same chunks, given the question alone. A hit is counted
per document: the pages ranked by their best chunk. Prints R@1, R@5, MRR@10 and retrieval
latency per question set and method; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT.parent / "shared" / "data"
sys.path.insert(0, str(REPO_ROOT))

from haystack.components.retrievers.in_memory import InMemoryBM25Retriever  # noqa: E402
from haystack.document_stores.in_memory import InMemoryDocumentStore  # noqa: E402

from benchmarks.retrieval_data import Corpus, Query, load_doc2dial, load_emanual  # noqa: E402
from benchmarks.retrieval_sync import SyncedCorpus, sync_corpus  # noqa: E402
from strategies.base import HistoryTurn  # noqa: E402
from strategies.query_rewrite import standalone_query  # noqa: E402

DEPTH = 10  # documents ranked per question (MRR@10)
CHUNK_DEPTH = 50  # fused chunks fetched to find DEPTH distinct documents

Ranker = Callable[[Query], list[str]]  # question -> document keys, best first


def supportbot_ranker(synced: SyncedCorpus) -> Ranker:
    retriever = synced.container.retriever

    def rank(query: Query) -> list[str]:
        history = tuple(HistoryTurn(t.role, t.text) for t in query.history)  # type: ignore[arg-type]
        standalone = standalone_query(query.text, history)
        hits = retriever.retrieve(standalone.dense, keyword_query=standalone.keyword)
        return _distinct(h.chunk.document_key for h in hits)

    return rank


def bm25_ranker(synced: SyncedCorpus) -> Ranker:
    store = InMemoryDocumentStore()
    store.write_documents([d for d in synced.chunk_documents()])
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
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 95), 1),
    }


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
    args = parser.parse_args(argv)

    doc2dial, first, followup = load_doc2dial(args.doc2dial_docs, args.doc2dial_questions)
    emanual, emanual_queries = load_emanual(args.emanual_sections, args.emanual_qa)
    question_sets: list[tuple[str, Corpus, list[Query]]] = [
        ("doc2dial_first", doc2dial, first),
        ("doc2dial_followup", doc2dial, followup),
        ("emanual", emanual, emanual_queries),
    ]

    results: dict = {}
    sync_figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="supportbot-bench-") as tmp:
        synced_by_corpus: dict[str, SyncedCorpus] = {}
        for corpus in (doc2dial, emanual):
            synced = sync_corpus(corpus, Path(tmp) / corpus.name, retrieval_top_k=CHUNK_DEPTH)
            synced_by_corpus[corpus.name] = synced
            sync_figures[corpus.name] = synced.figures
            _log(f"synced {corpus.name}: {synced.figures}")
        for set_name, corpus, queries in question_sets:
            synced = synced_by_corpus[corpus.name]
            results[set_name] = {}
            for method, make in (("bm25", bm25_ranker), ("supportbot", supportbot_ranker)):
                results[set_name][method] = evaluate(make(synced), queries)
                _log(f"{set_name:18} {method:10} {results[set_name][method]}")

    _print_table(results)
    for name, figures in sync_figures.items():
        print(f"sync {name}: {figures}")
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
