"""BackgroundTurns: Teams work after the HTTP response is held until it ends, its failures are
logged, and a shutdown drain waits for it, then cancels what is left."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from bot.teams.turns import BackgroundTurns


def test_a_started_turn_runs_to_its_end_though_nothing_else_refers_to_it():
    finished = []

    async def main() -> None:
        turns = BackgroundTurns()

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
        turns = BackgroundTurns()

        async def fails() -> None:
            raise RuntimeError("the connector said no")

        task = turns.start(fails(), "turn of activity 42 in a:1xyz")
        await asyncio.gather(task)  # the failure is logged, not raised into whoever waits
        assert turns.running == 0

    with caplog.at_level(logging.ERROR, logger="bot.teams"):
        asyncio.run(main())
    [record] = [r for r in caplog.records if r.name == "bot.teams.turns"]
    assert "turn of activity 42 in a:1xyz failed" in record.getMessage()
    assert record.exc_info and "the connector said no" in str(record.exc_info[1])


def test_drain_waits_for_running_turns_and_for_work_they_start_meanwhile():
    done = []

    async def main() -> None:
        turns = BackgroundTurns()

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
        turns = BackgroundTurns()

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

    with caplog.at_level(logging.WARNING, logger="bot.teams"):
        asyncio.run(main())
    assert cleaned_up == ["released"]
    assert "1 turn(s) still running" in caplog.text and "turn of activity 7 cancelled" in caplog.text


@pytest.mark.parametrize("timeout_s", [0, 1])
def test_drain_with_nothing_running_returns_at_once(timeout_s):
    async def main() -> None:
        started = asyncio.get_running_loop().time()
        await BackgroundTurns().drain(timeout_s)
        assert asyncio.get_running_loop().time() - started < 0.5

    asyncio.run(main())
