"""A running bot picks up a newly activated script model (`supportbot models activate`), newly
calibrated thresholds (`supportbot eval calibrate`, `eval thresholds --revert`) and edited script
files without a restart. Every `check_every_s` the answer path asks the database which model is
active and which threshold setting is in force, and looks at the script files; when any of them
changed, a new router is built on a thread of its own while the current one keeps answering,
and then swapped in (the loaded model is kept when only thresholds or scripts changed). If the
new one cannot be built (its model no longer loads), the current one keeps answering and the
failure is logged once for that version."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import RouterThresholdSetting, ScriptModelVersion
from strategies.base import Question, StrategyAnswer
from strategies.router import Policy, Router

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)

# (active script model version, newest threshold setting id, fingerprint of the script files)
RouterVersion = tuple[str | None, int | None, str]


def router_version(sessions: sessionmaker[Session], scripts_fingerprint: str) -> RouterVersion:
    with sessions() as session:
        model = session.scalar(select(ScriptModelVersion.version).where(ScriptModelVersion.is_active))
        try:
            setting = session.scalar(select(func.max(RouterThresholdSetting.id)))
        except (OperationalError, ProgrammingError):  # a database not migrated to 0008 yet
            setting = None
    return model, setting, scripts_fingerprint


def reloading_router(container: Container) -> ReloadingRouter:
    def fresh() -> Router:  # on what the database and the files say now; raises when the active model does not load
        thresholds = container.read_thresholds()
        scripts = container.script_strategy_for(container.active_script_model(), thresholds)
        return Router(container.retrieval_strategy_for(thresholds), scripts, container.small_talk)

    def version() -> RouterVersion:
        return router_version(container.sessions, container.script_folder.fingerprint())

    first = Router(container.retrieval_strategy, container.script_strategy, container.small_talk)
    return ReloadingRouter(first, version, fresh, container.settings.router_reload_s)


class ReloadingRouter:
    def __init__(
        self,
        current: Router,
        version: Callable[[], RouterVersion],
        rebuild: Callable[[], Router],
        check_every_s: float,
    ) -> None:
        self._current = current
        self._version_now = version
        self._rebuild = rebuild
        self._check_every_s = check_every_s
        self._version = version()
        self._checked_at = time.monotonic()
        self._rebuilding = False
        self._lock = threading.Lock()

    @property
    def current(self) -> Router:
        return self._current

    def warm_up(self) -> None:
        self._current.warm_up()

    def answer(self, question: Question, policy: Policy = Policy.AUTO) -> StrategyAnswer:
        self._reload_if_changed()
        return self._current.answer(question, policy)

    def _reload_if_changed(self) -> None:
        with self._lock:
            now = time.monotonic()
            if self._rebuilding or now - self._checked_at < self._check_every_s:
                return
            self._checked_at = now
        try:
            version = self._version_now()
        except Exception:
            log.warning("could not check for a new script model or thresholds; will try again", exc_info=True)
            return
        with self._lock:
            if version == self._version or self._rebuilding:
                return
            self._rebuilding = True
        threading.Thread(target=self._reload, args=(version,), name="router-reload", daemon=True).start()

    def _reload(self, version: RouterVersion) -> None:
        try:
            router = self._rebuild()
            router.warm_up()
            self._current = router
            log.info("now answering with script model %s, threshold setting %s and script files %s", *version)
        except Exception:
            log.exception("could not switch to script model %s with threshold setting %s and script files %s; "
                          "the current router keeps answering", *version)
        finally:
            with self._lock:
                self._version = version  # a failure is not retried until the version changes again
                self._rebuilding = False
