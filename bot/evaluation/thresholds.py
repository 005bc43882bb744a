"""The router thresholds in force, as chosen by `supportbot eval calibrate`: saved with who,
when, which set and its figures; every change (a revert too) is a new row, so the history
stays and any step can be undone."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import RouterThresholdSetting

log = logging.getLogger(__name__)


class ThresholdSettingError(ValueError):
    pass


@dataclass(frozen=True)
class ThresholdsInForce:
    """What the container applies when it builds the router (None: the default)."""

    setting_id: int | None
    min_confidence: float | None
    min_similarity: float | None
    model_version: str | None

    def confidence_for(self, model_version: str | None) -> float | None:
        """`min_confidence` only fits the model it was calibrated on."""
        if self.min_confidence is None or self.model_version != model_version:
            return None
        return self.min_confidence


DEFAULTS = ThresholdsInForce(None, None, None, None)


class ThresholdSettings:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def history(self) -> list[RouterThresholdSetting]:
        with self._sessions() as session:
            return list(session.scalars(select(RouterThresholdSetting).order_by(RouterThresholdSetting.id)))

    def current(self) -> RouterThresholdSetting | None:
        with self._sessions() as session:
            return _latest(session)

    def in_force(self) -> ThresholdsInForce:
        row = self.current()
        if row is None:
            return DEFAULTS
        return ThresholdsInForce(row.id, row.min_confidence, row.min_similarity, row.model_version)

    def save(
        self,
        *,
        created_by: str,
        min_confidence: float | None,
        min_similarity: float | None,
        model_version: str | None,
        eval_set: str,
        eval_set_sha256: str,
        max_wrong_rate: float,
        metrics: dict,
    ) -> RouterThresholdSetting:
        if not created_by.strip():
            raise ThresholdSettingError("a threshold change needs the name of who made it")
        with self._sessions.begin() as session:
            previous = _latest(session)
            row = RouterThresholdSetting(
                created_by=created_by.strip(),
                action="calibrate",
                min_confidence=min_confidence,
                min_similarity=min_similarity,
                model_version=model_version,
                eval_set=eval_set,
                eval_set_sha256=eval_set_sha256,
                max_wrong_rate=max_wrong_rate,
                metrics=metrics,
                replaces_id=previous.id if previous else None,
            )
            session.add(row)
        return row

    def revert(self, created_by: str) -> RouterThresholdSetting:
        """Back to what was in force before the current setting (the defaults at the start)."""
        with self._sessions.begin() as session:
            current = _latest(session)
            if current is None or (current.replaces_id is None and _is_default(current)):
                raise ThresholdSettingError("nothing to revert: the router uses its default thresholds")
            before = session.get(RouterThresholdSetting, current.replaces_id) if current.replaces_id else None
            row = RouterThresholdSetting(
                created_by=created_by.strip() or "cli",
                action="revert",
                min_confidence=before.min_confidence if before else None,
                min_similarity=before.min_similarity if before else None,
                model_version=before.model_version if before else None,
                eval_set=before.eval_set if before else None,
                eval_set_sha256=before.eval_set_sha256 if before else None,
                max_wrong_rate=before.max_wrong_rate if before else None,
                metrics=dict(before.metrics) if before else {},
                replaces_id=before.replaces_id if before else None,
                restores_id=before.id if before else None,
            )
            session.add(row)
        return row


def _latest(session: Session) -> RouterThresholdSetting | None:
    return session.scalar(select(RouterThresholdSetting).order_by(RouterThresholdSetting.id.desc()).limit(1))


def _is_default(row: RouterThresholdSetting) -> bool:
    return row.min_confidence is None and row.min_similarity is None


def with_calibrated_threshold(model, in_force: ThresholdsInForce, notices: list[str]):
    """`model` with the calibrated min_confidence when it was chosen for this model version;
    otherwise `model` itself, with a notice when a calibration for another version is in force."""
    from strategies.script_strategy import ThresholdOverride

    min_confidence = in_force.confidence_for(model.version)
    if min_confidence is not None:
        return ThresholdOverride(model, min_confidence, setting_id=in_force.setting_id)
    if in_force.min_confidence is not None:
        notice = (
            f"the calibrated min_confidence (setting {in_force.setting_id}) was chosen for model "
            f"{in_force.model_version}, not {model.version}; using the model's own threshold "
            "(run `supportbot eval calibrate` again)."
        )
        log.warning(notice)
        notices.append(notice)
    return model
