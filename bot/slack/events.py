"""Which Slack message events the bot answers, and how one becomes an IncomingMessage.

Answered: an @mention (app_mention, or a channel message naming the bot), any DM, and any
follow-up in a thread the bot already takes part in. The conversation is the thread: its key
is the thread root's ts, so a top-level message starts a thread that the bot replies in.
Ignored, with a log line: other bots, edits, deletions and other subtypes. A file shared
with no text goes to the answer service as an empty message, which replies with a clear
"your message was empty" note."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat_backend import ChatBackend
from bot.messages import IncomingMessage
from bot.slack.addresses import channel_key, user_key

log = logging.getLogger(__name__)

ANSWERED_SUBTYPES = {None, "file_share", "thread_broadcast"}  # a person wrote these
EARLIER_MESSAGES_LIMIT = 50
_MENTION = re.compile(r"<@[UW][^>|\s]*(\|[^>]*)?>")


@dataclass(frozen=True)
class SlackMessage:
    """One message event the bot should answer, with where to answer it."""

    team_id: str
    channel_id: str
    ts: str
    thread_ts: str  # the thread root: the message's own ts when it is top-level
    user: str
    text: str
    event_id: str | None

    @property
    def channel(self) -> str:
        return channel_key(self.team_id, self.channel_id)

    @property
    def delivery_keys(self) -> list[str]:
        """An app_mention and a message event of one message share the second key."""
        keys = [f"slack:msg:{self.channel_id}:{self.ts}"]
        return ([f"slack:event:{self.event_id}"] if self.event_id else []) + keys

    def incoming(self, earlier_messages: tuple[str, ...] = ()) -> IncomingMessage:
        return IncomingMessage(
            channel=self.channel,
            conversation_key=self.thread_ts,
            user_id=user_key(self.user),
            text=_MENTION.sub(" ", self.text).strip(),
            reply_address={"team": self.team_id, "channel": self.channel_id, "thread_ts": self.thread_ts},
            earlier_messages=earlier_messages,
        )


def why_ignored(event: dict) -> str | None:
    """Why a message event is never answered, whoever it is addressed to; None when it may be."""
    subtype = event.get("subtype")
    if event.get("bot_id") or subtype == "bot_message":
        return "it is from a bot"
    if subtype not in ANSWERED_SUBTYPES:
        return f"of its subtype {subtype!r}"
    return None


async def to_answer(event: dict, body: dict, bot_user_id: str | None, backend: ChatBackend) -> SlackMessage | None:
    """The message to answer, or None (logged) when this event is not for the bot."""
    reason = why_ignored(event)
    if reason is None and not (event.get("user") and event.get("channel") and event.get("ts")):
        reason = "it names no user, channel or ts"
    if reason is not None:
        log.info("ignored Slack %s event %s: %s", event.get("type"), body.get("event_id"), reason)
        return None
    message = SlackMessage(
        team_id=str(body.get("team_id") or event.get("team") or ""),
        channel_id=event["channel"],
        ts=event["ts"],
        thread_ts=event.get("thread_ts") or event["ts"],
        user=event["user"],
        text=str(event.get("text") or ""),
        event_id=body.get("event_id"),
    )
    if event.get("type") == "app_mention" or event.get("channel_type") == "im":
        return message
    if bot_user_id and f"<@{bot_user_id}" in message.text:
        return message  # the app_mention of the same message may come too: the delivery keys dedupe them
    if message.thread_ts != message.ts and await backend.knows_conversation(message.channel, message.thread_ts):
        return message
    log.debug("not for the bot: Slack message %s in %s", message.ts, message.channel)
    return None


async def earlier_in_thread(client: AsyncWebClient, message: SlackMessage) -> tuple[str, ...]:
    """What was said in the thread before the bot was mentioned in it (none for a top-level message)."""
    if message.thread_ts == message.ts:
        return ()
    try:
        found = await client.conversations_replies(
            channel=message.channel_id, ts=message.thread_ts, limit=EARLIER_MESSAGES_LIMIT
        )
    except SlackApiError as exc:
        log.warning("could not read the earlier messages of Slack thread %s: %s", message.thread_ts, exc.response.get("error"))
        return ()
    texts = []
    for earlier in found.get("messages") or []:
        if float(earlier.get("ts", 0)) >= float(message.ts) or why_ignored(earlier) is not None:
            continue
        text = _MENTION.sub(" ", str(earlier.get("text") or "")).strip()
        if text:
            texts.append(text)
    return tuple(texts)
