"""The fine-tuned script model: pick the support script for a message, or say it is out of scope.

    trained = train_classifier(examples, out_of_scope=texts, progress=callback)
    save_classifier(trained, Path("var/models/v3"), version="v3")
    classifier = load_classifier(Path("var/models/v3"))
    classifier.predict("I lost my card")  # ScriptPrediction(label=..., confidence=..., in_scope=...)
"""

from strategies.script_model.artifact import (
    FORMAT_VERSION,
    ModelArtifactError,
    load_classifier,
    read_manifest,
    read_verdicts,
    save_classifier,
)
from strategies.script_model.calibration import auroc, calibrate_threshold
from strategies.script_model.classifier import ScriptClassifier, ScriptPrediction, Thresholds
from strategies.script_model.dataset import (
    OUT_OF_SCOPE,
    DatasetError,
    LabelledExample,
    load_labelled_file,
    split_texts,
    stratified_split,
    training_data_hash,
)
from strategies.script_model.trainer import TrainedClassifier, TrainingConfig, train_classifier

__all__ = [
    "FORMAT_VERSION",
    "OUT_OF_SCOPE",
    "DatasetError",
    "LabelledExample",
    "ModelArtifactError",
    "ScriptClassifier",
    "ScriptPrediction",
    "Thresholds",
    "TrainedClassifier",
    "TrainingConfig",
    "auroc",
    "calibrate_threshold",
    "load_classifier",
    "load_labelled_file",
    "read_manifest",
    "read_verdicts",
    "save_classifier",
    "split_texts",
    "stratified_split",
    "train_classifier",
    "training_data_hash",
]
