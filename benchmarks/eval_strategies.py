"""Strategy evaluation benchmark: `supportbot eval` on a mixed doc2dial + CLINC150 set.

    python benchmarks/eval_strategies.py [--doc2dial DIR] [--clinc150 FILE] [--model-cache DIR]
        [--limit-per-label N] [--epochs N] [--doc2dial-first N] [--doc2dial-followups N]
        [--clinc-in-scope N] [--clinc-oos N] [--max-wrong-rate R] [--threads N]

In a fresh supportbot home (temp dir):
1. the knowledge: doc2dial's 273 documents written as a folder of pages and synced by the
   bot's sync service;
2. the script model: trained on CLINC150 `train` (+ `oos_train` as out-of-scope) through the
   project's trainer, the `supportbot train --no-scripts --data ...` path, or reused from
   `--model-cache` when the same data and settings were trained before. CLINC intents have no
   support scripts, so each intent gets a one-step stub script (its id is the intent): the
   router can then start "the script" of an intent, and a route to the right intent counts
   as correct;
3. the set: doc2dial dev questions (first turns and follow-ups with history, expected source =
   the gold page) + CLINC150 `val` in-scope questions (expected script = intent) + `oos_val`
   (should escalate), checked against the synced documents and known scripts;
4. the evaluation (script strategy alone, retrieval alone, the router) and a calibration of
   the router's thresholds on the same run's replayed answers.
Baseline in the same run: the same router with a TF-IDF + logistic-regression intent
classifier (same training rows, threshold calibrated by the project's rule) instead of the
fine-tuned model. Prints the table; the last line is one JSON object. `eval_s` is the time
for every question through all three strategies (the figure the 5-minute budget is about);
sync and training are timed separately.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_env import DATA  # first: offline models, the repository on sys.path

import numpy as np
from rich.console import Console
from rich.table import Table

from bot.container import Container
from bot.evaluation.runs import evaluation_for, load_set_for
from bot.script_models import ScriptModelRegistry
from bot.script_training import train_script_model
from bot.settings import Settings
from bot.training_data import gather_training_data
from strategies.evaluation import calibrate
from strategies.evaluation.cases import write_eval_set
from strategies.evaluation.public_sets import (
    clinc150_cases,
    clinc150_training_rows,
    doc2dial_cases,
    doc2dial_pages,
    write_pages,
)
from strategies.script_model import TrainingConfig, calibrate_threshold, split_texts, stratified_split
from strategies.script_model import LabelledExample, ScriptPrediction, Thresholds
from strategies.script_model.classifier import LOWEST_CONFIDENCE
from strategies.script_strategy import ScriptStrategy
from strategies.scripts import ScriptEngine

console = Console(stderr=True)
SEED = 13
SHOWN = ("answer_accuracy", "wrong_rate", "script_accuracy", "oos_recall", "recall@k", "mrr@10", "groundedness",
         "abstention_rate", "escalation_precision", "escalation_recall", "route_accuracy", "p50_ms", "p95_ms")


def main() -> None:
    args = _arguments()
    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="supportbot-eval-") as tmp:
        work = Path(tmp)
        train_rows, train_oos = _limited(*clinc150_training_rows(args.clinc150), args.limit_per_label)
        scripts_dir = _stub_scripts(work / "scripts", train_rows)
        container = Container(Settings(home=work / "var", scripts_dir=scripts_dir, _env_file=None))
        container.init_db()
        figures: dict = {}

        t = time.perf_counter()
        pages = write_pages(doc2dial_pages(args.doc2dial / "documents.jsonl"), work / "pages")
        container.sources.add("doc2dial", kind="folder", location=str(pages))
        report = container.sync_service.sync("doc2dial")
        if report.status != "succeeded":
            raise SystemExit(f"sync failed: {report.error}")
        figures["sync_s"] = round(time.perf_counter() - t, 1)
        figures["chunks"] = container.index.count()

        t = time.perf_counter()
        figures["model"] = _script_model(container, work, train_rows, train_oos, args)
        figures["train_s"] = round(time.perf_counter() - t, 1)

        cases = doc2dial_cases(
            args.doc2dial / "documents.jsonl", args.doc2dial / "questions_dev.jsonl", args.doc2dial_first, args.doc2dial_followups
        ) + clinc150_cases(args.clinc150, args.clinc_in_scope, args.clinc_oos)
        set_path = work / "set.jsonl"
        write_eval_set(cases, set_path)
        cases = load_set_for(container, set_path).cases  # the same checks `supportbot eval` makes
        figures["set"] = _composition(cases)

        t = time.perf_counter()
        evaluation = evaluation_for(container, args.threads)
        result = evaluation.run(cases, progress=_progress("eval"))
        figures["eval_s"] = round(time.perf_counter() - t, 1)

        t = time.perf_counter()
        baseline = evaluation.with_scripts(_tfidf_strategy(train_rows, train_oos, container))
        baseline_result = baseline.run(cases)
        figures["baseline_eval_s"] = round(time.perf_counter() - t, 1)

        t = time.perf_counter()
        calibration = calibrate(evaluation, cases, args.max_wrong_rate)
        figures["calibrate_s"] = round(time.perf_counter() - t, 1)
        container.engine.dispose()

    summary = {
        **result.summary(),
        "baseline_tfidf_router": baseline_result.metrics["router"],
        "baseline_tfidf_script": baseline_result.metrics["script"],
        "calibration": {k: v for k, v in calibration.to_dict().items() if k != "frontier"},
        "figures": figures,
        "total_s": round(time.perf_counter() - started, 1),
    }
    _print_table(summary)
    print(json.dumps(summary, default=str))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doc2dial", type=Path, default=DATA / "doc2dial")
    parser.add_argument("--clinc150", type=Path, default=DATA / "clinc150" / "data_full_trainval.json")
    parser.add_argument("--model-cache", type=Path, default=Path(tempfile.gettempdir()) / "supportbot-eval-models")
    parser.add_argument("--limit-per-label", type=int, default=20, help="CLINC150 training examples per intent")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--confidence-score", choices=sorted(LOWEST_CONFIDENCE), default=TrainingConfig.confidence_score,
                        help="what the script model's out-of-scope threshold applies to")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (see bot/evaluation/runs.py)")
    parser.add_argument("--doc2dial-first", type=int, default=350)
    parser.add_argument("--doc2dial-followups", type=int, default=150)
    parser.add_argument("--clinc-in-scope", type=int, default=400)
    parser.add_argument("--clinc-oos", type=int, default=100)
    parser.add_argument("--max-wrong-rate", type=float, default=0.05)
    return parser.parse_args()


def _limited(rows: list[tuple[str, str]], oos: list[str], per_label: int) -> tuple[list[tuple[str, str]], list[str]]:
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row[1]].append(row)
    rng = random.Random(SEED)
    kept = [r for label in sorted(by_label) for r in rng.sample(by_label[label], min(per_label, len(by_label[label])))]
    return kept, oos


def _stub_scripts(folder: Path, rows: list[tuple[str, str]]) -> Path:
    """One resolved one-step script per intent, so a route to the intent is a script route."""
    folder.mkdir(parents=True)
    examples: dict[str, list[str]] = defaultdict(list)
    for text, label in rows:
        examples[label].append(text)
    for label, texts in sorted(examples.items()):
        body = {
            "id": label,
            "title": label.replace("_", " "),
            "examples": texts[:3],
            "steps": [{"id": "reply", "say": f"(the {label} script's reply)", "end": "resolved"}],
        }
        (folder / f"{label}.yaml").write_text(json.dumps(body, indent=1), encoding="utf-8")  # JSON is valid YAML
    return folder


def _script_model(container: Container, work: Path, rows, oos, args) -> dict:
    data_file = work / "clinc_train.csv"
    with data_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    oos_file = work / "clinc_oos.txt"
    oos_file.write_text("\n".join(oos) + "\n", encoding="utf-8")
    data = gather_training_data(None, [data_file], [oos_file])  # `supportbot train --no-scripts --data ...`
    config = TrainingConfig(epochs=args.epochs, seed=SEED, confidence_score=args.confidence_score)
    key = hashlib.sha256(
        (data_file.read_text() + oos_file.read_text() + repr(config)).encode()
    ).hexdigest()[:16]
    cached = args.model_cache / key
    if (cached / "manifest.json").is_file():
        row = ScriptModelRegistry(container.sessions).register(cached, activate=True)
        return {"version": row.version, "reused": str(cached), "thresholds": row.thresholds}
    with _stage_progress() as progress:
        row = train_script_model(container.sessions, work / "models", data, config, progress)
    args.model_cache.mkdir(parents=True, exist_ok=True)
    shutil.copytree(row.path, cached)
    return {"version": row.version, "trained": True, "thresholds": row.thresholds, "metrics": row.metrics}


class _TfidfModel:
    """TF-IDF + logistic regression with the ScriptModel interface the router uses."""

    version = "tfidf-baseline"

    def __init__(self, rows, oos) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        examples = [LabelledExample(t, label) for t, label in rows]
        train, validation = stratified_split(examples, 0.1, SEED)
        train_oos, validation_oos = split_texts(oos, 0.5, SEED)
        texts = [e.text for e in train] + train_oos
        labels = [e.label for e in train] + ["out_of_scope"] * len(train_oos)
        self._vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self._model = LogisticRegression(C=20.0, max_iter=2000).fit(self._vectorizer.fit_transform(texts), labels)
        self._in_scope = np.flatnonzero(self._model.classes_ != "out_of_scope")
        self.labels = tuple(str(self._model.classes_[i]) for i in self._in_scope)
        self.thresholds = Thresholds(min_confidence=0.0, method="oos_validation")
        confidences = [self._scores(e.text)[1][0] for e in validation]
        oos_confidences = [self._scores(t)[1][0] for t in validation_oos]
        self.thresholds = calibrate_threshold(confidences, oos_confidences)

    def _scores(self, text: str):
        probabilities = self._model.predict_proba(self._vectorizer.transform([text]))[0][self._in_scope]
        order = np.argsort(-probabilities)[:5]
        return [self.labels[i] for i in order], probabilities[order]

    def predict(self, text: str) -> ScriptPrediction:
        labels, scores = self._scores(text)
        in_scope = bool(scores[0] >= self.thresholds.min_confidence)
        return ScriptPrediction(labels[0] if in_scope else None, float(scores[0]), 1 - float(scores[0]), in_scope,
                           tuple((label, float(s)) for label, s in zip(labels, scores)))


def _tfidf_strategy(rows, oos, container: Container) -> ScriptStrategy:
    return ScriptStrategy(_TfidfModel(rows, oos), ScriptEngine(container.scripts.scripts))


def _composition(cases) -> dict:
    return {
        "n": len(cases),
        "script": sum(1 for c in cases if c.expected_script),
        "documents": sum(1 for c in cases if c.expected_sources),
        "with_history": sum(1 for c in cases if c.history),
        "should_escalate": sum(1 for c in cases if c.should_escalate),
    }


def _progress(label: str):
    state = {"last": 0.0}

    def update(done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - state["last"] > 15:
            state["last"] = now
            console.print(f"  {label}: {done}/{total}")

    return update


class _stage_progress:
    def __enter__(self):
        return lambda stage, done, total: console.print(f"  {stage} {done}/{total}") if done == total else None

    def __exit__(self, *exc) -> None:
        return None


def _print_table(summary: dict) -> None:
    columns = [("script", summary.get("script")), ("retrieval", summary.get("retrieval")), ("router", summary.get("router")),
               ("router (TF-IDF baseline)", summary.get("baseline_tfidf_router"))]
    table = Table("metric", *[name for name, m in columns if m], title=f"{summary['n']} questions")
    for key in SHOWN:
        table.add_row(key, *[_fmt(key, m.get(key)) for _, m in columns if m])
    out = Console()
    out.print(table)
    out.print(f"set: {summary['figures']['set']}")
    out.print(f"timings (s): { {k: v for k, v in summary['figures'].items() if k.endswith('_s')} } total {summary['total_s']}")
    out.print(f"calibration: {summary['calibration']}")


def _fmt(key: str, value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if key.endswith("_ms") else f"{value:.3f}"


if __name__ == "__main__":
    main()
