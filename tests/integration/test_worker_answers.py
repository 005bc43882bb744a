"""With workers and an LLM writer configured, chat answers are computed and posted by a celery
worker on Redis, not by the web process: Slack with a real worker process, Teams with an
in-process worker on the driver's container (its outgoing tokens come from the local fake)."""

from __future__ import annotations

from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from bot.worker import task_names
from bot.worker.celery_app import create_celery_app
from tests.chat_drivers import slack as slack_chat
from tests.chat_drivers import teams as teams_chat
from tests.chat_drivers.base import wait_until
from tests.fakes.celery_processes import worker, worker_env
from tests.fakes.openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.redis, pytest.mark.slow]

QUESTION = "How much does the Pro plan cost?"


@pytest.fixture
def llm():
    with FakeOpenAIServer() as server:
        server.reply("The Pro plan costs $15 per user per month [1].")
        yield server


def _llm_settings(llm, redis_url) -> dict:
    return {"redis_url": redis_url, "llm_base_url": llm.base_url, "llm_model": "support-writer"}


def _deliveries(log: Path) -> list[str]:
    """The worker's log lines of answer deliveries that returned (with True when the reply was posted)."""
    return [line for line in log.read_text().splitlines() if task_names.DELIVER_ANSWER in line and "succeeded" in line]


def test_slack_answers_are_written_and_posted_by_a_worker_process(tmp_path, worker_database_url, redis_url, llm,
                                                                  example_script_model):
    with slack_chat.open_driver(tmp_path, worker_database_url, example_script_model, **_llm_settings(llm, redis_url)) as slack:
        settings = slack.container.settings
        env = worker_env(
            settings.home, worker_database_url, redis_url, llm_base_url=llm.base_url, llm_model="support-writer",
            slack_bot_token=slack_chat.BOT_TOKEN, slack_signing_secret=slack_chat.SIGNING_SECRET,
            slack_api_url=slack.fake.api_url,
        )
        log = tmp_path / "worker.log"
        with worker(env, log):
            thread = slack.new_thread()
            assert slack.send(thread, QUESTION) == 200
            (answer,) = wait_until(lambda: slack.bot_messages(thread), timeout_s=180)
            wait_until(lambda: slack.fake.calls_to("reactions.remove", ok_only=True), timeout_s=30)
            [delivered] = wait_until(lambda: _deliveries(log), timeout_s=30)  # logged once the task returns
            assert "True" in delivered, "the worker answered and posted it"

            scripted = slack.new_thread()  # a Just asking click is answered by the worker too
            slack.send(scripted, "how do I reset my password? I forgot it")
            (started,) = wait_until(lambda: slack.bot_messages(scripted), timeout_s=180)
            assert slack.click(started, "just_asking") == 200
            wait_until(lambda: len(slack.bot_messages(scripted)) == 2, timeout_s=180)
            wait_until(lambda: len(_deliveries(log)) == 3, timeout_s=30)
            assert all("True" in line for line in _deliveries(log))
        assert answer.trace_id and answer.sources, answer
        assert any(QUESTION in str(r.body) for r in llm.requests), "the worker's answer was written by the LLM"
        assert len(slack.fake.calls_to("reactions.add", ok_only=True)) == 2, "one per question, none for the click"
        assert slack.resend_last() == 200
        wait_until(lambda: len(slack.fake.calls_to("chat.postMessage")) >= 1, timeout_s=5)
        assert len(slack.bot_messages(thread)) == 1, "Slack's retry of an answered message is not answered again"


def test_teams_answers_are_handed_to_a_worker_that_replies_to_the_question(tmp_path, worker_database_url, redis_url,
                                                                         llm, example_script_model):
    with teams_chat.open_driver(tmp_path, worker_database_url, example_script_model, **_llm_settings(llm, redis_url)) as teams:
        app = create_celery_app(teams.container.settings, container=lambda: teams.container)
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[task_names.CHAT_QUEUE], shutdown_timeout=30):
            thread = teams.new_thread()
            assert teams.send(thread, QUESTION) == 200
            # the turn runs after the 200, so the note follows it within moments; the answer comes from the worker
            assert wait_until(lambda: teams.looking_into_it_notes(thread), timeout_s=10), \
                "Teams hears at once that the answer is coming"
            (answer,) = wait_until(lambda: teams.bot_messages(thread), timeout_s=180)
        assert answer.trace_id and answer.sources, answer
        assert any(QUESTION in str(r.body) for r in llm.requests)
