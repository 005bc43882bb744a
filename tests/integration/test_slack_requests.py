"""Requests the Slack endpoint must refuse or ignore: bad signatures, stale timestamps,
unparsable bodies, events it does not handle, messages not addressed to the bot; and an event
is acknowledged before its answer is worked out."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import httpx
import pytest

from tests.chat_drivers.base import running_driver, wait_until
from tests.chat_drivers.slack import BOT_TOKEN, SIGNING_SECRET
from tests.conftest import DATABASES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=DATABASES)
def slack(request, tmp_path_factory, example_script_model):
    yield from running_driver("slack", request.param, tmp_path_factory, example_script_model)


def settle(seconds: float = 1.0) -> None:
    """Time for a background answer that should not come to show up, if it wrongly did."""
    time.sleep(seconds)


def _mention(slack, thread: str, text: str) -> dict:
    return {**slack.user_message(thread, f"<@U_SUPPORTBOT> {text}"), "type": "app_mention"}


def _event_body(event: dict) -> str:
    return json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "EvBAD", "event": event})


def test_a_forged_signature_is_refused(slack):
    thread = slack.new_thread()
    body = _event_body(_mention(slack, thread, "How much does the Pro plan cost?"))
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    response = httpx.post(f"{slack.base_url}/slack/events", content=body, headers={"Content-Type": "application/json", **forged})
    assert response.status_code == 401
    settle()
    assert slack.bot_messages(thread) == []


def test_a_correctly_signed_but_stale_request_is_refused(slack):
    thread = slack.new_thread()
    body = _event_body(_mention(slack, thread, "How much does the Pro plan cost?"))
    assert slack.post(body, "application/json", timestamp=int(time.time()) - 6 * 60).status_code == 401
    settle()
    assert slack.bot_messages(thread) == []


def test_the_url_verification_challenge_is_answered(slack):
    body = json.dumps({"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    response = slack.post(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_a_malformed_body_is_a_client_error_with_a_log_line_and_nothing_is_posted(slack, caplog):
    posted_before = len(slack.fake.calls_to("chat.postMessage"))
    with caplog.at_level(logging.WARNING, logger="bot.slack.routes"):
        assert slack.post('{"type": "event_callback", "event": {', "application/json").status_code == 400
        odd_shape = '{"type": "event_callback", "event": {"type": "message", "channel": 5}}'
        assert slack.post(odd_shape, "application/json").status_code == 400
        assert slack.post("payload=%7Bnot-json", "application/x-www-form-urlencoded").status_code == 400
        unsigned = httpx.post(f"{slack.base_url}/slack/events", content=b'{"type": ', headers={"Content-Type": "application/json"})
        assert unsigned.status_code == 401
    assert "could not be parsed" in caplog.text and "invalid signature" in caplog.text
    settle(0.5)
    assert len(slack.fake.calls_to("chat.postMessage")) == posted_before


def test_an_event_type_the_bot_does_not_handle_is_acknowledged_and_ignored(slack, caplog):
    with caplog.at_level(logging.INFO, logger="bot.slack.app"):
        status = slack.deliver_event({"type": "reaction_added", "user": "U_ALICE", "reaction": "tada",
                                      "item": {"type": "message", "channel": "C1", "ts": "1.0"}})
        assert status == 200
        settle(0.5)
    assert "ignored slack event" in caplog.text.lower() and "reaction_added" in caplog.text


def test_a_message_in_a_thread_the_bot_is_not_part_of_is_not_answered(slack):
    thread = slack.new_thread()
    slack._started.add(thread)  # the thread's root exists; the bot was never mentioned in it
    assert slack.deliver_event(slack.user_message(thread, "How much does the Pro plan cost?")) == 200
    top_level = slack.new_thread()
    assert slack.deliver_event(slack.user_message(top_level, "How much does the Pro plan cost?")) == 200
    settle(1.5)
    assert slack.bot_messages(thread) == [] and slack.bot_messages(top_level) == []
    assert slack.fake.calls_to("conversations.replies") == []


def test_a_mention_arriving_as_app_mention_and_as_message_is_answered_once(slack, caplog):
    thread = slack.new_thread()
    with caplog.at_level(logging.DEBUG):
        assert slack.send(thread, "Which currencies can I invoice in?") == 200  # delivers both events
        [_answer] = wait_until(lambda: slack.bot_messages(thread))
        settle()
    assert len(slack.bot_messages(thread)) == 1
    assert "duplicate delivery" in caplog.text
    assert BOT_TOKEN not in caplog.text and SIGNING_SECRET not in caplog.text
    assert len(slack.fake.calls_to("auth.test")) == 1  # bolt learns the bot's user id once
    ts = thread.split("/")[1]
    for method in ("reactions.add", "reactions.remove"):  # the looking-into-it sign, once, then gone
        assert [c.args["name"] for c in slack.fake.calls_to(method) if c.args.get("timestamp") == ts] == ["eyes"]


def test_an_event_is_acknowledged_before_its_answer_is_worked_out(slack, monkeypatch):
    backend = slack.container.chat_backend
    answer, started, go = backend.answer, threading.Event(), threading.Event()

    async def held(message):
        started.set()
        while not go.is_set():
            await asyncio.sleep(0.02)
        return await answer(message)

    monkeypatch.setattr(backend, "answer", held)
    thread = slack.new_thread()
    assert slack.deliver_event(_mention(slack, thread, "How much does the Pro plan cost?")) == 200  # answer held
    assert started.wait(30), "the answer is worked out after the response"
    ts = thread.split("/")[1]
    wait_until(lambda: [c for c in slack.fake.calls_to("reactions.add") if c.args.get("timestamp") == ts], 10)
    assert slack.bot_messages(thread) == []

    go.set()
    [_answer] = wait_until(lambda: slack.bot_messages(thread))
