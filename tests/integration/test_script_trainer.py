"""Fine-tuning the script model on a tiny synthetic set: predictions, out-of-scope, determinism,
and the saved artifact."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from strategies.script_model import (
    FORMAT_VERSION,
    LabelledExample,
    ModelArtifactError,
    TrainingConfig,
    load_classifier,
    save_classifier,
    train_classifier,
)

pytestmark = pytest.mark.slow

UTTERANCES = {
    "reset_password": [
        "I forgot my password", "how do I reset my password", "can't log in, I lost my password",
        "password reset please", "change my login password", "my password doesn't work",
        "locked out of my account, need a new password", "reset my pwd",
    ],
    "cancel_order": [
        "cancel my order", "I want to cancel order 123", "please stop my order from shipping",
        "how do I cancel a purchase", "cancel the order I placed yesterday", "I don't want the order anymore",
        "abort my order", "cancel my purchase",
    ],
    "refund_policy": [
        "what is your refund policy", "can I get a refund", "how do refunds work", "is there a money back guarantee",
        "refund for a damaged item", "how long do refunds take", "I want my money back", "what are the refund rules",
    ],
    "shipping_time": [
        "when will my package arrive", "how long does shipping take", "what is the delivery time",
        "where is my parcel", "how many days until delivery", "track my delivery", "estimated delivery date",
        "has my order shipped yet",
    ],
}
OUT_OF_SCOPE = ["what's the weather tomorrow", "tell me a joke", "who won the football game", "a recipe for pancakes"]
UNRELATED = "what is the capital city of mongolia"
CONFIG = TrainingConfig(epochs=5, batch_size=8, max_length=32, seed=7)


def _examples():
    return [LabelledExample(text, label) for label, texts in UTTERANCES.items() for text in texts]


def _train():
    return train_classifier(_examples(), out_of_scope=OUT_OF_SCOPE, config=CONFIG)


@pytest.fixture(scope="module")
def trained():
    stages = []
    result = train_classifier(
        _examples(), out_of_scope=OUT_OF_SCOPE, config=CONFIG, progress=lambda s, d, t: stages.append((s, d, t))
    )
    result.stages = stages
    return result


def test_predicts_the_training_labels(trained):
    examples = _examples()
    predictions = trained.classifier.predict_batch([e.text for e in examples])
    top_labels = [p.ranked[0][0] for p in predictions]
    correct = sum(label == e.label for label, e in zip(top_labels, examples, strict=True))
    assert correct >= 0.9 * len(examples)
    assert trained.classifier.labels == tuple(sorted(UTTERANCES))
    prediction = trained.predict("I need to reset my password")
    assert prediction.ranked[0][0] == "reset_password"
    assert len(prediction.ranked) == 4
    assert prediction.oos_score == pytest.approx(1 - prediction.confidence)


def test_unrelated_message_is_out_of_scope_or_less_confident(trained):
    unrelated = trained.predict(UNRELATED)
    in_scope = trained.classifier.predict_batch([e.text for e in _examples()])
    assert not unrelated.in_scope or unrelated.confidence < min(p.confidence for p in in_scope)
    if not unrelated.in_scope:
        assert unrelated.label is None


def test_calibration_and_metrics(trained):
    thresholds = trained.classifier.thresholds
    assert -1.0 < thresholds.min_confidence < 1.0
    assert thresholds.method == "oos_validation"
    metrics = trained.classifier.metrics
    assert metrics["validation_examples"] == 4  # one held-out example per label
    assert metrics["validation_out_of_scope"] == 2
    assert len(trained.classifier.data_hash) == 64



NOT_OURS = "cancel my gym membership"  # reads like cancel_order; a lead said it is not a script
KILL_ORDER = "kill my order"  # a lead said it needs cancel_order


@pytest.fixture(scope="module")
def corrected():
    corrections = [LabelledExample(NOT_OURS, "out_of_scope"), LabelledExample(KILL_ORDER, "cancel_order")]
    return train_classifier(_examples(), out_of_scope=OUT_OF_SCOPE, corrections=corrections, config=CONFIG)


def test_corrections_are_trained_on_and_never_held_out(trained, corrected):
    metrics, before = corrected.classifier.metrics, trained.classifier.metrics
    assert metrics["validation_examples"] == before["validation_examples"]
    assert metrics["validation_out_of_scope"] == before["validation_out_of_scope"]
    assert metrics["train_examples"] == before["train_examples"] + 1
    assert metrics["train_out_of_scope"] == before["train_out_of_scope"] + 1
    assert metrics["train_corrections"] == 2
    was = trained.predict(NOT_OURS)
    _probabilities, similarity = corrected.classifier.scores([NOT_OURS])
    assert was.ranked[0][0] == "cancel_order" and was.verdict is None
    assert float(similarity[0]) < was.confidence, "the model itself learned the correction"
    assert corrected.classifier.data_hash != trained.classifier.data_hash


def test_a_corrected_question_gets_the_leads_verdict_however_it_is_typed(corrected):
    marked = corrected.predict("Cancel my gym membership!")
    assert (marked.label, marked.in_scope, marked.verdict) == (None, False, "out_of_scope")
    needs_script = corrected.predict(KILL_ORDER.upper())
    assert (needs_script.label, needs_script.in_scope, needs_script.verdict) == ("cancel_order", True, "cancel_order")
    unmarked = corrected.predict("cancel my gym membership and my magazine")
    assert unmarked.verdict is None, "only the exact question, not a longer one"


def test_verdicts_survive_save_and_load_and_a_forged_one_is_refused(corrected, tmp_path):
    directory = save_classifier(corrected, tmp_path / "v1", "v1")
    loaded = load_classifier(directory)
    assert loaded.verdicts == corrected.classifier.verdicts
    assert loaded.predict(NOT_OURS).verdict == "out_of_scope"
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["verdicts"]["cancel my gym membership"] = "a_script_it_never_learned"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelArtifactError, match="verdicts must map questions to its labels"):
        load_classifier(directory)
    del manifest["verdicts"]  # saved before verdicts existed: loads with none
    manifest_path.write_text(json.dumps(manifest))
    assert load_classifier(directory).verdicts == {}

@pytest.fixture(scope="module")
def probability_trained():
    return train_classifier(_examples(), out_of_scope=OUT_OF_SCOPE, config=replace(CONFIG, confidence_score="probability"))


def test_a_probability_scored_model_is_confident_by_its_best_scripts_probability(probability_trained):
    classifier = probability_trained.classifier
    assert classifier.thresholds.score == "probability"
    prediction = classifier.predict("I need to reset my password")
    assert prediction.confidence == pytest.approx(prediction.ranked[0][1])
    assert prediction.in_scope == (prediction.confidence >= classifier.thresholds.min_confidence)


def test_confidence_is_the_cosine_to_the_best_script(trained):
    classifier = trained.classifier
    assert classifier.thresholds.score == "similarity"
    texts = ["I need to reset my password", UNRELATED]
    probabilities, similarities = classifier.scores(texts)
    for prediction, row, similarity in zip(classifier.predict_batch(texts), probabilities, similarities, strict=True):
        assert prediction.confidence == pytest.approx(float(similarity))
        assert prediction.ranked[0][1] == pytest.approx(float(row.max()))  # ranked keeps the probabilities
        assert -1.0 <= prediction.confidence <= 1.0
        assert prediction.in_scope == (prediction.confidence >= classifier.thresholds.min_confidence)
    assert classifier.metrics["validation_oos_recall"] >= 0.5  # calibrated on the similarity too


def test_an_artifact_saved_before_the_score_existed_reads_as_probability(trained, tmp_path):
    directory = save_classifier(trained, tmp_path / "old", version="old")
    manifest = json.loads((directory / "manifest.json").read_text())
    del manifest["thresholds"]["score"]
    manifest["thresholds"]["min_confidence"] = 0.5
    (directory / "manifest.json").write_text(json.dumps(manifest))
    loaded = load_classifier(directory)
    assert loaded.thresholds.score == "probability"
    prediction = loaded.predict("I need to reset my password")
    assert prediction.confidence == pytest.approx(prediction.ranked[0][1])
    assert prediction.in_scope == (prediction.confidence >= 0.5)


def test_an_unknown_confidence_score_is_refused():
    with pytest.raises(ValueError, match="confidence_score"):
        train_classifier(_examples(), config=TrainingConfig(confidence_score="margin"))


def test_progress_reports_each_epoch(trained):
    stages = {stage for stage, _, _ in trained.stages}
    assert {"epoch 1/5", "epoch 5/5", "calibrating"} <= stages
    last_epoch = [(done, total) for stage, done, total in trained.stages if stage == "epoch 5/5"]
    assert last_epoch[-1][0] == last_epoch[-1][1] > 0


def test_same_seed_same_predictions(trained):
    texts = [e.text for e in _examples()] + [UNRELATED]
    again = _train()
    assert again.classifier.predict_batch(texts) == trained.classifier.predict_batch(texts)
    assert again.classifier.thresholds == trained.classifier.thresholds


def test_save_and_load_round_trip(trained, tmp_path):
    directory = save_classifier(trained, tmp_path / "v1", version="v1")
    loaded = load_classifier(directory)
    texts = [e.text for e in _examples()] + [UNRELATED, "cancel order"]
    assert loaded.predict_batch(texts) == trained.classifier.predict_batch(texts)
    assert loaded.version == "v1"
    assert loaded.labels == trained.classifier.labels
    assert loaded.thresholds == trained.classifier.thresholds
    assert loaded.data_hash == trained.classifier.data_hash
    assert loaded.metrics == trained.classifier.metrics
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["seed"] == 7
    assert manifest["label_map"]["0"] == "cancel_order"
    with pytest.raises(ModelArtifactError, match="already exists"):
        save_classifier(trained, directory, version="v1")


def test_missing_directory(tmp_path):
    with pytest.raises(ModelArtifactError, match="does not exist"):
        load_classifier(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelArtifactError, match="manifest.json is missing"):
        load_classifier(tmp_path / "empty")


def test_tampered_artifact(trained, tmp_path):
    directory = save_classifier(trained, tmp_path / "v2", version="v2")
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())

    manifest_path.write_text(json.dumps({**manifest, "format_version": FORMAT_VERSION + 1}))
    with pytest.raises(ModelArtifactError, match="format version"):
        load_classifier(directory)

    manifest_path.write_text("{not json")
    with pytest.raises(ModelArtifactError, match="corrupt"):
        load_classifier(directory)

    manifest_path.write_text(json.dumps(manifest))
    weights = directory / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ModelArtifactError, match="corrupt"):
        load_classifier(directory)

    weights.unlink()
    with pytest.raises(ModelArtifactError, match="missing"):
        load_classifier(directory)
