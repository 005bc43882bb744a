"""Throw-away services for benchmarks/sync.py: a redis-server on a free port and celery
worker processes, with their peak memory read from /proc."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from tests.fakes.celery_processes import CELERY, stop_process_group

REPO_ROOT = Path(__file__).resolve().parent.parent
console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


class BenchmarkError(RuntimeError):
    pass


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A throw-away redis-server on a free 127.0.0.1 port (as scripts/with-redis.sh starts one)."""
    import redis

    directory.mkdir(parents=True, exist_ok=True)
    for _attempt in range(5):
        port = _free_port()
        process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory), "--save", "",
             "--appendonly", "no", "--maxmemory-policy", "noeviction", "--logfile", str(directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(50):
            try:
                if redis.Redis.from_url(url, socket_timeout=1).ping():
                    break
            except redis.ConnectionError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            process.terminate()
            process.wait(timeout=10)
            continue
        if process.poll() is not None:
            continue
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    raise BenchmarkError(f"could not start redis-server; see {directory / 'redis.log'}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def celery_workers(count: int, env: dict[str, str], run_dir: Path) -> Iterator[list[subprocess.Popen]]:
    """`count` worker processes (tests/fakes/celery_processes.py's worker(), one each, with its
    own node name), each in its own process group; stopped with TERM, then KILL."""
    processes: list[subprocess.Popen] = []
    logs = [run_dir / f"worker-{n + 1}.log" for n in range(count)]
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))}
    try:
        for n, log in enumerate(logs):
            args = ["worker", "--loglevel=INFO", "--queues=sync,chat", "--pool=prefork", "--concurrency=1",
                    "--without-gossip", "--without-mingle", f"--hostname=syncbench{n + 1}-{os.getpid()}@%h"]
            with log.open("wb") as out:
                processes.append(subprocess.Popen(CELERY + args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                  cwd=run_dir, start_new_session=True))
        deadline = time.monotonic() + 300
        for process, log in zip(processes, logs):
            while " ready." not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchmarkError(f"worker {log.name} did not start")
                time.sleep(0.2)
        yield processes
    except BaseException:
        for log in logs:
            if log.exists():
                console.print(f"--- {log.name} (last 3000 characters) ---\n{log.read_text(errors='replace')[-3000:]}",
                              markup=False, highlight=False)
        raise
    finally:
        for process in processes:
            stop_process_group(process, grace_s=30)


def peak_rss_kb(process_group: int) -> dict[int, int]:
    """VmHWM (kB) of every live process in the process group, by pid."""
    peaks = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != process_group:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[int(entry.name)] = int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return peaks


# -- one benchmark run --------------------------------------------------------------------------------

@contextmanager
def given_url(url: str) -> Iterator[str]:
    yield url


