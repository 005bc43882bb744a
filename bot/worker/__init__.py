"""Celery workers and beat: `celery -A bot.worker worker` / `celery -A bot.worker beat`.

The app is built from the settings when celery first asks for it, not at import time."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from celery import Celery


@cache
def _app() -> Celery:
    from bot.settings import Settings
    from bot.worker.celery_app import create_celery_app

    return create_celery_app(Settings())


def __getattr__(name: str) -> object:
    if name in ("app", "celery"):
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
