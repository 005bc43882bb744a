"""The celery app on Redis, with its reliability settings chosen on purpose."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from celery import Celery

from bot.settings import Settings
from bot.worker import task_names

if TYPE_CHECKING:
    from bot.container import Container

# Seconds over a sync's hard time limit before Redis hands an unacknowledged task to another
# worker: redelivery must never start while the first attempt may still be running.
VISIBILITY_MARGIN_S = 600


def create_celery_app(
    settings: Settings, container: Callable[[], Container] | None = None, *, with_tasks: bool = True
) -> Celery:
    """The app a worker runs (`with_tasks`) or one that only sends tasks by name. `container`:
    what the tasks run on; by default one Container per worker process, made on first use
    (after the fork, so every process loads its own models and connections)."""
    if settings.redis_url is None:
        raise RuntimeError("celery workers need SUPPORTBOT_REDIS_URL (without it, work runs in-process)")
    broker = settings.redis_url.get_secret_value()
    app = Celery("supportbot", broker=broker, set_as_current=False)
    app.conf.update(
        # Acknowledge after the task ran, and give the message back when the worker process
        # dies mid-task (SIGKILL, OOM): another worker runs it again. Only safe because every
        # task is idempotent: a sync diffs by content hash under the source's lock, a rebuild
        # rewrites the index from SQL, a notice is marked sent and never sent twice.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One message reserved per worker process: a long sync never sits on tasks that an idle
        # process could run.
        worker_prefetch_multiplier=1,
        # Redis redelivers a task that is not acknowledged within this; it must outlast the
        # longest task, or a sync still running would be started a second time.
        broker_transport_options={"visibility_timeout": settings.sync_time_limit_s + VISIBILITY_MARGIN_S},
        broker_connection_retry_on_startup=True,
        task_routes={name: {"queue": queue} for name, queue in task_names.QUEUE_OF.items()},
        task_default_queue=task_names.CHAT_QUEUE,
        task_ignore_result=True,  # outcomes are in SQL (sync runs, escalations), not in Redis
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        worker_send_task_events=False,
        beat_schedule={
            "sync-due-sources": {
                "task": task_names.SYNC_DUE_SOURCES,
                "schedule": settings.sync_due_check_s,
                # a check that waited longer than its interval is stale: the next one is coming
                "options": {"expires": settings.sync_due_check_s},
            }
        },
    )
    if with_tasks:
        from bot.worker.tasks import register_tasks

        register_tasks(app, settings, container)
    return app
