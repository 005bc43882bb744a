"""Plain baselines for the script model benchmark: TF-IDF + linear SVM, frozen MiniLM + logistic regression.

Each baseline is trained on the same split as supportbot (out-of-scope examples, when there
are any, as one more class) and scores a text by its best in-scope class; its threshold is
calibrated on the same validation split with the same rule."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from benchmarks.script_model_data import Splits
from strategies.script_model import OUT_OF_SCOPE

# texts -> (best in-scope label, its score) per text
Scorer = Callable[[Sequence[str]], tuple[list[str], np.ndarray]]


@dataclass
class _Fitted:
    classes: np.ndarray
    decision: Callable[[Sequence[str]], np.ndarray]  # one column per class, higher is better

    def score(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        values = self.decision(texts)
        in_scope = np.flatnonzero(self.classes != OUT_OF_SCOPE)
        best = values[:, in_scope].argmax(axis=1)
        return [str(self.classes[in_scope[i]]) for i in best], values[:, in_scope].max(axis=1)


def _training_set(splits: Splits) -> tuple[list[str], list[str]]:
    texts = [e.text for e in splits.train] + splits.train_oos
    labels = [e.label for e in splits.train] + [OUT_OF_SCOPE] * len(splits.train_oos)
    return texts, labels


def tfidf_svm(splits: Splits) -> Scorer:
    texts, labels = _training_set(splits)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    model = LinearSVC(C=1.0).fit(vectorizer.fit_transform(texts), labels)
    return _Fitted(model.classes_, lambda t: model.decision_function(vectorizer.transform(list(t)))).score


def frozen_lr(splits: Splits, encode: Callable[[Sequence[str]], np.ndarray]) -> Scorer:
    texts, labels = _training_set(splits)
    model = LogisticRegression(C=10.0, max_iter=2000).fit(encode(texts), labels)
    return _Fitted(model.classes_, lambda t: model.predict_proba(encode(t))).score


def minilm_encoder(model_path: str) -> Callable[[Sequence[str]], np.ndarray]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
    cache: dict[str, np.ndarray] = {}

    def encode(texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            vectors = model.encode(missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
            cache.update(zip(missing, vectors, strict=True))
        return np.stack([cache[t] for t in texts])

    return encode
