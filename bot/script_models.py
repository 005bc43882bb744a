"""Versions of the trained script model: register, list, activate. Exactly one is active;
a version that cannot be loaded is never activated, so the previous one keeps serving."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.db.models import ScriptModelVersion
from strategies.script_strategy import thresholds_dict


class ScriptModelError(ValueError):
    pass


class ScriptModelRegistry:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def register(self, directory: Path, activate: bool = True) -> ScriptModelVersion:
        from strategies.script_model import ModelArtifactError, load_classifier

        try:
            classifier = load_classifier(directory)
        except ModelArtifactError as exc:
            raise ScriptModelError(str(exc)) from exc
        with self._sessions.begin() as session:
            row = ScriptModelVersion(
                version=classifier.version,
                path=str(Path(directory).resolve()),
                data_hash=classifier.data_hash,
                labels=list(classifier.labels),
                thresholds=thresholds_dict(classifier.thresholds),
                metrics=dict(classifier.metrics),
            )
            session.add(row)
        if activate:
            return self.activate(row.version)
        return row

    def all(self) -> list[ScriptModelVersion]:
        with self._sessions() as session:
            return list(session.scalars(select(ScriptModelVersion).order_by(ScriptModelVersion.created_at)))

    def active(self) -> ScriptModelVersion | None:
        with self._sessions() as session:
            return session.scalar(select(ScriptModelVersion).where(ScriptModelVersion.is_active))

    def activate(self, version: str) -> ScriptModelVersion:
        from strategies.script_model import ModelArtifactError, load_classifier

        with self._sessions() as session:
            row = session.get(ScriptModelVersion, version)
        if row is None:
            known = ", ".join(r.version for r in self.all()) or "none yet; run `supportbot train`"
            raise ScriptModelError(f"no model version {version!r} (known: {known})")
        try:
            load_classifier(Path(row.path))  # prove it loads before it replaces the active one
        except ModelArtifactError as exc:
            raise ScriptModelError(f"version {version} cannot be activated: {exc}") from exc
        with self._sessions.begin() as session:
            session.execute(update(ScriptModelVersion).values(is_active=False))
            row = session.get(ScriptModelVersion, version)
            row.is_active, row.activated_at = True, utcnow()
        return row

    def load(self, row: ScriptModelVersion):
        """The classifier of the active version `row`."""
        from strategies.script_model import ModelArtifactError, load_classifier

        try:
            return load_classifier(Path(row.path))
        except ModelArtifactError as exc:
            raise ScriptModelError(f"the active model {row.version} cannot be loaded: {exc}") from exc


def next_version(sessions: sessionmaker[Session], data_hash: str) -> str:
    with sessions() as session:
        count = session.scalar(select(func.count()).select_from(ScriptModelVersion))
    return f"v{count + 1}-{data_hash[:8]}"

