"""The tasks a worker runs, each on the worker process's one Container."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

from celery import Celery, Task
from sqlalchemy.exc import OperationalError

from bot.catalog import SourceCatalogError
from bot.container import Container
from bot.escalations import NOTICE_FAILED
from bot.settings import Settings
from bot.sync_schedule import claim_due_sources
from bot.worker import task_names

log = logging.getLogger(__name__)

# The database or the broker blinking: worth retrying with backoff. A source that fails is
# not: the run records why, and the next scheduled sync tries again.
TRANSIENT_ERRORS = (OperationalError, ConnectionError, TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}
NOTICE_RETRIES = 8  # with backoff from 10 s, about 40 minutes of trying before giving up


class NoticeNotSent(Exception):
    pass


def register_tasks(app: Celery, settings: Settings, container: Callable[[], Container] | None = None) -> None:
    container = container or cache(lambda: Container(settings))
    sync_limit = settings.sync_time_limit_s

    # Past the soft limit the sync stops at once and its run is recorded as failed with why.
    @app.task(name=task_names.SYNC_SOURCE, bind=True, soft_time_limit=sync_limit - 30, time_limit=sync_limit, **RETRY)
    def sync_source(task: Task, source_name: str, trigger: str = "manual") -> dict:
        try:
            report = container().sync_service.sync(source_name, trigger=trigger, task_id=task.request.id)
        except SourceCatalogError as exc:  # deleted since it was queued
            log.warning("sync of %s dropped: %s", source_name, exc)
            return {"source": source_name, "status": "no such source"}
        log.info("sync of %s %s: %s", source_name, report.status, report.error or "")
        return {"source": source_name, "status": report.status, "run_id": report.run_id}

    @app.task(name=task_names.SYNC_DUE_SOURCES, soft_time_limit=60, time_limit=90, **RETRY)
    def sync_due_sources() -> list[str]:
        due = claim_due_sources(container().sessions)
        for source in due:
            sync_source.apply_async(args=(source.name, "schedule"), queue=task_names.SYNC_QUEUE)
        return [source.name for source in due]

    @app.task(name=task_names.REBUILD_INDEX, soft_time_limit=sync_limit - 30, time_limit=sync_limit, **RETRY)
    def rebuild_index() -> int:
        return container().reindex()

    @app.task(
        name=task_names.SEND_ESCALATION_NOTICE, bind=True, soft_time_limit=60, time_limit=90,
        autoretry_for=(NoticeNotSent, *TRANSIENT_ERRORS), retry_backoff=10, retry_backoff_max=900,
        retry_jitter=True, max_retries=NOTICE_RETRIES,
    )
    def send_escalation_notice(task: Task, escalation_id: int) -> str:
        outcome = container().escalation_notices.send(escalation_id)
        if outcome == NOTICE_FAILED:
            raise NoticeNotSent(f"escalation {escalation_id}: attempt {task.request.retries + 1} failed")
        return outcome

    # At most once: a worker that dies mid-answer must not post a second answer after the first.
    # The claimed delivery is then released by the ledger's staleness, so a chat retry is answered.
    answer_limit = int(settings.llm_timeout_s * 3) + 60

    @app.task(name=task_names.DELIVER_ANSWER, acks_late=False, soft_time_limit=answer_limit, time_limit=answer_limit + 30)
    def deliver_answer(payload: dict) -> bool:
        return container().worker_answers.deliver(payload)
