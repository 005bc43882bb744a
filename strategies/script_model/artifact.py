"""A trained script model on disk: one self-contained directory per version.

    <directory>/manifest.json      format version, version, labels, thresholds, metrics, data hash, config,
                                   the leads' verdicts on exact questions, and (trained on scripts) a
                                   fingerprint of each script's examples
    <directory>/model.safetensors  encoder + head weights
    <directory>/encoder/           the encoder's config and tokenizer files
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from transformers import AutoConfig, AutoModel, AutoTokenizer

from strategies.script_model.classifier import EncoderClassifier, ScriptClassifier, Thresholds
from strategies.script_model.dataset import OUT_OF_SCOPE
from strategies.script_model.trainer import TrainedClassifier

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "model.safetensors"
ENCODER_DIR = "encoder"
REQUIRED_KEYS = ("format_version", "version", "class_labels", "thresholds", "max_length", "logit_scale")


class ModelArtifactError(Exception):
    """A model directory that cannot be loaded (or written); the message says why."""


def save_classifier(
    trained: TrainedClassifier, directory: Path, version: str, script_examples: Mapping[str, str] | None = None
) -> Path:
    """Write the model into `directory` (which must not exist yet) and return it. `script_examples`
    (script id -> fingerprint of its examples) lets a later check tell which scripts changed since."""
    directory = Path(directory)
    if directory.exists():
        raise ModelArtifactError(f"{directory} already exists; a model version is written once")
    classifier = trained.classifier
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        state = {name: tensor.detach().contiguous() for name, tensor in classifier.network.state_dict().items()}
        save_file(state, str(staging / WEIGHTS))
        classifier.network.encoder.config.save_pretrained(staging / ENCODER_DIR)
        classifier.tokenizer.save_pretrained(staging / ENCODER_DIR)
        manifest = _manifest(trained, version, _sha256(staging / WEIGHTS))
        if script_examples is not None:
            manifest["script_examples"] = dict(script_examples)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    classifier.version = version
    return directory


def _manifest(trained: TrainedClassifier, version: str, weights_sha256: str) -> dict[str, Any]:
    classifier = trained.classifier
    return {
        "format_version": FORMAT_VERSION,
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_encoder": trained.base_encoder,
        "class_labels": list(classifier.class_labels),
        "label_map": {str(i): label for i, label in enumerate(classifier.class_labels)},
        "out_of_scope_class": classifier.out_of_scope_class,
        "thresholds": asdict(classifier.thresholds),
        "metrics": dict(classifier.metrics),
        "training_data_hash": classifier.data_hash,
        "config": asdict(trained.config),
        "seed": trained.config.seed,
        "max_length": classifier.max_length,
        "logit_scale": float(classifier.network.scale),
        "weights_file": WEIGHTS,
        "weights_sha256": weights_sha256,
        "verdicts": dict(classifier.verdicts),
    }


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a model directory, checked for format version and required keys."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelArtifactError(f"model directory {directory} does not exist")
    path = directory / MANIFEST
    if not path.is_file():
        raise ModelArtifactError(f"{path} is missing: {directory} is not a script model directory")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelArtifactError(f"{path} is corrupt: {error}") from None
    if not isinstance(manifest, dict):
        raise ModelArtifactError(f"{path} is corrupt: expected a JSON object")
    found = manifest.get("format_version")
    if found != FORMAT_VERSION:
        raise ModelArtifactError(
            f"{directory} has model format version {found!r}; this supportbot reads version {FORMAT_VERSION}. "
            "Retrain the model with `supportbot train`."
        )
    missing = [key for key in REQUIRED_KEYS if key not in manifest]
    if missing:
        raise ModelArtifactError(f"{path} is corrupt: missing {', '.join(missing)}")
    return manifest


def load_classifier(directory: Path) -> ScriptClassifier:
    directory = Path(directory)
    manifest = read_manifest(directory)
    weights = directory / manifest.get("weights_file", WEIGHTS)
    if not weights.is_file():
        raise ModelArtifactError(f"weights file {weights} is missing")
    expected = manifest.get("weights_sha256")
    if expected and _sha256(weights) != expected:
        raise ModelArtifactError(f"weights file {weights} is corrupt (checksum differs from the manifest)")
    encoder_dir = directory / ENCODER_DIR
    try:
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(encoder_dir, local_files_only=True))
        tokenizer = AutoTokenizer.from_pretrained(encoder_dir, local_files_only=True)
    except (OSError, ValueError) as error:
        raise ModelArtifactError(f"encoder files in {encoder_dir} are missing or corrupt: {error}") from None
    class_labels = tuple(manifest["class_labels"])
    network = EncoderClassifier(encoder, len(class_labels), manifest["logit_scale"])
    try:
        network.load_state_dict(load_file(str(weights)), strict=True)
    except (SafetensorError, RuntimeError) as error:
        raise ModelArtifactError(f"weights file {weights} does not fit the manifest: {error}") from None
    return ScriptClassifier(
        network=network,
        tokenizer=tokenizer,
        class_labels=class_labels,
        thresholds=Thresholds(**manifest["thresholds"]),
        max_length=int(manifest["max_length"]),
        out_of_scope_class=manifest.get("out_of_scope_class"),
        version=manifest["version"],
        metrics=manifest.get("metrics", {}),
        data_hash=manifest.get("training_data_hash", ""),
        verdicts=_verdicts(manifest, directory, class_labels),
    )


def read_verdicts(directory: Path) -> dict[str, str]:
    """The leads' verdicts a saved model keeps (normalised question -> label), read from its
    manifest alone: no weights are loaded."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    return _verdicts(manifest, directory, tuple(manifest["class_labels"]))


def _verdicts(manifest: dict[str, Any], directory: Path, class_labels: tuple[str, ...]) -> dict[str, str]:
    verdicts = manifest.get("verdicts", {})  # absent in artifacts saved before leads' corrections were kept
    known = {*class_labels, OUT_OF_SCOPE}
    if not isinstance(verdicts, dict) or not all(isinstance(k, str) and v in known for k, v in verdicts.items()):
        raise ModelArtifactError(f"{directory / MANIFEST} is corrupt: verdicts must map questions to its labels")
    return verdicts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
