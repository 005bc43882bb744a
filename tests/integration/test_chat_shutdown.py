"""Shutting the web app down while answers are still being worked out, for both chats: a
running answer gets SUPPORTBOT_CHAT_SHUTDOWN_DRAIN_S to be posted before the app stops; one
still running after that is cancelled, named in a warning, and its delivery released in the
ledger so that the chat's redelivery is answered."""

from __future__ import annotations

import importlib
import logging
import threading

import pytest
from sqlalchemy import select

from bot.db.models import ChatDelivery
from bot.delivery_ledger import DONE, FAILED
from tests.chat_drivers.base import HeldAnswers
from tests.conftest import fresh_database

pytestmark = pytest.mark.slow


def open_driver(chat: str, home, script_model, **settings):
    module = importlib.import_module(f"tests.chat_drivers.{chat}")
    return module.open_driver(home, fresh_database("sqlite", home), script_model, **settings)


def delivery_statuses(container) -> set[str]:
    with container.sessions() as session:
        return set(session.scalars(select(ChatDelivery.status)))


@pytest.mark.parametrize("chat", ["slack", "teams"])
def test_shutdown_waits_for_a_running_answer_to_be_posted(chat, tmp_path, example_script_model, monkeypatch):
    with open_driver(chat, tmp_path, example_script_model, chat_shutdown_drain_s=30) as driver:
        held = HeldAnswers(driver.container, monkeypatch)
        thread = driver.new_thread()
        assert driver.send(thread, "How much does the Pro plan cost?") == 200
        assert held.started.wait(30), "the answer is worked out after the acknowledgement"
        assert driver.bot_messages(thread) == []
        threading.Timer(1.0, held.release).start()  # let go while the app is already shutting down
    # the block has ended: the app has stopped, and only after the answer was posted
    [answer] = driver.bot_messages(thread)
    assert "Pro" in answer.text and answer.trace_id
    assert delivery_statuses(driver.container) == {DONE}


@pytest.mark.parametrize("chat", ["slack", "teams"])
def test_an_answer_still_running_when_the_drain_time_is_up_is_cancelled_and_released(
    chat, tmp_path, example_script_model, monkeypatch, caplog
):
    with caplog.at_level(logging.WARNING, logger="bot.chat_work"):
        with open_driver(chat, tmp_path, example_script_model, chat_shutdown_drain_s=0.5) as driver:
            held = HeldAnswers(driver.container, monkeypatch)
            thread = driver.new_thread()
            assert driver.send(thread, "How much does the Pro plan cost?") == 200
            assert held.started.wait(30)
        held.release()
    assert f"{chat}: shutting down with 1 piece(s) of work still running" in caplog.text
    assert driver.bot_messages(thread) == []
    assert delivery_statuses(driver.container) == {FAILED}, "released: a redelivery would be answered"
