"""Inference: the encoder + cosine head network and the ScriptClassifier that wraps it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from strategies.script_model.dataset import OUT_OF_SCOPE
from strategies.scripts.loader import normalised_example

TOP_K = 5
INFERENCE_BATCH = 64


SIMILARITY = "similarity"  # cosine between the message and its best script's prototype, in [-1, 1]
PROBABILITY = "probability"  # the best script's softmax probability, in [0, 1]
LOWEST_CONFIDENCE = {SIMILARITY: -1.0, PROBABILITY: 0.0}


@dataclass(frozen=True)
class Thresholds:
    """A message is in scope when its confidence is at least `min_confidence`.

    `score` says what confidence is. The trainer uses the similarity (`TrainingConfig.
    confidence_score`): at the same out-of-scope recall it kept more in-scope CLINC150 messages
    than the probability, and the router answered more of benchmarks/eval_strategies.py's set
    correctly. Artifacts saved before the field existed keep the probability."""

    min_confidence: float
    method: str = "in_scope_quantile"  # how min_confidence was chosen: "oos_validation" or "in_scope_quantile"
    validation_in_scope_rejection: float = 0.0  # share of in-scope validation messages below the threshold
    validation_oos_recall: float | None = None  # share of out-of-scope validation messages below it
    score: str = PROBABILITY


@dataclass(frozen=True)
class ScriptPrediction:
    label: str | None  # None when out of scope
    confidence: float  # the best in-scope label's score, of the kind `Thresholds.score` names
    oos_score: float  # 1 - confidence: the higher, the more likely out of scope
    in_scope: bool
    ranked: tuple[tuple[str, float], ...]  # top in-scope labels with their probabilities, best first
    # Set when a lead's correction of this very question decided: the script it needs, or OUT_OF_SCOPE.
    verdict: str | None = None


class EncoderClassifier(nn.Module):
    """Transformer encoder, mean pooling, and a cosine-similarity head (scaled logits).

    A cosine head keeps every class's logit on the same scale, which makes the maximum
    probability a better out-of-scope signal than an unconstrained linear layer."""

    def __init__(self, encoder: nn.Module, num_labels: int, scale: float):
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.head = nn.Linear(hidden, num_labels, bias=False)
        self.register_buffer("scale", torch.tensor(float(scale)))

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        embeddings = self.embed(input_ids, attention_mask)
        weights = nn.functional.normalize(self.head.weight, dim=-1)
        return self.scale * embeddings @ weights.T


@dataclass
class ScriptClassifier:
    """Picks the script (label) for a message, or says it is out of scope.

    `labels` are the in-scope labels; when the model was trained with an explicit
    out-of-scope class, `class_labels` also holds it (its probability mass lowers the
    in-scope confidence, it is never returned as a label)."""

    network: EncoderClassifier
    tokenizer: Any
    class_labels: tuple[str, ...]
    thresholds: Thresholds
    max_length: int
    out_of_scope_class: str | None = None
    version: str | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    data_hash: str = ""
    num_threads: int | None = None
    # normalised question -> label or OUT_OF_SCOPE: a lead's corrections, which the model's own
    # scores never overrule (the same question asked again gets what the lead said).
    verdicts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.network.eval()
        self._in_scope_columns = torch.tensor(
            [i for i, label in enumerate(self.class_labels) if label != self.out_of_scope_class]
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for label in self.class_labels if label != self.out_of_scope_class)

    def predict(self, text: str) -> ScriptPrediction:
        return self.predict_batch([text])[0]

    def predict_batch(self, texts: Sequence[str]) -> list[ScriptPrediction]:
        probabilities, similarities = self.scores(texts)
        predictions = [self._prediction(p, s) for p, s in zip(probabilities, similarities.tolist(), strict=True)]
        if not self.verdicts:
            return predictions
        return [self._with_verdict(p, self.verdicts.get(normalised_example(str(t)))) for p, t in zip(predictions, texts, strict=True)]

    def scores(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """In-scope label probabilities (one row per text, columns in `labels` order) and each
        text's cosine similarity to its best in-scope label."""
        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        texts = [str(t) for t in texts]
        # Length-sorted batches so padding stays small; results are put back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = torch.empty(len(texts), len(self.labels))
        similarity = torch.empty(len(texts))
        with torch.inference_mode():
            for start in range(0, len(order), INFERENCE_BATCH):
                batch = order[start : start + INFERENCE_BATCH]
                encoded = self.tokenizer(
                    [texts[i] for i in batch],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                logits = self.network(encoded["input_ids"], encoded["attention_mask"]).float()
                rows = torch.tensor(batch)
                result[rows] = torch.softmax(logits, dim=-1)[:, self._in_scope_columns]
                similarity[rows] = logits[:, self._in_scope_columns].max(dim=-1).values / self.network.scale
        return result, similarity

    def _prediction(self, probs: torch.Tensor, similarity: float) -> ScriptPrediction:
        labels = self.labels
        k = min(TOP_K, len(labels))
        top = torch.topk(probs, k)
        ranked = tuple((labels[i], float(p)) for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True))
        best_label, probability = ranked[0]
        confidence = similarity if self.thresholds.score == SIMILARITY else probability
        in_scope = confidence >= self.thresholds.min_confidence
        return ScriptPrediction(
            label=best_label if in_scope else None,
            confidence=confidence,
            oos_score=1.0 - confidence,
            in_scope=in_scope,
            ranked=ranked,
        )

    @staticmethod
    def _with_verdict(prediction: ScriptPrediction, verdict: str | None) -> ScriptPrediction:
        if verdict is None:
            return prediction
        in_scope = verdict != OUT_OF_SCOPE
        return replace(prediction, label=verdict if in_scope else None, in_scope=in_scope, verdict=verdict)
