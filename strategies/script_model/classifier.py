"""Inference: the encoder + cosine head network and the ScriptClassifier that wraps it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

TOP_K = 5
INFERENCE_BATCH = 64


@dataclass(frozen=True)
class Thresholds:
    """A message is in scope when its best script's probability is at least `min_confidence`."""

    min_confidence: float
    method: str = "in_scope_quantile"  # how min_confidence was chosen: "oos_validation" or "in_scope_quantile"
    validation_in_scope_rejection: float = 0.0  # share of in-scope validation messages below the threshold
    validation_oos_recall: float | None = None  # share of out-of-scope validation messages below it


@dataclass(frozen=True)
class ScriptPrediction:
    label: str | None  # None when out of scope
    confidence: float  # probability of the best in-scope label
    oos_score: float  # 1 - confidence: the higher, the more likely out of scope
    in_scope: bool
    ranked: tuple[tuple[str, float], ...]  # top in-scope labels with their probabilities, best first


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
        probabilities = self.probabilities(texts)
        return [self._prediction(row) for row in probabilities]

    def probabilities(self, texts: Sequence[str]) -> torch.Tensor:
        """In-scope label probabilities, one row per text, columns in `labels` order."""
        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        texts = [str(t) for t in texts]
        # Length-sorted batches so padding stays small; results are put back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = torch.empty(len(texts), len(self.labels))
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
                logits = self.network(encoded["input_ids"], encoded["attention_mask"])
                probs = torch.softmax(logits.float(), dim=-1)
                result[torch.tensor(batch)] = probs[:, self._in_scope_columns]
        return result

    def _prediction(self, probs: torch.Tensor) -> ScriptPrediction:
        labels = self.labels
        k = min(TOP_K, len(labels))
        top = torch.topk(probs, k)
        ranked = tuple((labels[i], float(p)) for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True))
        best_label, confidence = ranked[0]
        in_scope = confidence >= self.thresholds.min_confidence
        return ScriptPrediction(
            label=best_label if in_scope else None,
            confidence=confidence,
            oos_score=1.0 - confidence,
            in_scope=in_scope,
            ranked=ranked,
        )
