"""Heading-aware chunking: a chunk never crosses a section boundary and always carries the
page title and its section path, so a passage stays meaningful when retrieved alone."""

from __future__ import annotations

import re

from knowledge.documents import Chunk, SourceDocument, chunk_id

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def chunk_document(document: SourceDocument, source: str, max_words: int = 100) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in document.sections:
        section_name = " > ".join(section.headings)
        for text in _split_words(section.text, max_words):
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


def _split_words(text: str, max_words: int) -> list[str]:
    """Pack paragraphs (then sentences, then words) into pieces of at most `max_words`."""
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
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for unit in units:
        n = len(unit.split())
        if current and count + n > max_words:
            pieces.append("\n".join(current))
            current, count = [], 0
        current.append(unit)
        count += n
    if current:
        pieces.append("\n".join(current))
    return pieces
