"""The Teams activity handler: translates messages and card submits into ChatBackend calls and
posts what comes back. No rule of its own beyond Teams' conventions: in a personal chat every
message is for the bot; in a channel or group chat only messages that @mention it."""

from __future__ import annotations

import logging

from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.schema import ActivityTypes

from bot.chat_actions import ActionResult, MovedOn, UnknownTrace
from bot.chat_backend import ChatBackend
from bot.messages import MAX_PRESSED_ANSWER_CHARS, Action, IncomingMessage
from bot.teams.addresses import (
    admin_command,
    delivery_keys,
    is_from_a_bot,
    mentions_the_bot,
    reply_address,
    text_without_mention,
    thread_of,
    user_of,
)
from bot.teams.delivery import LOOKING_INTO_IT, AnswerDelivery
from bot.teams.render import reply_activity, text_activity

log = logging.getLogger(__name__)


class SupportBotHandler(ActivityHandler):
    def __init__(self, backend: ChatBackend, delivery: AnswerDelivery) -> None:
        self._backend = backend
        self._delivery = delivery

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.type != ActivityTypes.message:
            # edits (messageUpdate), deletes, conversationUpdate, typing, invokes...: nothing to answer
            log.info("teams: %s activity %s ignored", activity.type, activity.id)
        elif is_from_a_bot(activity):
            log.info("teams: message %s from a bot (%s) ignored", activity.id, activity.from_property.id)
            return
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and not (activity.text or "").strip():
            await self._once(turn_context, self._card_submit)
            return
        thread = thread_of(activity)
        if thread.kind != "personal" and not mentions_the_bot(activity):
            log.info("teams: message %s in %s does not mention the bot: ignored", activity.id, thread.channel)
            return
        text = text_without_mention(activity)
        command = admin_command(text)
        if command is not None:
            await self._once(turn_context, lambda turn: self._admin(turn, thread.channel, command))
            return
        keys = delivery_keys(activity)
        if not await self._backend.claim(keys):
            log.info("teams: repeated delivery of message %s ignored", activity.id)
            return
        message = IncomingMessage(
            channel=thread.channel,
            conversation_key=thread.conversation_key,
            user_id=user_of(activity),
            text=text,
            reply_address=reply_address(activity),
        )
        if self._backend.answers_elsewhere:
            await self._hand_off(turn_context, message, keys)
            return
        await self._delivery.answer(turn_context, message, keys)

    async def _hand_off(self, turn_context: TurnContext, message: IncomingMessage, keys: list[str]) -> None:
        """A worker answers and replies to the question; Teams hears at once that it is coming."""
        try:
            await self._backend.hand_off(message, keys)
        except Exception:
            await self._backend.finish(keys, False)
            raise
        try:
            await turn_context.send_activity(text_activity(LOOKING_INTO_IT))
        except Exception:
            log.warning("teams: could not post the looking-into-it note in %s", message.channel, exc_info=True)

    async def _admin(self, turn_context: TurnContext, channel: str, command: str) -> None:
        answer = await self._backend.admin(user_of(turn_context.activity), channel, command)
        await turn_context.send_activity(text_activity(answer))

    async def _card_submit(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        value = activity.value
        action, trace_id, user = value.get("action"), value.get("trace_id"), user_of(activity)
        if action not in {a.value for a in Action} or not isinstance(trace_id, str):
            log.warning("teams: card submit %s with no known action ignored", activity.id)
            return
        if action == Action.JUST_ASKING:
            await self._pressed_reply(turn_context, trace_id, self._backend.claim_just_asking(trace_id, user))
            return
        if action == Action.ANSWER:
            answer = value.get("answer")
            answer = answer[:MAX_PRESSED_ANSWER_CHARS] if isinstance(answer, str) else ""
            await self._pressed_reply(turn_context, trace_id, self._backend.claim_script_answer(trace_id, user, answer))
            return
        try:
            result = await self._act(Action(action), trace_id, user, value)
        except UnknownTrace as exc:
            log.warning("teams: %s pressed on an unknown answer, ignored: %s", action, exc)
            return
        try:
            await turn_context.send_activity(text_activity(result.text))
        except Exception:  # recorded already: a retry must not record it twice, so no error to Teams
            log.warning("teams: %s recorded, but the confirmation could not be posted", action, exc_info=True)

    async def _pressed_reply(self, turn_context: TurnContext, trace_id: str, claim) -> None:
        """A click that sends the user's reply (Just asking, an answer button): answered as if typed,
        in the answer's conversation."""
        try:
            claimed = await claim
        except UnknownTrace as exc:
            log.warning("teams: a reply button pressed on an unknown answer, ignored: %s", exc)
            return
        except MovedOn as exc:
            await self._remove_reply_buttons(turn_context, trace_id)
            await turn_context.send_activity(text_activity(exc.text))
            return
        await self._remove_reply_buttons(turn_context, trace_id)
        if claimed is None:
            log.info("teams: a second reply click on answer %s ignored", trace_id)
            return
        message, keys = claimed
        if self._backend.answers_elsewhere:
            await self._hand_off(turn_context, message, keys)
            return
        await self._delivery.answer(turn_context, message, keys)

    async def _remove_reply_buttons(self, turn_context: TurnContext, trace_id: str) -> None:
        """The card the click came from is updated to the same answer without its Just asking and answer buttons."""
        card_id = turn_context.activity.reply_to_id
        if not card_id:
            return
        try:
            reply = await self._backend.without_reply_buttons(trace_id, thread_of(turn_context.activity).channel)
        except UnknownTrace as exc:
            log.warning("teams: reply buttons not removed: %s", exc)
            return
        updated = reply_activity(reply)
        if updated is None:
            return
        updated.id = card_id
        try:
            await turn_context.update_activity(updated)
        except Exception:
            log.warning("teams: could not remove the reply buttons from card %s", card_id, exc_info=True)

    async def _act(self, action: Action, trace_id: str, user: str, value: dict) -> ActionResult:
        if action is Action.HELPFUL:
            return await self._backend.helpful(trace_id, user)
        if action is Action.NOT_RIGHT:
            reason, details = value.get("reason"), value.get("details")
            return await self._backend.dispute(
                trace_id, user, reason if isinstance(reason, str) else "other", details if isinstance(details, str) else ""
            )
        return await self._backend.talk_to_human(trace_id, user)

    async def _once(self, turn_context: TurnContext, handle) -> None:
        """Runs `handle` for the first delivery of the activity only (Teams retries)."""
        keys = delivery_keys(turn_context.activity)
        if not await self._backend.claim(keys):
            log.info("teams: repeated delivery of activity %s ignored", turn_context.activity.id)
            return
        succeeded = False
        try:
            await handle(turn_context)
            succeeded = True
        finally:
            await self._backend.finish(keys, succeeded)
