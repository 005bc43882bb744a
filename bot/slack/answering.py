"""Answering one Slack message, once: claim its delivery keys, show an :eyes: reaction while the
answer is worked out, post the rendered reply in the thread, and mark the delivery done, or
release it when posting failed so that Slack's retry is answered."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat_backend import ChatBackend
from bot.messages import IncomingMessage, Reply
from bot.slack.events import SlackMessage, earlier_in_thread
from bot.slack.render import render_reply

log = logging.getLogger(__name__)

LOOKING_INTO_IT = "eyes"  # the reaction on the question while the bot works on it


async def answer_once(backend: ChatBackend, client: AsyncWebClient, message: SlackMessage, *, retry_num: str | None) -> None:
    keys = message.delivery_keys
    if not await backend.claim(keys):
        log.info("ignored a duplicate delivery of Slack message %s in %s (retry %s)", message.ts, message.channel, retry_num)
        return
    handed_off = False
    await _react(client, "reactions_add", message)
    try:
        earlier = await _earlier_if_new_to_the_thread(backend, client, message)
        # a worker answers, posts, removes the reaction, finishes
        handed_off = await answer_claimed(backend, client, message.incoming(earlier), keys, {"ts": message.ts})
    finally:
        if not handed_off:
            await _react(client, "reactions_remove", message)


async def _earlier_if_new_to_the_thread(backend: ChatBackend, client: AsyncWebClient, message: SlackMessage) -> tuple[str, ...]:
    """Context for a mention in a thread the bot was not part of; none when that cannot be read
    (the answer itself still goes ahead)."""
    try:
        if message.thread_ts != message.ts and not await backend.knows_conversation(message.channel, message.thread_ts):
            return await earlier_in_thread(client, message)
    except Exception:
        log.exception("could not tell whether the bot knows Slack thread %s of %s", message.thread_ts, message.channel)
    return ()


async def answer_claimed(
    backend: ChatBackend, client: AsyncWebClient, message: IncomingMessage, keys: list[str], context: dict
) -> bool:
    """Answers a message whose delivery `keys` this process has claimed and posts the reply in its
    thread, then finishes the keys; or hands all of that to a worker (returns True)."""
    succeeded = handed_off = False
    try:
        if backend.answers_elsewhere:
            await backend.hand_off(message, keys, context)
            handed_off = True
            return True
        reply = await backend.answer(message)
        await post_reply(client, message.reply_address or {}, reply)
        succeeded = True
    except SlackApiError as exc:
        log.error(
            "could not post the answer in Slack thread %s of %s (HTTP %s, %s); a retry will answer it",
            (message.reply_address or {}).get("thread_ts"), message.channel, exc.response.status_code, exc.response.get("error"),
        )
    except Exception:
        log.exception("answering in Slack thread %s of %s failed", (message.reply_address or {}).get("thread_ts"), message.channel)
    finally:
        if not handed_off:
            await backend.finish(keys, succeeded)
    return False


async def post_reply(client: AsyncWebClient, address: dict, reply: Reply) -> None:
    if not reply.text:
        return  # a person has the conversation: the bot stays quiet
    await client.chat_postMessage(
        channel=address["channel"], thread_ts=address.get("thread_ts"), unfurl_links=False, unfurl_media=False,
        **render_reply(reply),
    )


async def _react(client: AsyncWebClient, method: str, message: SlackMessage) -> None:
    """Best effort: a missing reactions:write scope must not stop the answer."""
    try:
        await getattr(client, method)(channel=message.channel_id, timestamp=message.ts, name=LOOKING_INTO_IT)
    except SlackApiError as exc:
        log.debug("Slack %s failed: %s", method, exc.response.get("error"))
