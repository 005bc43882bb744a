"""Script model benchmark: supportbot's fine-tuned classifier against two plain baselines.

    python benchmarks/script_model.py [--banking77-train F] [--banking77-test F]
                                      [--clinc150 F] [--clinc150-test F] [--limit-per-label N]

BANKING77 (`text,category` CSV): without a test file, 10% of train.csv (stratified, seeded)
is held out as the test. CLINC150 (`train`, `val`, `oos_train`, `oos_val` lists of
[text, intent]): without a test file (`test`, `oos_test`), `val` + `oos_val` is the test.
In both cases another 10% of the training data (and half of `oos_train`) is held out for
calibrating the out-of-scope threshold; with a CLINC150 test file, `val` + `oos_val` is the
calibration split instead.

supportbot is trained by `train_classifier`, saved and loaded back as an artifact, and
evaluated through `ScriptClassifier.predict_batch`; latency is `predict` on one message at
a time. Baselines: TF-IDF + LinearSVC, frozen all-MiniLM-L6-v2 embeddings + logistic
regression. Figures: BANKING77 accuracy (top label); CLINC150 in-scope accuracy (a
rejected in-scope message counts as wrong) and out-of-scope recall at the threshold
calibrated on the validation split, and AUROC of the out-of-scope score. The score the
threshold applies to is supportbot's confidence (`--confidence-score`: the cosine similarity
to the best label, or the top probability) and each baseline's top score. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench_env import DATA  # first: offline models, the repository on sys.path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from benchmarks import script_model_baselines as baselines
from benchmarks.script_model_data import SEED, Splits, banking77, clinc150
from strategies.script_model import (
    ScriptClassifier,
    TrainingConfig,
    auroc,
    calibrate_threshold,
    load_classifier,
    save_classifier,
    train_classifier,
)
from strategies.script_model.classifier import LOWEST_CONFIDENCE
from strategies.script_model.trainer import default_encoder_path

console = Console(stderr=True)


def evaluate(
    splits: Splits, labels: Sequence[str], confidence: np.ndarray, oos_confidence: np.ndarray, threshold: float
) -> dict[str, float]:
    correct = np.array([p == e.label for p, e in zip(labels, splits.test, strict=True)])
    if not splits.test_oos:
        return {"accuracy": float(correct.mean())}
    return {
        "in_scope_accuracy": float((correct & (confidence >= threshold)).mean()),
        "oos_recall": float((oos_confidence < threshold).mean()),
        "auroc": auroc(-confidence, -oos_confidence),
        "accuracy_without_rejection": float(correct.mean()),
        "threshold": float(threshold),
    }


def run_baseline(splits: Splits, scorer: baselines.Scorer, target_oos_recall: float) -> dict[str, float]:
    labels, confidence = scorer([e.text for e in splits.test])
    oos_confidence = scorer(splits.test_oos)[1] if splits.test_oos else np.zeros(0)
    threshold = 0.0
    if splits.validation and splits.test_oos:
        _, val_confidence = scorer([e.text for e in splits.validation])
        val_oos = scorer(splits.validation_oos)[1] if splits.validation_oos else np.zeros(0)
        threshold = calibrate_threshold(val_confidence, val_oos, target_oos_recall=target_oos_recall).min_confidence
    return evaluate(splits, labels, confidence, oos_confidence, threshold)


def run_supportbot(
    splits: Splits, config: TrainingConfig, latency_samples: int, recall_sweep: Sequence[float] = ()
) -> dict[str, float]:
    with Progress(
        TextColumn("{task.description:>14}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("starting", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        started = time.perf_counter()
        trained = train_classifier(
            splits.train,
            out_of_scope=splits.train_oos,
            validation=splits.validation,
            validation_out_of_scope=splits.validation_oos,
            config=config,
            progress=progress,
        )
        train_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        classifier = load_classifier(save_classifier(trained, Path(tmp) / "benchmark", version="benchmark"))
    console.print(f"  thresholds: {classifier.thresholds}")
    console.print(f"  validation metrics: {json.dumps(dict(classifier.metrics))}")
    predictions = classifier.predict_batch([e.text for e in splits.test])
    oos_predictions = classifier.predict_batch(splits.test_oos) if splits.test_oos else []
    result = evaluate(
        splits,
        [p.ranked[0][0] for p in predictions],
        np.array([p.confidence for p in predictions]),
        np.array([p.confidence for p in oos_predictions]),
        classifier.thresholds.min_confidence,
    )
    p50, p95 = single_message_latency(classifier, [e.text for e in splits.test][:latency_samples])
    figures = {**result, "train_s": round(train_s, 1), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2)}
    if recall_sweep and splits.test_oos and splits.validation_oos:
        figures["recall_sweep"] = sweep_recall_targets(classifier, splits, predictions, oos_predictions, recall_sweep)
    return figures


def sweep_recall_targets(
    classifier: ScriptClassifier, splits: Splits, predictions, oos_predictions, targets: Sequence[float]
) -> dict[str, dict[str, float]]:
    """The same trained model calibrated for other out-of-scope recall targets: the trade-off."""
    val_confidence = [p.confidence for p in classifier.predict_batch([e.text for e in splits.validation])]
    val_oos_confidence = [p.confidence for p in classifier.predict_batch(splits.validation_oos)]
    confidence = np.array([p.confidence for p in predictions])
    oos_confidence = np.array([p.confidence for p in oos_predictions])
    labels = [p.ranked[0][0] for p in predictions]
    sweep = {}
    for target in targets:
        threshold = calibrate_threshold(val_confidence, val_oos_confidence, target_oos_recall=target).min_confidence
        figures = evaluate(splits, labels, confidence, oos_confidence, threshold)
        sweep[f"{target:g}"] = {k: figures[k] for k in ("in_scope_accuracy", "oos_recall", "threshold")}
        console.print(f"  target recall {target:g}: in-scope {figures['in_scope_accuracy']:.2%}, "
                      f"oos recall {figures['oos_recall']:.2%}, threshold {threshold:.3f}")
    return sweep


def single_message_latency(classifier: ScriptClassifier, texts: Sequence[str]) -> tuple[float, float]:
    for text in texts[:10]:
        classifier.predict(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        classifier.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(timings, n=20)
    return statistics.median(timings), quantiles[18]


def report(name: str, splits: Splits, results: dict[str, dict[str, float]]) -> None:
    columns = sorted({key for r in results.values() for key, value in r.items() if not isinstance(value, dict)}, key=lambda k: list(_ORDER).index(k) if k in _ORDER else 99)
    table = Table(title=f"{name}: train {len(splits.train)} (+{len(splits.train_oos)} oos), "
                  f"validation {len(splits.validation)} (+{len(splits.validation_oos)} oos), "
                  f"test {len(splits.test)} (+{len(splits.test_oos)} oos) from {splits.test_source}")
    table.add_column("method")
    for column in columns:
        table.add_column(column, justify="right")
    for method, figures in results.items():
        table.add_row(method, *(_format(column, figures.get(column)) for column in columns))
    console.print(table)


_ORDER = ("accuracy", "in_scope_accuracy", "oos_recall", "auroc", "accuracy_without_rejection", "threshold",
          "train_s", "p50_ms", "p95_ms")


def _format(column: str, value: float | None) -> str:
    if value is None:
        return "-"
    if column in ("accuracy", "in_scope_accuracy", "oos_recall", "accuracy_without_rejection"):
        return f"{value:.2%}"
    return f"{value:.3f}" if column in ("auroc", "threshold") else f"{value:g}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--banking77-train", type=Path, default=DATA / "banking77" / "train.csv")
    parser.add_argument("--banking77-test", type=Path)
    parser.add_argument("--clinc150", type=Path, default=DATA / "clinc150" / "data_full_trainval.json")
    parser.add_argument("--clinc150-test", type=Path)
    parser.add_argument("--datasets", default="banking77,clinc150", help="comma-separated subset to run")
    parser.add_argument("--limit-per-label", type=int, help="train on at most N examples per label (smoke runs)")
    parser.add_argument("--split-seed", type=int, default=SEED,
                        help="seed of the held-out splits carved from the training data (to see how much a figure moves with the split)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--max-length", type=int)
    parser.add_argument("--target-oos-recall", type=float, help="share of out-of-scope validation messages to turn away")
    parser.add_argument("--label-smoothing", type=float)
    parser.add_argument("--head-learning-rate", type=float)
    parser.add_argument("--unfreeze-word-embeddings", action="store_true", help="fine-tune the word embeddings too")
    parser.add_argument("--recall-sweep", help="comma-separated other recall targets to report for the same model")
    parser.add_argument("--confidence-score", choices=sorted(LOWEST_CONFIDENCE),
                        help="what the out-of-scope threshold applies to (TrainingConfig.confidence_score)")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--latency-samples", type=int, default=300)
    args = parser.parse_args(argv)

    overrides = {
        field: value
        for field, value in (
            ("epochs", args.epochs), ("batch_size", args.batch_size),
            ("learning_rate", args.learning_rate), ("max_length", args.max_length),
            ("target_oos_recall", args.target_oos_recall), ("label_smoothing", args.label_smoothing),
            ("head_learning_rate", args.head_learning_rate), ("confidence_score", args.confidence_score),
            ("freeze_word_embeddings", False if args.unfreeze_word_embeddings else None),
        )
        if value is not None
    }
    config = replace(TrainingConfig(), **overrides)
    console.print(f"training config: {config}")
    encode = None if args.no_baselines else baselines.minilm_encoder(default_encoder_path())
    loaders = {
        "banking77": lambda: banking77(args.banking77_train, args.banking77_test, args.limit_per_label, args.split_seed),
        "clinc150": lambda: clinc150(args.clinc150, args.clinc150_test, args.limit_per_label, args.split_seed),
    }
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for name in args.datasets.split(","):
        splits = loaders[name]()
        console.rule(name)
        results: dict[str, dict[str, float]] = {}
        if encode is not None:
            results["tfidf_svm"] = run_baseline(splits, baselines.tfidf_svm(splits), config.target_oos_recall)
            results["frozen_lr"] = run_baseline(splits, baselines.frozen_lr(splits, encode), config.target_oos_recall)
        sweep = [float(t) for t in args.recall_sweep.split(",")] if args.recall_sweep else []
        results["supportbot"] = run_supportbot(splits, config, args.latency_samples, sweep)
        report(name, splits, results)
        summary[name] = results
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
