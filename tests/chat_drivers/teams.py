"""The Teams driver: Bot Framework activities posted to the running web app with real channel
JWTs (signed by the fake connector's key), replies read back from the fake Bot Connector.

Each thread is a new personal (1:1) conversation. The bot's posts are told apart by what they
reply to: answers reply to a question (proactive answers too), confirmations to a card submit,
admin output to an admin command."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.teams.delivery import LOOKING_INTO_IT
from bot.teams.render import ADAPTIVE_CARD
from bot.web.app import create_app
from tests.chat_drivers.base import BotMessage, chat_container, wait_until
from tests.fakes.bot_connector import FakeBotConnector, PostedActivity
from tests.fakes.web_app import serve_app

APP_ID = "5a1e2b3c-0000-4000-8000-00000000b07a"
APP_PASSWORD = "fake-app-password"
TENANT = "72f988bf-0000-4000-8000-00000000te57"
BOT = {"id": f"28:{APP_ID}", "name": "supportbot"}
SUPPORT_CHANNEL = "19:support-team@thread.tacv2"
_LINK = re.compile(r"^\d+(?:, \d+)*\.\s+\[(?P<title>(?:\\.|[^\]\\])*)\]\((?P<url>[^)\s]*)\)")
_PLAIN = re.compile(r"^\d+(?:, \d+)*\.\s+(?P<title>.*?)(?:\s+·\s+.*)?$")


def aad_id(user: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"teams-user:{user}"))


@contextmanager
def open_driver(home: Path, database_url: str, script_model: Path, **settings) -> Iterator[TeamsDriver]:
    with FakeBotConnector(APP_ID, APP_PASSWORD) as connector:
        options = {
            "teams_app_id": APP_ID,
            "teams_app_password": APP_PASSWORD,
            "teams_openid_metadata_url": connector.openid_metadata_url,
            "teams_notice_service_url": connector.service_url,
            "admin_users": [f"teams:{aad_id('alice')}"],
            "escalation_notices_to": f"teams:{SUPPORT_CHANNEL}",
            **settings,
        }
        container = chat_container(home, database_url, script_model, **options)
        # The one replaced part: outgoing tokens from the fake's token endpoint instead of MSAL.
        container.teams_credentials = connector.credentials_factory()
        try:
            with serve_app(create_app(container)) as base:
                yield TeamsDriver(base, connector, container)
        finally:
            container.engine.dispose()


class TeamsDriver:
    chat = "teams"

    def __init__(self, base: str, connector: FakeBotConnector, container) -> None:
        self.base = base
        self.connector = connector
        self.container = container
        self.sent: dict[str, str] = {}  # activity id -> what it was: message | click | admin | other
        self._last: dict | None = None
        self._last_message: dict[str, str] = {}  # thread -> id of the last user message

    # --- threads and users
    def new_thread(self) -> str:
        return f"a:1{uuid.uuid4().hex}"

    def user_id(self, user: str) -> str:
        return f"teams:{aad_id(user)}"

    # --- sending
    def send(self, thread: str, text: str, *, user: str = "alice") -> int:
        activity = self.activity(thread, user, text=text)
        self._last_message[thread] = activity["id"]
        return self.post(activity, "message")

    def resend_last(self) -> int:
        assert self._last is not None, "nothing sent yet"
        return self.post(self._last, self.sent[self._last["id"]])

    def send_as_bot(self, thread: str, text: str) -> int:
        activity = self.activity(thread, "alice", text=text)
        activity["from"] = {**BOT, "role": "bot"}
        activity["recipient"] = {"id": f"29:{aad_id('alice')}", "name": "alice"}
        return self.post(activity, "other")

    def send_edit(self, thread: str, text: str) -> int:
        activity = self.activity(thread, "alice", text=text, type="messageUpdate")
        activity["id"] = self._last_message[thread]
        activity["channelData"]["eventType"] = "editMessage"
        return self.post(activity, None, remember=False)  # same id as the message: keep it a message

    def click(self, message: BotMessage, action: str, *, user: str = "alice", reason: str = "wrong_fact", details: str = "") -> int:
        data = dict(_action_data(message.raw)[action])
        if action == "not_right":
            data.update(reason=reason, details=details)
        card = self._posted_as(message.raw)
        activity = self.activity(card.conversation_id, user, value=data)
        activity["replyToId"] = card.activity_id
        return self.post(activity, "click")

    def click_answer(self, message: BotMessage, choice: str, *, user: str = "alice") -> int:
        [answers] = [e for e in _card_of(message.raw)["body"] if e.get("id") == "answers"]
        [submit] = [a for a in answers["actions"] if a["title"] == choice]
        card = self._posted_as(message.raw)
        activity = self.activity(card.conversation_id, user, value=dict(submit["data"]))
        activity["replyToId"] = card.activity_id
        return self.post(activity, "click")

    def click_forged(self, trace_id: str, action: str, *, user: str = "alice") -> int:
        activity = self.activity(self.new_thread(), user, value={"action": action, "trace_id": trace_id})
        return self.post(activity, "click")

    def admin(self, thread: str, command: str, *, user: str = "alice") -> str:
        activity = self.activity(thread, user, text=f"supportbot {command}")
        assert self.post(activity, "admin") == 200
        [answer] = wait_until(lambda: self._replies_to(thread, "admin", activity_id=activity["id"]), timeout_s=10)
        return answer.body.get("text") or ""

    def fail_next_reply(self) -> None:
        self.connector.fail_next_post()

    # --- reading
    def bot_messages(self, thread: str) -> list[BotMessage]:
        """Replies to messages, and answers (cards) to clicks: a Just asking click is answered like a message."""
        return [
            parse_message(posted.body)
            for posted in self._replies_to(thread, "message", "click")
            if posted.body.get("text") != LOOKING_INTO_IT and (self.sent[posted.reply_to_id] == "message" or _card_of(posted.body))
        ]

    def updated(self, message: BotMessage) -> BotMessage | None:
        card = self._posted_as(message.raw)
        updates = [p for p in self.connector.posted(card.conversation_id) if p.method == "PUT" and p.activity_id == card.activity_id]
        return parse_message(updates[-1].body) if updates else None

    def looking_into_it_notes(self, thread: str) -> list[PostedActivity]:
        return [p for p in self._replies_to(thread, "message") if p.body.get("text") == LOOKING_INTO_IT]

    def confirmations(self, thread: str) -> list[str]:
        return [p.body.get("text") or "" for p in self._replies_to(thread, "click") if not _card_of(p.body)]

    def notices(self) -> list[str]:
        return [p.body.get("text") or "" for p in self.connector.posted(SUPPORT_CHANNEL)]

    # --- the wire
    def activity(self, conversation: str, user: str, *, type: str = "message", text: str | None = None, value=None,
                 conversation_type: str = "personal", entities: list | None = None) -> dict:  # noqa: A002
        activity = {
            "type": type,
            "id": f"1{uuid.uuid4().int % 10**15:015d}",
            "timestamp": "2025-05-01T10:00:00.000Z",
            "serviceUrl": self.connector.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{aad_id(user)}", "name": user, "aadObjectId": aad_id(user)},
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT},
            "recipient": BOT,
            "locale": "en-US",
            "channelData": {"tenant": {"id": TENANT}},
        }
        if text is not None:
            activity["text"] = text
            activity["textFormat"] = "plain"
        if value is not None:
            activity["value"] = value
        if entities:
            activity["entities"] = entities
        return activity

    def post(self, activity: dict, kind: str | None, *, token: str | None = None, remember: bool = True) -> int:
        if kind is not None:
            self.sent[activity["id"]] = kind
        if remember:
            self._last = activity
        token = token or self.connector.mint_token(audience=APP_ID, service_url=activity["serviceUrl"])
        response = httpx.post(f"{self.base}/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        return response.status_code

    def _replies_to(self, thread: str, *kinds: str, activity_id: str | None = None) -> list[PostedActivity]:
        return [
            posted
            for posted in self.connector.posted(thread)
            if posted.method == "POST"
            and self.sent.get(posted.reply_to_id) in kinds
            and (activity_id is None or posted.reply_to_id == activity_id)
        ]

    def _posted_as(self, body: dict) -> PostedActivity:
        return next(p for p in self.connector.posted() if p.body is body)


def parse_message(body: dict) -> BotMessage:
    """A posted activity as the suite sees it: the card's text blocks, its sources and buttons."""
    card = _card_of(body)
    if card is None:
        return BotMessage(text=body.get("text") or "", sources=[], actions=[], trace_id=None, raw=body)
    texts, sources, choices = [], [], []
    for element in card.get("body", []):
        if element.get("id") == "sources":
            sources = [_source(item["text"]) for item in element["items"][1:]]
        elif element.get("id") == "answers":
            choices = [action["data"]["answer"] for action in element["actions"]]
        elif element.get("type") == "TextBlock":
            texts.append(element["text"])
    data = _action_data(body)
    trace_ids = {d["trace_id"] for d in data.values()}
    return BotMessage(
        text="\n\n".join(texts), sources=sources, actions=list(data), trace_id=next(iter(trace_ids), None), raw=body,
        choices=choices,
    )


def _source(line: str) -> tuple[str, str | None]:
    link = _LINK.match(line)
    title, url = (link["title"], link["url"]) if link else (_PLAIN.match(line)["title"], None)
    return re.sub(r"\\(.)", r"\1", title), url


def _card_of(body: dict) -> dict | None:
    return next((a["content"] for a in body.get("attachments") or [] if a.get("contentType") == ADAPTIVE_CARD), None)


def _action_data(body: dict) -> dict[str, dict]:
    """action name -> the data its submit sends (for a ShowCard, the submit inside it)."""
    card = next(a["content"] for a in body.get("attachments") or [] if a.get("contentType") == ADAPTIVE_CARD)
    found = {}
    for action in card.get("actions", []):
        submit = action if action["type"] == "Action.Submit" else action["card"]["actions"][0]
        found[submit["data"]["action"]] = submit["data"]
    return found
