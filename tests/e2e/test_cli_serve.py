"""`supportbot serve` as a person runs it: a process that listens, says when it is ready, answers
in its web chat and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.web_app import free_port

pytestmark = pytest.mark.slow

SUPPORTBOT = Path(sys.executable).with_name("supportbot")


def wait_for(url: str, status: int, process: subprocess.Popen, timeout_s: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == status:
                return response
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status} within {timeout_s} s")


def test_serve_listens_gets_ready_answers_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "SUPPORTBOT_HOME": str(tmp_path / "var")}
    env.pop("SUPPORTBOT_DATABASE_URL", None)
    process = subprocess.Popen(
        [str(SUPPORTBOT), "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(base + "/healthz", 200, process).json() == {"status": "ok"}
        assert wait_for(base + "/readyz", 200, process).json() == {"status": "ready"}
        reply = httpx.post(
            base + "/chat/messages", json={"conversation": "c1", "user": "u1", "text": "How do I add a user?"}, timeout=60
        ).json()
        assert reply["outcome"] in {"abstained", "escalated"}, "no knowledge synced: the bot must not guess"
        assert reply["actions"] == ["talk_to_human"]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why it stopped
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err
    assert "supportbot web app: /healthz, /readyz, / (web chat)" in err
