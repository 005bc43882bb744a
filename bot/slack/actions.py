"""The buttons under an answer and the Not right form: each records against the trace named
in the button's value, and the user is told the result in an ephemeral message in the thread.
Just asking is answered in the thread like the message "just asking", an answer button under a
script's question like its answer typed, and the answer either was pressed under loses those buttons."""

from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat_actions import ActionResult, MovedOn, UnknownTrace
from bot.chat_backend import ChatBackend
from bot.chat_work import ChatWork
from bot.messages import Action
from bot.slack.addresses import channel_key, user_key
from bot.slack.answering import answer_claimed
from bot.slack.dispute_form import CALLBACK_ID, DisputeOrigin, dispute_view, read_submission
from bot.slack.render import ACTION_IDS, ANSWER_ACTION_ID, read_answer_value, render_reply

log = logging.getLogger(__name__)

UNKNOWN_ANSWER = "I can't find that answer any more, so nothing was recorded."


async def acknowledge(ack: AsyncAck) -> None:
    await ack()


def register_actions(app: AsyncApp, backend: ChatBackend, work: ChatWork) -> None:
    async def helpful(body: dict, client: AsyncWebClient) -> None:
        work.hold_current("a Helpful click")
        await _record(client, body, "helpful", lambda trace, user: backend.helpful(trace, user))

    async def talk_to_human(body: dict, client: AsyncWebClient) -> None:
        work.hold_current("a Talk to a human click")
        await _record(client, body, "talk_to_human", lambda trace, user: backend.talk_to_human(trace, user))

    async def just_asking(body: dict, client: AsyncWebClient) -> None:
        work.hold_current("a Just asking click")
        trace_id, _, _ = _button(body)
        await pressed_reply(body, client, trace_id, lambda user: backend.claim_just_asking(trace_id, user))

    async def script_answer(body: dict, client: AsyncWebClient) -> None:
        work.hold_current("an answer button click")
        action = (body.get("actions") or [{}])[0]
        trace_id, answer = read_answer_value(str(action.get("value") or ""))
        await pressed_reply(body, client, trace_id, lambda user: backend.claim_script_answer(trace_id, user, answer))

    async def pressed_reply(body: dict, client: AsyncWebClient, trace_id: str, claim) -> None:
        """A click that sends the user's reply: answered in the thread as if typed; the answer it
        was pressed under loses its Just asking and answer buttons."""
        _, channel, thread_ts = _button(body)
        user = body["user"]["id"]
        try:
            claimed = await claim(user_key(user))
        except UnknownTrace as exc:
            log.warning("Slack reply button for an unknown answer trace, nothing answered: %s", exc)
            await _tell(client, channel, user, thread_ts, UNKNOWN_ANSWER)
            return
        except MovedOn as exc:
            await _remove_reply_buttons(client, body, backend, trace_id)
            await _tell(client, channel, user, thread_ts, exc.text)
            return
        await _remove_reply_buttons(client, body, backend, trace_id)
        if claimed is None:
            log.info("ignored a second reply click on answer %s", trace_id)
            return
        message, keys = claimed
        await answer_claimed(backend, client, message, keys, {})

    async def open_dispute_form(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
        await ack()
        trace_id, channel, thread_ts = _button(body)
        # the trigger_id expires 3 s after the click: open the form now, not in a lazy listener
        await client.views_open(trigger_id=body["trigger_id"], view=dispute_view(DisputeOrigin(trace_id, channel, thread_ts)))

    async def record_dispute(body: dict, client: AsyncWebClient) -> None:
        work.hold_current("a Not right form")
        form = read_submission(body.get("view") or {})
        user = body["user"]["id"]
        origin = form.origin
        try:
            result = await backend.dispute(origin.trace_id, user_key(user), form.reason, form.details)
        except UnknownTrace as exc:
            log.warning("Slack dispute form for an unknown answer trace, nothing recorded: %s", exc)
            await _tell(client, origin.channel, user, origin.thread_ts, UNKNOWN_ANSWER)
            return
        await _tell(client, origin.channel, user, origin.thread_ts, result.text)

    app.action(ACTION_IDS[Action.HELPFUL])(ack=acknowledge, lazy=[helpful])
    app.action(ACTION_IDS[Action.TALK_TO_HUMAN])(ack=acknowledge, lazy=[talk_to_human])
    app.action(ACTION_IDS[Action.NOT_RIGHT])(open_dispute_form)
    app.action(ACTION_IDS[Action.JUST_ASKING])(ack=acknowledge, lazy=[just_asking])
    app.action(ANSWER_ACTION_ID)(ack=acknowledge, lazy=[script_answer])
    app.view(CALLBACK_ID)(ack=acknowledge, lazy=[record_dispute])

    async def unknown_action(body: dict) -> None:
        names = [a.get("action_id") for a in body.get("actions") or []]
        log.info("ignored Slack interaction %s %s: not one of the bot's", body.get("type"), names)

    app.action(re.compile(".*"))(ack=acknowledge, lazy=[unknown_action])


async def _record(client: AsyncWebClient, body: dict, name: str, record) -> None:
    trace_id, channel, thread_ts = _button(body)
    user = body["user"]["id"]
    try:
        result: ActionResult = await record(trace_id, user_key(user))
    except UnknownTrace as exc:
        log.warning("Slack %s button for an unknown answer trace, nothing recorded: %s", name, exc)
        await _tell(client, channel, user, thread_ts, UNKNOWN_ANSWER)
        return
    await _tell(client, channel, user, thread_ts, result.text)


async def _remove_reply_buttons(client: AsyncWebClient, body: dict, backend: ChatBackend, trace_id: str) -> None:
    """The pressed answer is posted again without its Just asking and answer buttons."""
    _, channel, _ = _button(body)
    ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    if not (channel and ts and team):
        return
    try:
        reply = await backend.without_reply_buttons(trace_id, channel_key(team, channel))
    except UnknownTrace as exc:
        log.warning("reply buttons not removed: %s", exc)
        return
    try:
        await client.chat_update(channel=channel, ts=ts, **render_reply(reply))
    except SlackApiError as exc:
        log.warning("could not remove the reply buttons from %s in %s: %s", ts, channel, exc.response.get("error"))


def _button(body: dict) -> tuple[str, str | None, str | None]:
    """(trace id, channel id, thread ts) of the pressed button's message."""
    action = (body.get("actions") or [{}])[0]
    message = body.get("message") or {}
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    thread_ts = message.get("thread_ts") or container.get("thread_ts") or message.get("ts")
    return str(action.get("value") or "")[:64], channel, thread_ts


async def _tell(client: AsyncWebClient, channel: str | None, user: str, thread_ts: str | None, text: str) -> None:
    if not channel:
        return
    try:
        await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s in %s: %s", user, channel, exc.response.get("error"))
