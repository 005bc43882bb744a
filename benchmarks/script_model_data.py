"""BANKING77 and CLINC150 as train / validation / test splits for the script model benchmark."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from strategies.script_model import LabelledExample, load_labelled_file, split_texts, stratified_split

CLINC_OOS_LABEL = "oos"
SEED = 13
DEV_FRACTION = 0.1  # BANKING77 has no dev split: this share of train.csv is held out as the test
VALIDATION_FRACTION = 0.1  # of the training data, held out for calibration
OOS_VALIDATION_FRACTION = 0.5


@dataclass
class Splits:
    train: list[LabelledExample]
    train_oos: list[str]
    validation: list[LabelledExample]
    validation_oos: list[str]
    test: list[LabelledExample]
    test_oos: list[str]
    test_source: str


def banking77(train_file: Path, test_file: Path | None, limit_per_label: int | None, seed: int = SEED) -> Splits:
    examples = load_labelled_file(train_file)
    if test_file is not None:
        test, source = load_labelled_file(test_file), str(test_file)
    else:
        examples, test = stratified_split(examples, DEV_FRACTION, seed)
        source = f"{DEV_FRACTION:.0%} of {train_file.name} (stratified, seed {seed})"
    examples = _limit(examples, limit_per_label, seed)
    train, validation = stratified_split(examples, VALIDATION_FRACTION, seed)
    return Splits(train, [], validation, [], test, [], source)


def clinc150(trainval_file: Path, test_file: Path | None, limit_per_label: int | None, seed: int = SEED) -> Splits:
    data = json.loads(trainval_file.read_text())
    train_all = _limit(_examples(data["train"]), limit_per_label, seed)
    oos_all = [text for text, _ in data["oos_train"]]
    if test_file is not None:
        held_out = json.loads(test_file.read_text())
        test, test_oos, source = _examples(held_out["test"]), [t for t, _ in held_out["oos_test"]], str(test_file)
        validation, validation_oos = _examples(data["val"]), [t for t, _ in data["oos_val"]]
        train, train_oos = train_all, oos_all
    else:
        test, test_oos, source = _examples(data["val"]), [t for t, _ in data["oos_val"]], "val + oos_val"
        train, validation = stratified_split(train_all, VALIDATION_FRACTION, seed)
        train_oos, validation_oos = split_texts(oos_all, OOS_VALIDATION_FRACTION, seed)
    return Splits(train, train_oos, validation, validation_oos, test, test_oos, source)


def _examples(rows: list[list[str]]) -> list[LabelledExample]:
    return [LabelledExample(text, label) for text, label in rows]


def _limit(examples: list[LabelledExample], per_label: int | None, seed: int) -> list[LabelledExample]:
    if not per_label:
        return examples
    by_label: dict[str, list[LabelledExample]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    rng = random.Random(seed)
    kept = {id(e) for items in by_label.values() for e in rng.sample(items, min(per_label, len(items)))}
    return [e for e in examples if id(e) in kept]
