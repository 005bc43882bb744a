"""A local fake of the Slack Web API on 127.0.0.1, for the Slack adapter's tests and benchmarks.

    with FakeSlackApi() as slack:
        ...  # point the bot at slack.api_url ("http://127.0.0.1:PORT/api/")
        slack.posts("C1")  # what the bot posted there (chat.postMessage arguments)

It answers the methods the adapter uses (auth.test, chat.postMessage, chat.postEphemeral,
chat.update, chat.getPermalink, views.open, conversations.replies, reactions.add/remove) and
the response_url of slash commands and interactions (POST /respond/<anything>). Every call is
recorded with its arguments (JSON body, form or query, whichever the client sent). A call
with the wrong bot token gets `invalid_auth`. `fail_next` makes the next call of a method
answer HTTP 500; `rate_limit_next` makes it answer 429 with Retry-After.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.threaded_http import ThreadedHttpFake

TEAM_ID = "T1"
BOT_USER_ID = "U_SUPPORTBOT"
BOT_ID = "B_SUPPORTBOT"
RESPONSE_URL_METHOD = "response_url"  # the `method` recorded for a POST to a response_url


@dataclass
class ApiCall:
    method: str  # e.g. "chat.postMessage", or RESPONSE_URL_METHOD
    args: dict  # JSON body, form fields or query parameters
    status: int  # the HTTP status answered
    response: dict = field(default_factory=dict)
    path: str = ""


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlackApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve(b"")

    def do_POST(self) -> None:  # noqa: N802
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _serve(self, raw: bytes) -> None:
        url = urlsplit(self.path)
        args: dict = dict(parse_qsl(url.query, keep_blank_values=True))
        content_type = self.headers.get("Content-Type", "")
        if raw and "json" in content_type:
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw.decode(), keep_blank_values=True))
        for name in ("blocks", "view"):  # form-encoded clients send these as JSON strings
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        status, body, headers = self.fake.answer(url.path, args, self.headers.get("Authorization"))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeSlackApi(ThreadedHttpFake):
    handler = _Handler
    thread_name = "fake-slack"

    def __init__(self, bot_token: str = "xoxb-fake-token") -> None:
        self.bot_token = bot_token
        self.calls: list[ApiCall] = []
        self._failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._threads: dict[tuple[str, str], list[dict]] = {}  # (channel, thread ts) -> messages
        self._lock = threading.Lock()
        self._ts = itertools.count(1)

    # -- running ---------------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # -- behaviours and seeded data ----------------------------------------------------------------
    def fail_next(self, method: str, status: int = 500) -> None:
        with self._lock:
            self._failures.setdefault(method, []).append((status, {}))

    def rate_limit_next(self, method: str, retry_after_s: int = 1) -> None:
        with self._lock:
            self._failures.setdefault(method, []).append((429, {"Retry-After": str(retry_after_s)}))

    def add_thread_message(self, channel: str, thread_ts: str, message: dict) -> None:
        """A message already in a thread (what conversations.replies returns), e.g. a user's."""
        with self._lock:
            self._threads.setdefault((channel, thread_ts), []).append(message)

    # -- reading what happened -------------------------------------------------------------------
    def calls_to(self, method: str, *, ok_only: bool = False) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (not ok_only or c.status == 200)]

    def posts(self, channel: str, thread_ts: str | None = None) -> list[dict]:
        """Arguments of the successful chat.postMessage calls into `channel` (and thread), with their ts."""
        return [
            {**c.args, "ts": c.response.get("ts")}
            for c in self.calls_to("chat.postMessage", ok_only=True)
            if c.args.get("channel") == channel and (thread_ts is None or c.args.get("thread_ts") == thread_ts)
        ]

    # -- answering ---------------------------------------------------------------------------------
    def answer(self, path: str, args: dict, authorization: str | None) -> tuple[int, dict, dict[str, str]]:
        if path.startswith("/respond/"):
            self._record(ApiCall(RESPONSE_URL_METHOD, args, 200, {"ok": True}, path))
            return 200, {"ok": True}, {}
        method = path.removeprefix("/api/")
        with self._lock:
            pending = self._failures.get(method)
            failure = pending.pop(0) if pending else None
        if failure is not None:
            status, headers = failure
            body = {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
            self._record(ApiCall(method, args, status, body, path))
            return status, body, headers
        if authorization != f"Bearer {self.bot_token}":
            body = {"ok": False, "error": "invalid_auth"}
        else:
            body = self._method(method, args)
        self._record(ApiCall(method, args, 200, body, path))
        return 200, body, {}

    def _method(self, method: str, args: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.example/", "team": "Fake", "user": "supportbot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            ts = self.next_ts()
            message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts, **args}
            if args.get("thread_ts"):
                self.add_thread_message(args["channel"], args["thread_ts"], message)
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            permalink = f"https://fake.slack.example/archives/{args.get('channel')}/p{ts}"
            return {"ok": True, "channel": args.get("channel"), "permalink": permalink}
        if method == "views.open":
            return {"ok": True, "view": {"id": f"V{self.next_ts().replace('.', '')}", **(args.get("view") or {})}}
        if method == "conversations.replies":
            with self._lock:
                messages = list(self._threads.get((args.get("channel"), args.get("ts")), []))
            return {"ok": True, "messages": sorted(messages, key=lambda m: float(m["ts"])), "has_more": False}
        if method in ("reactions.add", "reactions.remove"):
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}

    def next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_800_000_000 + n}.{n:06d}"

    def _record(self, call: ApiCall) -> None:
        with self._lock:
            self.calls.append(call)
