from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class RouterThresholdSetting(Base):
    """One change of the router's thresholds, from `supportbot eval calibrate` or a revert.
    Rows are never edited: the newest row is the setting in force, older rows are its
    history. A null threshold means "the default": the model's own calibration for
    `min_confidence`, SUPPORTBOT_MIN_EVIDENCE_SIMILARITY for `min_similarity`."""

    __tablename__ = "router_threshold_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # calibrate | revert
    min_confidence: Mapped[float | None] = mapped_column(Float)
    min_similarity: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(50))  # min_confidence applies to this model only
    eval_set: Mapped[str | None] = mapped_column(Text)
    eval_set_sha256: Mapped[str | None] = mapped_column(String(64))
    max_wrong_rate: Mapped[float | None] = mapped_column(Float)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    # The setting that was in force before this one, and for a revert the one it restored.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("router_threshold_settings.id"))
    restores_id: Mapped[int | None] = mapped_column(ForeignKey("router_threshold_settings.id"))
