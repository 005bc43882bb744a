"""Loading labelled files, stratified splits and the training-data hash."""

from __future__ import annotations

from collections import Counter

import pytest

from strategies.script_model.dataset import (
    DatasetError,
    LabelledExample,
    load_labelled_file,
    split_texts,
    stratified_split,
    training_data_hash,
)


def test_csv_with_label_column(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('text,label\nI lost my card,lost_card\n"reset, please",reset_password\n')
    assert load_labelled_file(path) == [
        LabelledExample("I lost my card", "lost_card"),
        LabelledExample("reset, please", "reset_password"),
    ]


def test_csv_with_banking77_category_column(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("text,category\nI am still waiting on my card?,card_arrival\n")
    assert load_labelled_file(path) == [LabelledExample("I am still waiting on my card?", "card_arrival")]


def test_jsonl(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "cancel my order", "label": "cancel_order"}\n\n{"text": "hi", "label": "greet"}\n')
    assert load_labelled_file(path) == [
        LabelledExample("cancel my order", "cancel_order"),
        LabelledExample("hi", "greet"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "where", "problem"),
    [
        ("a.csv", "text,label\nok,x\n  ,y\n", ":3:", "empty text"),
        ("b.csv", "text,intent\nok,x\n", ":1:", "'label' column"),
        ("c.csv", "text,label\nok,x\nno label here,\n", ":3:", "empty label"),
        ("d.jsonl", '{"text": "ok", "label": "x"}\n{"text": "broken"\n', ":2:", "invalid JSON"),
        ("e.jsonl", '{"text": "ok"}\n', ":1:", "missing 'label'"),
        ("f.jsonl", '{"text": "", "label": "x"}\n', ":1:", "empty text"),
        ("g.jsonl", '["ok", "x"]\n', ":1:", "expected an object"),
    ],
)
def test_errors_name_file_and_line(tmp_path, name, content, where, problem):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DatasetError) as error:
        load_labelled_file(path)
    message = str(error.value)
    assert message.startswith(str(path) + where), message
    assert problem in message


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(DatasetError, match="file not found"):
        load_labelled_file(tmp_path / "nope.csv")
    path = tmp_path / "data.txt"
    path.write_text("x")
    with pytest.raises(DatasetError, match="unsupported file type"):
        load_labelled_file(path)


def _examples():
    return [LabelledExample(f"{label} example {i}", label) for label, n in (("a", 20), ("b", 10), ("c", 2)) for i in range(n)]


def test_stratified_split_keeps_every_label_on_both_sides():
    examples = _examples()
    train, dev = stratified_split(examples, 0.2, seed=1)
    assert sorted(train + dev, key=examples.index) == examples
    assert not set(train) & set(dev)
    assert Counter(e.label for e in dev) == {"a": 4, "b": 2, "c": 1}
    assert {e.label for e in train} == {"a", "b", "c"}


def test_stratified_split_is_seeded():
    examples = _examples()
    assert stratified_split(examples, 0.2, seed=1) == stratified_split(examples, 0.2, seed=1)
    assert stratified_split(examples, 0.2, seed=1) != stratified_split(examples, 0.2, seed=2)


def test_stratified_split_never_takes_a_singleton_label():
    train, dev = stratified_split([LabelledExample("only", "x"), LabelledExample("y1", "y"), LabelledExample("y2", "y")], 0.5, 0)
    assert [e.label for e in dev] == ["y"]
    assert {e.label for e in train} == {"x", "y"}


def test_split_texts():
    train, dev = split_texts([f"t{i}" for i in range(10)], 0.5, seed=3)
    assert len(dev) == 5 and sorted(train + dev) == sorted(f"t{i}" for i in range(10))


def test_hash_is_stable_and_order_independent():
    examples = _examples()
    first = training_data_hash(examples, ["weather?"])
    assert first == training_data_hash(list(reversed(examples)), ["weather?"])
    assert len(first) == 64
    assert first != training_data_hash(examples, ["weather!"])
    assert first != training_data_hash(examples[:-1], ["weather?"])
    relabelled = [*examples[:-1], LabelledExample(examples[-1].text, "other")]
    assert first != training_data_hash(relabelled, ["weather?"])
