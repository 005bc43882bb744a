"""ChatWork: chat work after the HTTP response is held until it ends, its failures are
logged, and a shutdown drain waits for it, then cancels what is left."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from bot.chat_work import ChatWork


def test_a_started_turn_runs_to_its_end_though_nothing_else_refers_to_it():
    finished = []

    async def main() -> None:
        turns = ChatWork("teams")

        async def work() -> None:
            await asyncio.sleep(0.05)
            finished.append("done")

        turns.start(work(), "turn of activity 1")  # the task is not kept by the caller
        gc.collect()
        assert turns.running == 1
        await turns.drain(5)
        assert turns.running == 0

    asyncio.run(main())
    assert finished == ["done"]


def test_a_failing_turn_is_logged_with_what_it_was(caplog):
    async def main() -> None:
        turns = ChatWork("teams")

        async def fails() -> None:
            raise RuntimeError("the connector said no")

        task = turns.start(fails(), "turn of activity 42 in a:1xyz")
        await asyncio.gather(task)  # the failure is logged, not raised into whoever waits
        assert turns.running == 0

    with caplog.at_level(logging.ERROR, logger="bot.chat_work"):
        asyncio.run(main())
    [record] = [r for r in caplog.records if r.name == "bot.chat_work"]
    assert "turn of activity 42 in a:1xyz failed" in record.getMessage()
    assert record.exc_info and "the connector said no" in str(record.exc_info[1])


def test_drain_waits_for_running_turns_and_for_work_they_start_meanwhile():
    done = []

    async def main() -> None:
        turns = ChatWork("teams")

        async def later() -> None:
            await asyncio.sleep(0.1)
            done.append("later")

        async def turn() -> None:
            await asyncio.sleep(0.1)
            turns.start(later(), "slow answer")  # as a turn hands a slow answer on
            done.append("turn")

        turns.start(turn(), "turn")
        await turns.drain(5)

    asyncio.run(main())
    assert done == ["turn", "later"]


def test_drain_cancels_what_is_still_running_when_its_time_is_up(caplog):
    cleaned_up = []

    async def main() -> None:
        turns = ChatWork("teams")

        async def stuck() -> None:
            try:
                await asyncio.sleep(60)
            finally:
                cleaned_up.append("released")  # as a turn releases its delivery keys

        turns.start(stuck(), "turn of activity 7")
        await asyncio.sleep(0)
        started = asyncio.get_running_loop().time()
        await turns.drain(0.2)
        assert asyncio.get_running_loop().time() - started < 5
        assert turns.running == 0

    with caplog.at_level(logging.WARNING, logger="bot.chat_work"):
        asyncio.run(main())
    assert cleaned_up == ["released"]
    assert "1 piece(s) of work still running" in caplog.text and "turn of activity 7 cancelled" in caplog.text


@pytest.mark.parametrize("timeout_s", [0, 1])
def test_drain_with_nothing_running_returns_at_once(timeout_s):
    async def main() -> None:
        started = asyncio.get_running_loop().time()
        await ChatWork("teams").drain(timeout_s)
        assert asyncio.get_running_loop().time() - started < 0.5

    asyncio.run(main())


def test_a_held_task_started_elsewhere_is_waited_for_and_named_in_the_warning_when_cancelled(caplog):
    finished = []

    async def main() -> None:
        work = ChatWork("slack")

        async def listener(seconds: float, name: str) -> None:  # as bolt starts an event listener
            work.hold_current(f"answer to Slack message {name}")
            await asyncio.sleep(seconds)
            finished.append(name)

        asyncio.ensure_future(listener(0.1, "quick"))
        asyncio.ensure_future(listener(60, "stuck"))
        await asyncio.sleep(0)
        assert work.running == 2
        await work.drain(0.5)
        assert work.running == 0

    with caplog.at_level(logging.WARNING, logger="bot.chat_work"):
        asyncio.run(main())
    assert finished == ["quick"]
    assert "slack: shutting down with 1 piece(s) of work still running" in caplog.text
    assert "answer to Slack message stuck" in caplog.text

