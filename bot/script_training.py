"""Trains a script model version from gathered data, saves it under the models folder and
registers it (activating it unless told not to)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import ScriptModelVersion
from bot.script_models import ScriptModelRegistry, next_version
from bot.training_data import TrainingData

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def train_script_model(
    sessions: sessionmaker[Session],
    models_dir: Path,
    data: TrainingData,
    config=None,
    progress: Progress | None = None,
    activate: bool = True,
) -> ScriptModelVersion:
    from strategies.script_model import TrainingConfig, save_classifier, train_classifier, training_data_hash

    trained = train_classifier(
        data.examples,
        out_of_scope=data.out_of_scope,
        corrections=data.corrections,
        config=config or TrainingConfig(),
        progress=progress,
    )
    version = next_version(sessions, training_data_hash(data.examples + data.corrections, data.out_of_scope))
    directory = save_classifier(trained, Path(models_dir) / version, version, data.script_examples)
    return ScriptModelRegistry(sessions).register(directory, activate=activate)
