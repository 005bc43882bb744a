"""The question's adjacent word pairs found side by side in a chunk: a phrase signal BM25 lacks.

BM25 scores each word on its own, so a chunk that names "Learn Menu Screen" or "register
channels" as such ranks no higher than one where the same words are scattered. Questions
about a product often name a feature, a menu item or an error message in the docs' own
words, so the fusion also counts, per chunk, the question's distinct word pairs that occur
in it (`knowledge.fusion`). A pair of two function words ("how do", "of the") says nothing
about the topic and is left out; a pair with one ("turn off", "the remote") is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from knowledge.function_words import FUNCTION_WORDS

TOKEN = r"(?u)\b\w\w+\b"  # haystack's default BM25 tokenization, so pairs match the store's tokens
_TOKEN = re.compile(TOKEN)


def tokenize(text: str) -> list[str]:
    """Lowercased, NFC-normalised tokens of two or more word characters."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text.lower()))


def word_pairs(tokens: list[str]) -> set[str]:
    """Every adjacent pair of tokens, as "first second"."""
    return {f"{a} {b}" for a, b in zip(tokens, tokens[1:])}


def query_phrases(text: str) -> list[str]:
    """The question's distinct adjacent word pairs, in order, except pairs of function words."""
    tokens = tokenize(text)
    pairs = (
        f"{a} {b}" for a, b in zip(tokens, tokens[1:]) if not (a in FUNCTION_WORDS and b in FUNCTION_WORDS)
    )
    return list(dict.fromkeys(pairs))


def count_phrases(phrases: Iterable[str], text: str) -> int:
    """How many of `phrases` occur in `text` (each counted once)."""
    pairs = word_pairs(tokenize(text))
    return sum(phrase in pairs for phrase in set(phrases))
