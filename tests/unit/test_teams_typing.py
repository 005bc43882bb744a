"""TypingWhileTurnRuns: "typing..." while a message turn runs, stopped however the turn ends."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.teams.typing import TypingWhileTurnRuns


class RecordingAdapter:
    def __init__(self) -> None:
        self.sent: list[Activity] = []

    async def send_activities(self, context, activities) -> None:
        self.sent.extend(activities)


def turn(activity_type: str = ActivityTypes.message) -> SimpleNamespace:
    activity = Activity(
        type=activity_type, id="1001", channel_id="msteams", service_url="http://127.0.0.1:1/",
        conversation=ConversationAccount(id="a:1conversation"), from_property=ChannelAccount(id="29:alice"),
        recipient=ChannelAccount(id="28:bot"),
    )
    return SimpleNamespace(activity=activity, adapter=RecordingAdapter())


def run(context, logic) -> None:
    asyncio.run(TypingWhileTurnRuns(delay_s=0.02, every_s=0.02).on_turn(context, logic))


def test_typing_is_shown_in_the_conversation_while_a_slow_turn_runs_and_stops_with_it():
    context = turn()
    seen_during = []

    async def slow() -> None:
        await asyncio.sleep(0.2)
        seen_during.append(len(context.adapter.sent))

    async def main() -> None:
        await TypingWhileTurnRuns(delay_s=0.02, every_s=0.02).on_turn(context, slow)
        after = len(context.adapter.sent)
        await asyncio.sleep(0.1)
        assert len(context.adapter.sent) == after, "typing goes on after the turn"

    asyncio.run(main())
    assert seen_during[0] >= 2
    assert all(a.type == ActivityTypes.typing and a.conversation.id == "a:1conversation" for a in context.adapter.sent)
    assert all(a.reply_to_id == "1001" for a in context.adapter.sent)


@pytest.mark.parametrize("ending", ["fails", "is cancelled"])
def test_typing_stops_when_the_turn_fails_or_is_cancelled(ending):
    context = turn()

    async def main() -> None:
        async def logic() -> None:
            await asyncio.sleep(0.1)
            if ending == "fails":
                raise RuntimeError("connector refused")
            await asyncio.sleep(60)

        task = asyncio.create_task(TypingWhileTurnRuns(delay_s=0.02, every_s=0.02).on_turn(context, logic))
        await asyncio.sleep(0.15)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        stopped_at = len(context.adapter.sent)
        await asyncio.sleep(0.15)
        assert stopped_at > 0 and len(context.adapter.sent) == stopped_at

    asyncio.run(main())


def test_other_activities_show_no_typing():
    context = turn(ActivityTypes.conversation_update)

    async def slow() -> None:
        await asyncio.sleep(0.1)

    run(context, slow)
    assert context.adapter.sent == []
