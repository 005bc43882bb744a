"""Answering one Slack message, once: claim its delivery keys, show an :eyes: reaction while the
answer is worked out, post the rendered reply in the thread, and mark the delivery done, or
release it when posting failed so that Slack's retry is answered."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat_backend import ChatBackend
from bot.messages import Reply
from bot.slack.events import SlackMessage, earlier_in_thread
from bot.slack.render import render_reply

log = logging.getLogger(__name__)

LOOKING_INTO_IT = "eyes"  # the reaction on the question while the bot works on it


async def answer_once(backend: ChatBackend, client: AsyncWebClient, message: SlackMessage, *, retry_num: str | None) -> None:
    keys = message.delivery_keys
    if not await backend.claim(keys):
        log.info("ignored a duplicate delivery of Slack message %s in %s (retry %s)", message.ts, message.channel, retry_num)
        return
    succeeded = handed_off = False
    await _react(client, "reactions_add", message)
    try:
        earlier = ()
        if message.thread_ts != message.ts and not await backend.knows_conversation(message.channel, message.thread_ts):
            earlier = await earlier_in_thread(client, message)  # mentioned in a thread the bot was not part of
        if backend.answers_elsewhere:  # a worker answers, posts, removes the reaction, finishes
            await backend.hand_off(message.incoming(earlier), keys, {"ts": message.ts})
            handed_off = True
            return
        reply = await backend.answer(message.incoming(earlier))
        await post_reply(client, message, reply)
        succeeded = True
    except SlackApiError as exc:
        log.error(
            "could not post the answer to Slack message %s in %s (HTTP %s, %s); a retry will answer it",
            message.ts, message.channel, exc.response.status_code, exc.response.get("error"),
        )
    except Exception:
        log.exception("answering Slack message %s in %s failed", message.ts, message.channel)
    finally:
        if not handed_off:
            await _react(client, "reactions_remove", message)
            await backend.finish(keys, succeeded)


async def post_reply(client: AsyncWebClient, message: SlackMessage, reply: Reply) -> None:
    if not reply.text:
        return  # a person has the conversation: the bot stays quiet
    await client.chat_postMessage(
        channel=message.channel_id, thread_ts=message.thread_ts, unfurl_links=False, unfurl_media=False, **render_reply(reply)
    )


async def _react(client: AsyncWebClient, method: str, message: SlackMessage) -> None:
    """Best effort: a missing reactions:write scope must not stop the answer."""
    try:
        await getattr(client, method)(channel=message.channel_id, timestamp=message.ts, name=LOOKING_INTO_IT)
    except SlackApiError as exc:
        log.debug("Slack %s failed: %s", method, exc.response.get("error"))
