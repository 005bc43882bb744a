"""What the console's routes use, built once by the container from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.console.corrections import Corrections
from bot.console.out_of_scope_marks import OutOfScopeMarks
from bot.console.promotions import Promotions
from bot.console.sign_in import ConsoleSignIn
from bot.console.thread_posts import ThreadPoster
from bot.settings import Settings
from strategies.scripts import ScriptSet


@dataclass
class ConsoleServices:
    settings: Settings
    sessions: sessionmaker[Session]
    sign_in: ConsoleSignIn
    poster: ThreadPoster
    promotions: Promotions
    scripts: Callable[[], ScriptSet]  # as the script files say now
    out_of_scope: OutOfScopeMarks
    corrections: Corrections

    def script_ids(self) -> set[str]:
        return set(self.scripts().scripts)

    @property
    def sla(self) -> timedelta:
        return timedelta(hours=self.settings.console_sla_hours)

    @property
    def low_confidence(self) -> float:
        return self.settings.console_low_confidence
