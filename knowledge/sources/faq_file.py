"""An FAQ file of question/answer pairs: CSV (header question,answer[,url]), JSON or YAML
(a list of mappings, or a mapping with a `faqs`/`questions` list). Each pair is a document
keyed by its question, so editing an answer creates a new version of the same entry."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.documents import LoadProblem, Section, SourceDocument
from knowledge.parsing import ParseError, clean_text, decode_utf8
from knowledge.sources.base import LoadResult, SourceError

@dataclass(frozen=True)
class _Malformed:
    reason: str


_FORMATS = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def load_faq_file(path: Path, base_url: str | None = None) -> LoadResult:
    if not path.exists():
        raise SourceError(f"FAQ file {path} does not exist")
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"FAQ file {path} must end in .csv, .json, .yaml or .yml")
    result = LoadResult()
    try:
        text = decode_utf8(path.read_bytes())
        records = _read_records(text, fmt)
    except (ParseError, ValueError, yaml.YAMLError) as exc:
        result.problems.append(LoadProblem(str(path), _one_line(exc)))
        return result
    seen: set[str] = set()
    for where, record in records:
        location = f"{path}:{where}"
        if isinstance(record, _Malformed):
            result.problems.append(LoadProblem(location, record.reason))
            continue
        if not isinstance(record, dict):
            result.problems.append(LoadProblem(location, "entry is not a mapping with question and answer"))
            continue
        question = clean_text(str(record.get("question") or ""))
        answer = clean_text(str(record.get("answer") or ""))
        if not question or not answer:
            missing = "question" if not question else "answer"
            result.problems.append(LoadProblem(location, f"entry has no {missing}"))
            continue
        key = f"faq/{_slug(question)}"
        if key in seen:
            result.problems.append(LoadProblem(location, f"duplicate question {question!r}"))
            continue
        seen.add(key)
        url = record.get("url") or (f"{base_url.rstrip('/')}#{_slug(question)}" if base_url else None)
        result.documents.append(
            SourceDocument(
                key=key,
                title=question,
                sections=(Section(headings=(), text=answer),),
                url=str(url) if url else None,
                content_type="application/x-faq",
            )
        )
    return result


def _read_records(text: str, fmt: str) -> list[tuple[str, object]]:
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text), strict=True)
        if not reader.fieldnames or not {"question", "answer"} <= {f.strip().lower() for f in reader.fieldnames}:
            raise ValueError("CSV header must name the columns question and answer")
        records = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return records
            except csv.Error as exc:
                raise ValueError(f"line {reader.line_num}: malformed CSV ({exc})") from None
            normalized = {(k or "").strip().lower(): v for k, v in row.items()}
            if None in row:
                records.append((f"line {reader.line_num}", _Malformed("row has more fields than the header")))
                continue
            records.append((f"line {reader.line_num}", normalized))
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    if isinstance(data, dict):
        data = data.get("faqs", data.get("questions"))
    if not isinstance(data, list):
        raise ValueError("expected a list of {question, answer} entries")
    return [(f"entry {i + 1}", record) for i, record in enumerate(data)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "entry"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
