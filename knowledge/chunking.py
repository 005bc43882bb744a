"""Heading-aware chunking: a chunk never crosses a section boundary and always carries the
page title and its section path, so a passage stays meaningful when retrieved alone.

Consecutive chunks of a long section may share up to `overlap_words` words (whole
paragraphs or sentences), so a passage that straddles a chunk boundary is still found
whole in one chunk.
"""

from __future__ import annotations

import re

from knowledge.documents import Chunk, SourceDocument, chunk_id

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def chunk_document(
    document: SourceDocument, source: str, max_words: int = 100, overlap_words: int = 0
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in document.sections:
        section_name = " > ".join(section.headings)
        for text in _split_words(section.text, max_words, overlap_words):
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    id=chunk_id(source, document.key, document.content_hash, ordinal),
                    document_key=document.key,
                    content_hash=document.content_hash,
                    ordinal=ordinal,
                    title=document.title,
                    section=section_name,
                    text=text,
                    url=document.url,
                    source=source,
                )
            )
    return chunks


def _units(text: str, max_words: int) -> list[str]:
    """Paragraphs that fit in `max_words`, else their sentences, else slices of words."""
    units: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph.split()) <= max_words:
            units.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            words = sentence.split()
            for start in range(0, len(words), max_words):
                units.append(" ".join(words[start:start + max_words]))
    return units


def _split_words(text: str, max_words: int, overlap_words: int = 0) -> list[str]:
    """Pack units into pieces of at most `max_words`; each piece after the first starts with
    the previous piece's last units that fit in `overlap_words`."""
    units = _units(text, max_words)
    sizes = [len(unit.split()) for unit in units]
    pieces: list[str] = []
    start = 0
    while start < len(units):
        end, count = start, 0
        while end < len(units) and (end == start or count + sizes[end] <= max_words):
            count += sizes[end]
            end += 1
        pieces.append("\n".join(units[start:end]))
        if end == len(units):
            break
        start = _overlap_start(sizes, start, end, overlap_words)
    return pieces


def _overlap_start(sizes: list[int], start: int, end: int, overlap_words: int) -> int:
    """The first unit of the next piece: units before `end` whose words fit in the overlap,
    always leaving the next piece at least one new unit."""
    next_start, shared = end, 0
    while next_start - 1 > start and shared + sizes[next_start - 1] <= overlap_words:
        next_start -= 1
        shared += sizes[next_start]
    return next_start
