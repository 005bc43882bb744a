"""Teams' own "looking into it": "supportbot is typing..." while a message turn runs. botbuilder's
ShowTypingMiddleware does the same but stops only when the turn returns, so a turn that fails
or is cancelled (a background turn at shutdown) would leave it typing into the conversation
for as long as the process lives; this one stops however the turn ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes

log = logging.getLogger(__name__)


class TypingWhileTurnRuns(Middleware):
    def __init__(self, delay_s: float, every_s: float) -> None:
        if delay_s < 0 or every_s <= 0:
            raise ValueError("the typing delay must be >= 0 and its period > 0")
        self._delay_s = delay_s
        self._every_s = every_s

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]):
        if context.activity.type != ActivityTypes.message:
            return await logic()
        typing = asyncio.create_task(self._keep_typing(context))
        try:
            return await logic()
        finally:
            typing.cancel()

    async def _keep_typing(self, context: TurnContext) -> None:
        reference = TurnContext.get_conversation_reference(context.activity)
        await asyncio.sleep(self._delay_s)
        while True:
            typing = TurnContext.apply_conversation_reference(
                Activity(type=ActivityTypes.typing, relates_to=context.activity.relates_to), reference
            )
            try:
                await context.adapter.send_activities(context, [typing])
            except Exception as exc:  # a sign only: the answer must not depend on it
                log.debug("teams: could not show typing in %s: %s", reference.conversation.id, exc)
            await asyncio.sleep(self._every_s)
