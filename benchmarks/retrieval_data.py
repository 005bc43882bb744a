"""Reads the retrieval datasets (doc2dial, the TV e-manual QA) into corpora of plain-text
pages and questions whose gold answer is a set of page files.

Each corpus is written out as a folder of `.txt` pages (first line the title, a blank line,
then the text), so the benchmark syncs it the way an admin would sync a folder source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Turn:
    role: str  # "user" or "bot"
    text: str


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    gold: frozenset[str]  # page file names that count as a hit
    history: tuple[Turn, ...] = ()


@dataclass
class Corpus:
    name: str
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # file name -> (title, text)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, (title, text) in self.pages.items():
            (folder / name).write_text(f"{title}\n\n{text.strip()}\n", encoding="utf-8")
        return folder


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


_DOC2DIAL_SUFFIX = re.compile(r"#\d+_\d+$")


def load_doc2dial(documents: Path, questions: Path) -> tuple[Corpus, list[Query], list[Query]]:
    """Returns the corpus, the first-turn questions and the follow-up questions.

    Documents with identical text (the two SSA "Benefits Planner" pages) are one answer:
    a hit on either counts."""
    corpus = Corpus("doc2dial")
    file_of: dict[str, str] = {}
    files_with_text: dict[str, set[str]] = {}
    for i, doc in enumerate(_jsonl(documents)):
        name = f"d{i:04d}.txt"
        file_of[doc["doc_id"]] = name
        files_with_text.setdefault(doc["text"].strip(), set()).add(name)
        corpus.pages[name] = (_DOC2DIAL_SUFFIX.sub("", doc["doc_id"]).strip(), doc["text"])
    equivalent = {name: frozenset(group) for group in files_with_text.values() for name in group}

    first, followup = [], []
    for row in _jsonl(questions):
        gold = equivalent[file_of[row["doc_id"]]]
        history = tuple(
            Turn("user" if t["role"] == "user" else "bot", t["text"]) for t in row.get("history", [])
        )
        query = Query(row["id"], row["question"], gold, history)
        (followup if history else first).append(query)
    return corpus, first, followup


def load_emanual(sections: Path, qa: Path) -> tuple[Corpus, list[Query]]:
    """Questions with no `sections_containing_answer` are left out."""
    corpus = Corpus("emanual")
    file_of: dict[str, str] = {}
    data = json.loads(sections.read_text(encoding="utf-8"))
    for i, (key, section) in enumerate(data.items()):
        name = f"s{i:04d}.txt"
        file_of[section.get("id", key)] = name
        file_of[key] = name
        corpus.pages[name] = (section["title"].strip(), " ".join(section["text"]))
    queries = [
        Query(row["qa_id"], row["question"], frozenset(file_of[s] for s in row["sections_containing_answer"]))
        for row in _jsonl(qa)
        if row.get("sections_containing_answer")
    ]
    return corpus, queries
