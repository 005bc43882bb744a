"""The script model benchmark's own splits (BANKING77 has no dev split): disjoint, reproducible
for a seed, and different for another seed (`--split-seed`)."""

import csv

from benchmarks.script_model_data import banking77


def _train_file(tmp_path):
    path = tmp_path / "train.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([("text", "category")] + [(f"message {n} about {label}", label)
                                                               for label in ("card", "rate", "top_up") for n in range(40)])
    return path


def _texts(examples):
    return {e.text for e in examples}


def test_a_split_seed_gives_the_same_disjoint_splits_every_time_and_another_seed_others(tmp_path):
    path = _train_file(tmp_path)
    first, again, other = banking77(path, None, None), banking77(path, None, None), banking77(path, None, None, seed=1)

    train, validation, test = _texts(first.train), _texts(first.validation), _texts(first.test)
    assert len(train) + len(validation) + len(test) == 120
    assert not (train & validation or train & test or validation & test)
    assert (_texts(again.test), _texts(again.validation)) == (test, validation)
    assert len(other.test) == len(first.test) and _texts(other.test) != test
    assert f"seed {1}" in other.test_source
