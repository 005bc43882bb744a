"""Topic-shift benchmark: does a question in a thread get searched with the thread or alone?

    python benchmarks/topic_shift.py [--split tune|report] [--per-set N] [--thresholds T ...]
        [--doc2dial-docs F] [--doc2dial-questions F] [--clinc150 F] [--workdir DIR]

doc2dial's 273 documents are synced by the bot's own sync service into a fresh home (or the
one in `--workdir`, reused when it exists). Three sets of questions asked in a thread:
- follow-ups: doc2dial dev user turns with their own dialogue's history (the gold page should
  be cited);
- off topic: CLINC150 out-of-scope questions, each given a random doc2dial dialogue's history
  (answering is wrong: the docs do not cover them, and alone they are abstained on);
- new questions: doc2dial first-turn questions, each given another dialogue's history (the
  question's own gold page should be cited).
`--split tune` uses one half of the follow-ups and new questions and CLINC's `oos_train`;
`--split report` the other half and `oos_val`, so a threshold chosen on one is measured on the
other. Each method is the project's RetrievalStrategy; the baseline (always with the thread,
as before) runs in the same process. Prints a table; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench_env import DATA  # first: offline models, the repository on sys.path

from benchmarks.retrieval_data import Query, load_doc2dial
from benchmarks.retrieval_sync import sync_corpus
from bot.container import Container
from bot.settings import Settings
from strategies.base import HistoryTurn, Question
from strategies.retrieval_strategy import RetrievalStrategy

SEED = 7


def thread_of(query: Query, turns: int) -> tuple[HistoryTurn, ...]:
    return tuple(HistoryTurn(t.role, t.text) for t in query.history[-turns:])  # type: ignore[arg-type]


def question_sets(first: list[Query], followups: list[Query], clinc: dict, split: str, per_set: int, turns: int) -> dict:
    rng = random.Random(SEED)
    rng.shuffle(followups)
    rng.shuffle(first)
    half = 0 if split == "tune" else 1
    chosen_followups = followups[half::2][:per_set]
    chosen_first = first[half::2][:per_set]
    off_topic = [text for text, _ in clinc["oos_train" if split == "tune" else "oos_val"]][:per_set]
    threads = [q for q in followups if q.history]
    return {
        "followups": [(q.text, thread_of(q, turns), q.gold) for q in chosen_followups],
        "off_topic": [(text, thread_of(rng.choice(threads), turns), frozenset()) for text in off_topic],
        "new_questions": [(q.text, thread_of(_other(rng, threads, q), turns), q.gold) for q in chosen_first],
    }


def _other(rng: random.Random, threads: list[Query], query: Query) -> Query:
    while True:
        other = rng.choice(threads)
        if not other.gold & query.gold:
            return other


def measure(strategy: RetrievalStrategy, sets: dict) -> dict:
    figures: dict = {}
    timings = []
    for name, questions in sets.items():
        answered = right = new_topic = 0
        for text, history, gold in questions:
            started = time.perf_counter()
            answer = strategy.answer(Question(text, history))
            timings.append((time.perf_counter() - started) * 1000)
            cited = {e.chunk.document_key for e in answer.citations}
            answered += not answer.abstained
            right += bool(cited & gold)
            new_topic += bool(answer.scores.get("new_topic"))
        n = len(questions)
        figures[name] = {"n": n, "answered": round(answered / n, 4), "right": round(right / n, 4),
                         "searched_alone": round(new_topic / n, 4)}
    figures["p50_ms"] = round(statistics.median(timings), 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("tune", "report"), default="report")
    parser.add_argument("--per-set", type=int, default=200, help="Questions per set")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.05, 0.1, 0.15, 0.2])
    parser.add_argument("--doc2dial-docs", type=Path, default=DATA / "doc2dial" / "documents.jsonl")
    parser.add_argument("--doc2dial-questions", type=Path, default=DATA / "doc2dial" / "questions_dev.jsonl")
    parser.add_argument("--clinc150", type=Path, default=DATA / "clinc150" / "data_full_trainval.json")
    parser.add_argument("--workdir", type=Path, help="Keep the synced home here and reuse it next time")
    args = parser.parse_args()

    corpus, first, followups = load_doc2dial(args.doc2dial_docs, args.doc2dial_questions)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="topic-shift-"))
    if (workdir / "home").exists():
        container = Container(Settings(home=workdir / "home", _env_file=None))
        container.init_db()
    else:
        container = sync_corpus(corpus, workdir).container
    settings = container.settings
    clinc = json.loads(args.clinc150.read_text(encoding="utf-8"))
    sets = question_sets(first, followups, clinc, args.split, args.per_set, settings.history_turns)

    def strategy(threshold: float | None) -> RetrievalStrategy:
        return RetrievalStrategy(container.retriever, min_similarity=settings.min_evidence_similarity,
                                 max_evidence=settings.max_evidence, new_topic_below=threshold)

    strategy(None).warm_up()
    methods = {"always_with_thread": None, **{f"new_topic_below_{t:g}": t for t in args.thresholds}}
    results = {name: measure(strategy(threshold), sets) for name, threshold in methods.items()}

    print(f"split {args.split}; right = the gold page is cited; off topic: answered = answered wrongly")
    print(f"{'method':<24}{'follow-ups right':>18}{'off topic answered':>20}{'new questions right':>21}{'p50 ms':>8}")
    for name, r in results.items():
        print(f"{name:<24}{r['followups']['right']:>18.1%}{r['off_topic']['answered']:>20.1%}"
              f"{r['new_questions']['right']:>21.1%}{r['p50_ms']:>8}")
    print(json.dumps({"split": args.split, "per_set": args.per_set, "methods": results}))


if __name__ == "__main__":
    main()
