"""Real celery worker and beat processes for the tests, on the test Redis and database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CELERY = [sys.executable, "-m", "celery", "-A", "bot.worker"]


def worker_env(home: Path, database_url: str, redis_url: str, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORTBOT_")}
    env.update(
        SUPPORTBOT_HOME=str(home),
        SUPPORTBOT_DATABASE_URL=database_url,
        SUPPORTBOT_REDIS_URL=redis_url,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HAYSTACK_TELEMETRY_ENABLED="False",
        TOKENIZERS_PARALLELISM="false",
    )
    env.update({f"SUPPORTBOT_{key.upper()}": value for key, value in settings.items()})
    return env


@contextmanager
def celery_process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Start `celery -A bot.worker ARGS`; on exit stop it (TERM, then KILL) and, if the test
    failed meanwhile, show the end of its log."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            CELERY + args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
            start_new_session=True,
        )
    try:
        yield process
    except BaseException:
        sys.stderr.write(f"--- {log.name} (last 4000 characters) ---\n{log.read_text(errors='replace')[-4000:]}\n")
        raise
    finally:
        stop_process_group(process)


@contextmanager
def worker(env: dict[str, str], log: Path, concurrency: int = 1) -> Iterator[subprocess.Popen]:
    args = [
        "worker", "--loglevel=INFO", "--queues=sync,chat", "--pool=prefork", f"--concurrency={concurrency}",
        "--without-gossip", "--without-mingle", f"--hostname=test-{os.getpid()}@%h",
    ]
    with celery_process(args, env, log) as process:
        yield process


@contextmanager
def beat(env: dict[str, str], log: Path, schedule: Path) -> Iterator[subprocess.Popen]:
    with celery_process(["beat", "--loglevel=INFO", f"--schedule={schedule}"], env, log) as process:
        yield process


def stop_process_group(process: subprocess.Popen, grace_s: float = 20) -> None:
    """TERM the process's group (celery's pool children too), then KILL what is left."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
