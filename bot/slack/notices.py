"""Escalation notices posted to the support team's Slack channel: the question, the bot's
answer, the evidence it used, why it was escalated and a link to the thread. Called on worker
threads, so it uses the synchronous Web API client."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.chat_labels import ESCALATION_REASON_LABELS
from bot.escalations import EscalationNotice
from bot.settings import Settings
from bot.slack.addresses import channel_id_of
from bot.slack.clients import web_client
from bot.slack.render import SECTION_LIMIT, escape, split_text

log = logging.getLogger(__name__)

QUOTE_LIMIT = 1200


class SlackNoticeSender:
    def __init__(self, settings: Settings, channel: str) -> None:
        if not channel:
            raise ValueError("SUPPORTBOT_ESCALATION_NOTICES_TO=slack:<channel id> needs a channel id")
        self.channel = channel
        self._client = web_client(settings)

    def __repr__(self) -> str:
        return f"SlackNoticeSender(channel={self.channel!r})"

    def send(self, notice: EscalationNotice) -> None:
        text = notice_text(notice, self._thread_link(notice))
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in split_text(text)][:50]
        self._client.chat_postMessage(channel=self.channel, text=text[:SECTION_LIMIT], blocks=blocks, unfurl_links=False)

    def _thread_link(self, notice: EscalationNotice) -> str | None:
        channel = channel_id_of(notice.channel)
        if channel is None or not notice.conversation_key:
            return None
        try:
            return self._client.chat_getPermalink(channel=channel, message_ts=notice.conversation_key).get("permalink")
        except SlackApiError as exc:
            log.info("no permalink for Slack thread %s in %s: %s", notice.conversation_key, channel, exc.response.get("error"))
            return None


def notice_text(notice: EscalationNotice, thread_link: str | None = None) -> str:
    reason = ESCALATION_REASON_LABELS.get(notice.reason, notice.reason)
    lines = [f":rotating_light: *Escalation #{notice.escalation_id}*: {escape(reason)}"]
    where = f"<{thread_link}|the thread>" if thread_link else f"`{escape(notice.channel)}` thread `{escape(notice.conversation_key)}`"
    who = f" (asked for by {escape(notice.requested_by)})" if notice.requested_by else ""
    lines.append(f"In {where}{who}")
    if notice.question:
        lines.append(f"*Question:* {_quote(notice.question)}")
    if notice.answer:
        lines.append(f"*The bot answered:* {_quote(notice.answer)}")
    if notice.evidence:
        lines.append("*Evidence:*")
        for link in notice.evidence:
            title = escape(link.title or "Untitled").replace("|", "/")
            lines.append(f"• <{link.url}|{title}>" if link.url else f"• {title}")
    if notice.trace_id:
        lines.append(f"Trace `{notice.trace_id}`")
    return "\n".join(lines)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…")
