"""Labelled training examples: loading CSV/JSONL files, stratified splits, a stable data hash."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

OUT_OF_SCOPE = "out_of_scope"
LABEL_COLUMNS = ("label", "category")  # BANKING77's train.csv calls its label column "category"


@dataclass(frozen=True)
class LabelledExample:
    text: str
    label: str


class DatasetError(ValueError):
    """A data file that cannot be used; the message names the file and the line."""

    def __init__(self, path: Path, line: int | None, problem: str):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


def load_labelled_file(path: Path) -> list[LabelledExample]:
    """Read `text,label` rows from a CSV file (with a header) or `{"text", "label"}` objects from JSONL."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, None, "file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        examples = _load_csv(path)
    elif suffix in (".jsonl", ".ndjson"):
        examples = _load_jsonl(path)
    else:
        raise DatasetError(path, None, f"unsupported file type {suffix!r} (use .csv or .jsonl)")
    if not examples:
        raise DatasetError(path, None, "no examples in the file")
    return examples


def _load_csv(path: Path) -> list[LabelledExample]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or ()]
        reader.fieldnames = columns
        label_column = next((c for c in LABEL_COLUMNS if c in columns), None)
        if "text" not in columns or label_column is None:
            raise DatasetError(path, 1, f"the header must have a 'text' and a 'label' column, found {columns}")
        examples = []
        for row in reader:
            line = reader.line_num
            examples.append(_example(path, line, row.get("text"), row.get(label_column)))
        return examples


def _load_jsonl(path: Path) -> list[LabelledExample]:
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise DatasetError(path, line_number, f"invalid JSON: {error.msg}") from None
            if not isinstance(record, dict):
                raise DatasetError(path, line_number, 'expected an object like {"text": ..., "label": ...}')
            for key in ("text", "label"):
                if key not in record:
                    raise DatasetError(path, line_number, f"missing {key!r}")
            examples.append(_example(path, line_number, record["text"], record["label"]))
    return examples


def _example(path: Path, line: int, text: object, label: object) -> LabelledExample:
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(path, line, "empty text")
    if isinstance(label, int | float) and not isinstance(label, bool):
        label = str(label)
    if not isinstance(label, str) or not label.strip():
        raise DatasetError(path, line, "empty label")
    return LabelledExample(text=text.strip(), label=label.strip())


def stratified_split(
    examples: Sequence[LabelledExample], fraction: float, seed: int
) -> tuple[list[LabelledExample], list[LabelledExample]]:
    """Hold out about `fraction` of each label (at least one when the label has two or more
    examples, never its last one) as a dev split; returns (train, dev) in the input's order."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be in [0, 1), got {fraction}")
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        by_label[example.label].append(index)
    rng = random.Random(seed)
    held_out: set[int] = set()
    for label in sorted(by_label):
        indices = by_label[label]
        count = round(len(indices) * fraction)
        if fraction > 0 and len(indices) >= 2:
            count = max(count, 1)
        count = min(count, len(indices) - 1)
        held_out.update(rng.sample(indices, count) if count > 0 else ())
    train = [e for i, e in enumerate(examples) if i not in held_out]
    dev = [e for i, e in enumerate(examples) if i in held_out]
    return train, dev


def split_texts(texts: Sequence[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Hold out about `fraction` of unlabelled texts (e.g. out-of-scope examples); (train, dev)."""
    train, dev = stratified_split([LabelledExample(t, OUT_OF_SCOPE) for t in texts], fraction, seed)
    return [e.text for e in train], [e.text for e in dev]


def training_data_hash(examples: Iterable[LabelledExample], oos: Iterable[str] = ()) -> str:
    """sha256 of the data as a set: the same examples in any order give the same hash."""
    canonical = {
        "examples": sorted([e.text, e.label] for e in examples),
        "out_of_scope": sorted(oos),
    }
    payload = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
