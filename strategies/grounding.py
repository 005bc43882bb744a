"""Checks that keep answers grounded: sentence splitting, whether a sentence is supported by
the evidence, and spotting text in a document that addresses the bot instead of the reader
(documents are data: such sentences are never quoted)."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)\s+(?=[A-Z0-9\"'(\[])")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*+•])\s+")  # "1. ", "2) ", "- ": not a sentence of its own
_MAX_JOINED_CHARS = 400  # a list joined to its introduction stays a quotable sentence
_WORD = re.compile(r"[a-z0-9]+")
_CITATION = re.compile(r"\[(\d{1,2})\]")
_STOPWORDS = frozenset(
    "a an the and or but if then of to in on at by for with from as is are was were be been it its this that "
    "these those you your we our they their he she i me my can could should would will may might do does did "
    "not no so than too very just also there here what which who how when where why all any each more most "
    "such only own same into over under about after before up down out off again once".split()
)
_ADDRESSES_THE_BOT = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(previous|prior|above|earlier|all)\b.{0,20}\b(instructions?|rules?|prompts?)\b"
    r"|\b(system prompt|you are now|as an ai|automated assistants?|language models?)\b",
    re.IGNORECASE,
)


def split_sentences(text: str) -> list[str]:
    """Each line's sentences. A list item's marker is dropped, so quoted steps read as prose
    ("Go to Settings. Click Export.", not "Go to Settings. 2. Click Export."), and the short items
    of a list introduced by a line ending in ":" stay with it as one sentence ("It sends a
    reminder: 3 days before; on the due date"), so a quote never keeps the intro without its items."""
    sentences: list[str] = []
    intro: int | None = None  # index of the sentence whose list is being joined to it
    intro_indent = -1  # a list item that introduces a list: only items nested under it join
    for line in text.split("\n"):
        marker = _LIST_MARKER.match(line)
        parts = [s.strip() for s in _SENTENCE.split(line[marker.end():] if marker else line) if s.strip()]
        if not parts:
            continue
        indent = len(line) - len(line.lstrip()) if marker else -1
        item = " ".join(parts)
        if (marker and intro is not None and indent > intro_indent
                and len(sentences[intro]) + len(item) <= _MAX_JOINED_CHARS):
            sentences[intro] += ("; " if not sentences[intro].endswith(":") else " ") + item
            continue
        sentences += parts
        intro, intro_indent = (len(sentences) - 1, indent) if parts[-1].endswith(":") else (None, -1)
    return sentences


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1}


def cited_numbers(text: str) -> list[int]:
    return [int(n) for n in _CITATION.findall(text)]


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text).strip()


def addresses_the_bot(sentence: str) -> bool:
    return bool(_ADDRESSES_THE_BOT.search(sentence))


def is_supported(sentence: str, evidence_texts: list[str], min_overlap: float = 0.6) -> bool:
    """A sentence is supported when most of its content words occur in the evidence."""
    words = content_words(strip_citations(sentence))
    if not words:
        return True
    evidence_words: set[str] = set()
    for text in evidence_texts:
        evidence_words |= content_words(text)
    return len(words & evidence_words) / len(words) >= min_overlap


def unsupported_sentences(answer: str, evidence_texts: list[str], min_overlap: float = 0.6) -> list[str]:
    return [s for s in split_sentences(answer) if not is_supported(s, evidence_texts, min_overlap)]
