"""The replayed retrieval answer at any threshold is the answer the real strategy gives at it."""

from __future__ import annotations

import pytest

from strategies.base import HistoryTurn, Question
from strategies.evaluation.replay import Meter, ReplayedRetrieval
from strategies.retrieval_strategy import RetrievalStrategy

QUESTIONS = [
    Question("How much does Pro cost?"),
    Question("how often does it refresh?", (HistoryTurn("user", "How do I connect my bank?"),)),
    Question("what's the best pizza place in Rome?"),
]


@pytest.mark.parametrize("threshold", [0.2, 0.45, 0.6, 0.9])
def test_replay_matches_the_strategy(shared_synced, threshold):
    live = RetrievalStrategy(shared_synced.retriever, min_similarity=threshold)
    replayed = ReplayedRetrieval(RetrievalStrategy(shared_synced.retriever, min_similarity=0.45), Meter(), threshold)
    for question in QUESTIONS:
        expected, got = live.answer(question), replayed.answer(question)
        assert got.text == expected.text
        assert got.abstained == expected.abstained
        assert [(e.chunk.id, e.citation) for e in got.evidence] == [(e.chunk.id, e.citation) for e in expected.evidence]
        assert got.scores == expected.scores
        if expected.abstained:
            assert (got.abstain_reason or "")[:13] == (expected.abstain_reason or "")[:13]
