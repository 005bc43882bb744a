"""Evaluation cases from the public data formats in shared/data (see its README):

- doc2dial (`documents.jsonl`, `questions_*.jsonl`): document questions, first turns and
  follow-ups with their dialogue history; the expected source is the gold page, written as a
  folder of `.txt` pages (`doc2dial_pages`) whose file names are the document keys after a sync.
- CLINC150 (`data_full_trainval.json`): in-scope intent questions (expected script = the
  intent label) and out-of-scope questions (no script, should escalate).

Samples are drawn with a fixed seed, so the same arguments give the same set.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from pathlib import Path

from strategies.evaluation.cases import EvalCase, EvalSetError, HistoryItem

_DOC2DIAL_SUFFIX = re.compile(r"#\d+_\d+$")
_SLUG = re.compile(r"[^a-z0-9]+")
CLINC_OOS = "oos"
SEED = 13


def doc2dial_key(doc_id: str) -> str:
    """The page file name (document key) for a doc2dial document id, readable and unique."""
    return _SLUG.sub("-", doc_id.lower()).strip("-")[:150] + ".txt"


def doc2dial_pages(documents: Path) -> dict[str, tuple[str, str]]:
    """file name -> (title, text) for every document; write each as `title\\n\\ntext`."""
    pages: dict[str, tuple[str, str]] = {}
    for doc in _jsonl(documents):
        key = doc2dial_key(doc["doc_id"])
        if key in pages:
            raise EvalSetError(documents, None, f"two documents map to the page name {key!r}")
        pages[key] = (_DOC2DIAL_SUFFIX.sub("", doc["doc_id"]).strip(), doc["text"])
    return pages


def write_pages(pages: dict[str, tuple[str, str]], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, text) in pages.items():
        (folder / name).write_text(f"{title}\n\n{text.strip()}\n", encoding="utf-8")
    return folder


def doc2dial_cases(documents: Path, questions: Path, first_turns: int, followups: int, seed: int = SEED) -> list[EvalCase]:
    """Documents with identical text (the two SSA "Benefits Planner" twins) are both expected:
    a hit on either counts."""
    twins: dict[str, list[str]] = defaultdict(list)
    key_of: dict[str, str] = {}
    for doc in _jsonl(documents):
        key_of[doc["doc_id"]] = doc2dial_key(doc["doc_id"])
        twins[doc["text"].strip()].append(key_of[doc["doc_id"]])
    equivalent = {key: tuple(sorted(group)) for group in twins.values() for key in group}
    first, later = [], []
    for number, row in enumerate(_jsonl(questions), start=1):
        if row.get("doc_id") not in key_of:
            raise EvalSetError(questions, number, f"doc_id {row.get('doc_id')!r} is not in {documents.name}")
        case = EvalCase(
            id=f"doc2dial-{row['id']}",
            question=row["question"],
            expected_script=None,
            history=tuple(
                HistoryItem("user" if t["role"] == "user" else "bot", t["text"]) for t in row.get("history", [])
            ),
            expected_sources=equivalent[key_of[row["doc_id"]]],
            note=f"doc2dial {row.get('domain', '')}",
        )
        (later if case.history else first).append(case)
    rng = random.Random(seed)
    return _sample(first, first_turns, rng) + _sample(later, followups, rng)


def clinc150_cases(trainval: Path, in_scope: int, out_of_scope: int, split: str = "val", seed: int = SEED) -> list[EvalCase]:
    """`in_scope` questions spread evenly over the intents, and `out_of_scope` ones, from `split`
    (`val` by default: the model trains on `train`)."""
    data = json.loads(Path(trainval).read_text(encoding="utf-8"))
    if split not in data or f"oos_{split}" not in data:
        raise EvalSetError(trainval, None, f"no {split!r} / 'oos_{split}' lists in the file")
    rng = random.Random(seed)
    by_intent: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, (text, intent) in enumerate(data[split]):
        by_intent[intent].append((i, text))
    for items in by_intent.values():
        rng.shuffle(items)
    picked: list[tuple[int, str, str]] = []
    intents = sorted(by_intent)
    depth = 0
    while len(picked) < in_scope and any(len(by_intent[i]) > depth for i in intents):
        for intent in intents:
            if len(picked) < in_scope and len(by_intent[intent]) > depth:
                index, text = by_intent[intent][depth]
                picked.append((index, text, intent))
        depth += 1
    cases = [
        EvalCase(id=f"clinc-{split}-{index}", question=text, expected_script=intent, note="clinc150 in scope")
        for index, text, intent in sorted(picked)
    ]
    oos = [(i, text) for i, (text, _) in enumerate(data[f"oos_{split}"])]
    for index, text in sorted(_sample(oos, out_of_scope, rng)):
        cases.append(
            EvalCase(
                id=f"clinc-oos_{split}-{index}", question=text, expected_script=None, should_escalate=True,
                note="clinc150 out of scope",
            )
        )
    return cases


def clinc150_training_rows(trainval: Path, split: str = "train") -> tuple[list[tuple[str, str]], list[str]]:
    """(text, intent) rows and out-of-scope texts of a split, for training the script model."""
    data = json.loads(Path(trainval).read_text(encoding="utf-8"))
    return [(t, label) for t, label in data[split]], [t for t, _ in data[f"oos_{split}"]]


def _sample(items: list, count: int, rng: random.Random) -> list:
    return list(items) if count >= len(items) else rng.sample(items, count)


def _jsonl(path: Path) -> list[dict]:
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise EvalSetError(path, number, f"not valid JSON ({exc.msg})") from None
    return rows
