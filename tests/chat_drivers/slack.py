"""The Slack driver of the shared chat suite: signed Events API, interactivity and slash-command
requests to the running web app, and what the bot posted read back from the fake Slack Web API."""

from __future__ import annotations

import html
import itertools
import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.slack.clients import SERVER_ERROR_RETRIES
from bot.web.app import create_app
from tests.chat_drivers.base import ACTIONS, BotMessage, chat_container, wait_until
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, RESPONSE_URL_METHOD, TEAM_ID, FakeSlackApi
from tests.fakes.web_app import serve_app

BOT_TOKEN = "xoxb-test-driver-token"
SIGNING_SECRET = "test-signing-secret"
SUPPORT_CHANNEL = "C_SUPPORT"
ACTION_NAMES = {f"supportbot_{name}": name for name in ACTIONS}
_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")


def slack_user(user: str) -> str:
    return f"U_{user.upper()}"


class SlackDriver:
    chat = "slack"

    def __init__(self, base_url: str, fake: FakeSlackApi, container, secret: str = SIGNING_SECRET) -> None:
        self.base_url = base_url
        self.fake = fake
        self.container = container
        self._signer = SignatureVerifier(secret)
        self._numbers = itertools.count(1)
        self._started: set[str] = set()
        self._last_user_message: dict[str, dict] = {}
        self._last_delivery: tuple[str, str, int] | None = None  # (body, content type, retries so far)

    # -- ids -------------------------------------------------------------------------------------
    def new_thread(self) -> str:
        return f"C{next(self._numbers):05d}/{self.fake.next_ts()}"

    def user_id(self, user: str) -> str:
        return f"slack:{slack_user(user)}"

    # -- delivering ------------------------------------------------------------------------------
    def post(self, body: str, content_type: str, *, headers: dict | None = None, timestamp: int | None = None) -> httpx.Response:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signed = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self._signer.generate_signature(timestamp=stamp, body=body),
            **(headers or {}),
        }
        return httpx.post(f"{self.base_url}/slack/events", content=body.encode(), headers=signed, timeout=30)

    def deliver_event(self, event: dict) -> int:
        body = json.dumps({
            "token": "unused", "team_id": TEAM_ID, "api_app_id": "A1", "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:12]}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        })
        self._last_delivery = (body, "application/json", 0)
        return self.post(body, "application/json").status_code

    def resend_last(self) -> int:
        assert self._last_delivery is not None, "nothing delivered yet"
        body, content_type, retries = self._last_delivery
        self._last_delivery = (body, content_type, retries + 1)
        retry = {"X-Slack-Retry-Num": str(retries + 1), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(body, content_type, headers=retry).status_code

    def user_message(self, thread: str, text: str, user: str = "alice", *, channel_type: str = "channel") -> dict:
        channel, root = thread.split("/")
        ts = root if thread not in self._started else self.fake.next_ts()
        message = {"type": "message", "channel": channel, "user": slack_user(user), "text": text, "ts": ts,
                   "team": TEAM_ID, "channel_type": channel_type, "event_ts": ts}
        if ts != root:
            message["thread_ts"] = root
        return message

    def send(self, thread: str, text: str, *, user: str = "alice") -> int:
        if thread not in self._started:
            message = self.user_message(thread, f"<@{BOT_USER_ID}> {text}", user)
            self._started.add(thread)
            self._last_user_message[thread] = message
            mention = {**message, "type": "app_mention"}
            del mention["channel_type"]
            status = self.deliver_event(mention)  # Slack sends a mention twice: app_mention and message.channels
            return self.deliver_event(message) if status == 200 else status
        message = self.user_message(thread, text, user)
        self._last_user_message[thread] = message
        return self.deliver_event(message)

    def send_as_bot(self, thread: str, text: str) -> int:
        channel, root = thread.split("/")
        ts = self.fake.next_ts()
        return self.deliver_event({"type": "message", "channel": channel, "user": BOT_USER_ID, "bot_id": BOT_ID,
                                   "text": text, "ts": ts, "thread_ts": root, "channel_type": "channel"})

    def send_edit(self, thread: str, text: str) -> int:
        channel, _root = thread.split("/")
        previous = self._last_user_message[thread]
        edited = {**previous, "text": text, "edited": {"user": previous["user"], "ts": self.fake.next_ts()}}
        return self.deliver_event({"type": "message", "subtype": "message_changed", "channel": channel, "hidden": True,
                                   "ts": self.fake.next_ts(), "message": edited, "previous_message": previous,
                                   "channel_type": "channel"})

    def fail_next_reply(self) -> None:
        for _ in range(1 + SERVER_ERROR_RETRIES):  # the first try and the client's own retries all fail
            self.fake.fail_next("chat.postMessage", 500)

    # -- reading back ----------------------------------------------------------------------------
    def bot_messages(self, thread: str) -> list[BotMessage]:
        channel, root = thread.split("/")
        return [parse_bot_message(args) for args in self.fake.posts(channel, root)]

    def updated(self, message: BotMessage) -> BotMessage | None:
        updates = [c.args for c in self.fake.calls_to("chat.update", ok_only=True)
                   if (c.args.get("channel"), c.args.get("ts")) == (message.raw["channel"], message.raw["ts"])]
        return parse_bot_message(updates[-1]) if updates else None

    def confirmations(self, thread: str) -> list[str]:
        channel, root = thread.split("/")
        return [c.args.get("text", "") for c in self.fake.calls_to("chat.postEphemeral", ok_only=True)
                if c.args.get("channel") == channel and c.args.get("thread_ts") == root]

    def notices(self) -> list[str]:
        return [message_text(args) for args in self.fake.posts(SUPPORT_CHANNEL)]

    # -- interactivity ---------------------------------------------------------------------------
    def interact(self, payload: dict) -> int:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded").status_code

    def button_payload(self, channel: str, message: dict, action_id: str, value: str, user: str) -> dict:
        return {
            "type": "block_actions", "team": {"id": TEAM_ID, "domain": "fake"}, "api_app_id": "A1",
            "user": {"id": slack_user(user), "username": user, "team_id": TEAM_ID},
            "channel": {"id": channel, "name": "help"}, "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "container": {"type": "message", "message_ts": message.get("ts"), "channel_id": channel,
                          "thread_ts": message.get("thread_ts"), "is_ephemeral": False},
            "message": message, "response_url": f"{self.fake.url}/respond/{uuid.uuid4().hex}",
            "actions": [{"type": "button", "action_id": action_id, "block_id": "supportbot_actions", "value": value,
                         "action_ts": str(time.time())}],
        }

    def click(self, message: BotMessage, action: str, *, user: str = "alice", reason: str = "wrong_fact", details: str = "") -> int:
        action_id = f"supportbot_{action}"
        payload = self.button_payload(message.raw["channel"], message.raw, action_id, message.trace_id or "", user)
        status = self.interact(payload)
        if action != "not_right" or status != 200:
            return status
        trigger = payload["trigger_id"]
        [opened] = wait_until(
            lambda: [c for c in self.fake.calls_to("views.open", ok_only=True) if c.args.get("trigger_id") == trigger], 10
        )
        return self.interact(view_submission(opened.response["view"], slack_user(user), reason, details))

    def click_answer(self, message: BotMessage, choice: str, *, user: str = "alice") -> int:
        [block] = [b for b in message.raw["blocks"] if b.get("block_id") == "supportbot_answers"]
        [button] = [e for e in block["elements"] if json.loads(e["value"])["answer"] == choice]
        payload = self.button_payload(message.raw["channel"], message.raw, button["action_id"], button["value"], user)
        payload["actions"][0]["block_id"] = "supportbot_answers"
        return self.interact(payload)

    def click_forged(self, trace_id: str, action: str, *, user: str = "alice") -> int:
        channel, root = self.new_thread().split("/")
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": root, "thread_ts": root, "text": "x"}
        return self.interact(self.button_payload(channel, message, f"supportbot_{action}", trace_id, user))

    def admin(self, thread: str, command: str, *, user: str = "alice") -> str:
        channel, _root = thread.split("/")
        response_path = f"/respond/{uuid.uuid4().hex}"
        body = urlencode({
            "token": "unused", "team_id": TEAM_ID, "team_domain": "fake", "channel_id": channel, "channel_name": "help",
            "user_id": slack_user(user), "user_name": user, "command": "/supportbot", "text": command, "api_app_id": "A1",
            "response_url": f"{self.fake.url}{response_path}", "trigger_id": f"trigger-{uuid.uuid4().hex}",
        })
        assert self.post(body, "application/x-www-form-urlencoded").status_code == 200
        [answered] = wait_until(lambda: [c for c in self.fake.calls_to(RESPONSE_URL_METHOD) if c.path == response_path], 30)
        return answered.args.get("text", "")


def view_submission(view: dict, user_id: str, reason: str, details: str) -> dict:
    selected = {"value": reason, "text": {"type": "plain_text", "text": reason}}
    return {
        "type": "view_submission", "team": {"id": TEAM_ID, "domain": "fake"}, "api_app_id": "A1",
        "user": {"id": user_id, "team_id": TEAM_ID}, "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "view": {**view, "state": {"values": {
            "reason": {"reason": {"type": "static_select", "selected_option": selected}},
            "details": {"details": {"type": "plain_text_input", "value": details}},
        }}},
    }


def section_texts(args: dict) -> list[str]:
    return [b["text"]["text"] for b in args.get("blocks") or [] if b.get("type") == "section" and b.get("text")]


def message_text(args: dict) -> str:
    return html.unescape("\n".join(section_texts(args)) or args.get("text", ""))


def parse_bot_message(args: dict) -> BotMessage:
    texts, sources, actions, trace_id = [], [], [], None
    for text in section_texts(args):
        if text.startswith("*Sources*"):
            for line in text.splitlines()[1:]:
                link = _LINK.search(line)
                if link:
                    sources.append((html.unescape(link.group(2)), link.group(1)))
                else:
                    sources.append((html.unescape(re.sub(r"^(\[\d+\])+\s*|\s+·\s+.*$", "", line)), None))
        else:
            texts.append(html.unescape(text))
    choices = []
    for block in args.get("blocks") or []:
        if block.get("block_id") == "supportbot_answers":
            choices = [json.loads(element["value"])["answer"] for element in block["elements"]]
        elif block.get("type") == "actions":
            for element in block.get("elements", []):
                actions.append(ACTION_NAMES.get(element.get("action_id"), element.get("action_id")))
                trace_id = element.get("value") or trace_id
    return BotMessage(text="\n\n".join(texts), sources=sources, actions=actions, trace_id=trace_id, raw=args, choices=choices)


@contextmanager
def open_driver(home: Path, database_url: str, script_model: Path, **settings) -> Iterator[SlackDriver]:
    with FakeSlackApi(bot_token=BOT_TOKEN) as fake:
        container = chat_container(
            home, database_url, script_model,
            slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url,
            admin_users=["slack:U_ALICE"], escalation_notices_to=f"slack:{SUPPORT_CHANNEL}", **settings,
        )
        try:
            with serve_app(create_app(container)) as base_url:
                yield SlackDriver(base_url, fake, container)
        finally:
            container.engine.dispose()
