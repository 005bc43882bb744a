"""A tiny OpenAI-compatible chat completions server on 127.0.0.1, for testing LLM writers offline.

    with FakeOpenAIServer() as server:
        server.reply("Pro costs $15 per month [1].")
        ...  # point the client at server.base_url ("http://127.0.0.1:PORT/v1")
        server.requests[-1].body["messages"]

Behaviours (one at a time, set per test): reply with given content (a string, or a callable
that receives the request body and returns the content), sleep past the client's timeout,
answer HTTP 500, or answer 200 with a malformed JSON body. Every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATH = "/v1/chat/completions"

Content = str | Callable[[dict], str]


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    raw_body: bytes
    body: Any  # the parsed JSON body, or None when it was not JSON


@dataclass
class _Behaviour:
    kind: str = "reply"  # reply | sleep | error | malformed
    content: Content = "OK [1]."
    seconds: float = 0.0
    status: int = 500


@dataclass
class FakeOpenAIServer:
    host: str = "127.0.0.1"
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._behaviour = _Behaviour()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- behaviours ---------------------------------------------------------------------------
    def reply(self, content: Content) -> None:
        """Answer with a proper chat.completion whose message content is `content`."""
        self._set(_Behaviour(kind="reply", content=content))

    def sleep(self, seconds: float, then: Content = "too late [1].") -> None:
        """Wait `seconds` before answering (longer than the client timeout to provoke one)."""
        self._set(_Behaviour(kind="sleep", seconds=seconds, content=then))

    def fail(self, status: int = 500) -> None:
        """Answer with an HTTP error status and an OpenAI-style error body."""
        self._set(_Behaviour(kind="error", status=status))

    def malformed(self) -> None:
        """Answer 200 with a body that is not valid JSON."""
        self._set(_Behaviour(kind="malformed"))

    def _set(self, behaviour: _Behaviour) -> None:
        with self._lock:
            self._behaviour = behaviour

    def _current(self) -> _Behaviour:
        with self._lock:
            return self._behaviour

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not running"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> FakeOpenAIServer:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._stopping.clear()
        self._server = ThreadingHTTPServer((self.host, 0), Handler)  # port 0: a free port
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that are sleeping
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- used by the handler ------------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def completion(content: str, model: str) -> dict:
    """A chat.completion object as the OpenAI API returns it."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeOpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        fake = self.server_fake
        fake._record(RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, raw, body))
        if self.path.rstrip("/") != CHAT_PATH:
            return self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
        behaviour = fake._current()
        model = (body or {}).get("model", "unknown")
        if behaviour.kind == "sleep":
            if fake._stopping.wait(behaviour.seconds):
                return
        if behaviour.kind == "error":
            return self._send(
                behaviour.status,
                {"error": {"message": "The server had an error while processing your request.", "type": "server_error"}},
            )
        if behaviour.kind == "malformed":
            return self._send_raw(200, b'{"id": "chatcmpl-broken", "choices": [{"message": ', "application/json")
        content = behaviour.content(body or {}) if callable(behaviour.content) else behaviour.content
        self._send(200, completion(content, model))

    def _send(self, status: int, payload: dict) -> None:
        self._send_raw(status, json.dumps(payload).encode("utf-8"), "application/json")

    def _send_raw(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. it timed out): nothing to answer


__all__ = ["FakeOpenAIServer", "RecordedRequest", "completion", "CHAT_PATH"]
