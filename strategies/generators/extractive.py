"""The default writer: quotes the best supporting passages, each with its citation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from strategies.base import Evidence
from strategies.generators.base import Draft
from strategies.grounding import addresses_the_bot, split_sentences

Embed = Callable[[list[str]], list[list[float]]]


class ExtractiveWriter:
    name = "extractive"

    def __init__(
        self,
        embed: Embed,
        max_passages: int = 2,
        max_sentences: int = 3,
        similarity_margin: float = 0.12,
    ) -> None:
        self._embed = embed
        self.max_passages = max_passages
        self.max_sentences = max_sentences
        self.similarity_margin = similarity_margin

    def write(self, query: str, evidence: list[Evidence]) -> Draft:
        if not evidence:
            return Draft(text=None)
        best = max(e.similarity for e in evidence)
        chosen = [e for e in evidence if e.similarity >= best - self.similarity_margin][: self.max_passages]
        quotes = []
        quoted: list[str] = []  # overlapping chunks of one page share sentences: quote each once
        for item in chosen:
            # a chunk that starts inside a list has its items alone; the chunk before joined them to their intro
            sentences = [s for s in self._best_sentences(query, item.chunk.text) if not any(s in q for q in quoted)]
            quoted += sentences
            if sentences:
                quotes.append((item.rank, " ".join(sentences)))
        if not quotes:
            return Draft(text=None)
        lines = ["Here is what our help center says:"]
        for number, (_, quote) in enumerate(quotes, start=1):
            lines.append(f"> {quote} [{number}]")
        return Draft(text="\n\n".join(lines), citations={n: rank for n, (rank, _) in enumerate(quotes, start=1)})

    def _best_sentences(self, query: str, passage: str) -> list[str]:
        sentences = [s for s in split_sentences(passage) if not addresses_the_bot(s)]
        if len(sentences) <= self.max_sentences:
            return sentences
        vectors = np.asarray(self._embed([query, *sentences]))
        scores = vectors[1:] @ vectors[0]
        # Keep the best window of consecutive sentences: quotes read better unbroken.
        window = self.max_sentences
        sums = [scores[i:i + window].sum() for i in range(len(sentences) - window + 1)]
        start = int(np.argmax(sums))
        return sentences[start:start + window]
