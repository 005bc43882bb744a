"""What the shared chat behaviour suite needs from a chat: a driver that talks to the running
web app exactly as Slack or Teams would, and reads back what the bot posted through a local
fake of that chat's API. One driver per chat (slack.py, teams.py)."""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.container import Container
from bot.settings import Settings
from tests.conftest import EXAMPLES, add_and_sync_examples, fresh_database

ACTIONS = ("just_asking", "helpful", "not_right", "talk_to_human")


@dataclass
class BotMessage:
    """One message the bot posted into a thread, as the fake chat API received it."""

    text: str  # the answer text (all text sections joined, without the sources list)
    sources: list[tuple[str, str | None]]  # (title, url) as shown in the Sources section
    actions: list[str]  # names from ACTIONS, in the order shown
    trace_id: str | None  # carried by the buttons; None when there are none
    raw: dict = field(repr=False, default_factory=dict)  # the exact payload the bot sent
    choices: list[str] = field(default_factory=list)  # the answer buttons of a script's question, in order


class ChatDriver(Protocol):
    chat: str  # "slack" | "teams"
    container: Container  # the app's container (same database), for assertions

    def new_thread(self) -> str:
        """A fresh conversation the test can talk in (Slack: a channel message to mention the
        bot in; Teams: a new 1:1 conversation). Returns its key as the driver understands it."""

    def user_id(self, user: str) -> str:
        """The user id the bot records for `user` (e.g. slack:U_ALICE)."""

    def send(self, thread: str, text: str, *, user: str = "alice") -> int:
        """Deliver a message from `user` addressed to the bot (a mention for the first message of a
        Slack thread, a follow-up in the bot's thread after). Returns the HTTP status of the app."""

    def resend_last(self) -> int:
        """Deliver the last message again exactly as the chat retries it."""

    def send_as_bot(self, thread: str, text: str) -> int:
        """A message in the thread authored by the bot itself."""

    def send_edit(self, thread: str, text: str) -> int:
        """An edit of the last user message in the thread."""

    def fail_next_reply(self) -> None:
        """The fake chat API answers the bot's next post with HTTP 500."""

    def bot_messages(self, thread: str) -> list[BotMessage]:
        """Answers and notes the bot posted into the thread so far (not typing/looking-into-it signs)."""

    def updated(self, message: BotMessage) -> BotMessage | None:
        """`message` as the bot last changed it in place (Slack chat.update, Teams activity update); None if never."""

    def click(self, message: BotMessage, action: str, *, user: str = "alice", reason: str = "wrong_fact", details: str = "") -> int:
        """Press a button under `message`; for not_right also fill in and submit the reason form."""

    def click_forged(self, trace_id: str, action: str, *, user: str = "alice") -> int:
        """Press a button whose payload names `trace_id` (e.g. one that does not exist)."""

    def click_answer(self, message: BotMessage, choice: str, *, user: str = "alice") -> int:
        """Press the answer button `choice` under a script's question in `message`."""

    def confirmations(self, thread: str) -> list[str]:
        """What the user was told after pressing buttons (Slack ephemeral or thread messages, Teams messages)."""

    def notices(self) -> list[str]:
        """Texts of escalation notices posted to the support team's channel."""

    def admin(self, thread: str, command: str, *, user: str = "alice") -> str:
        """Run `/supportbot <command>` as `user`; returns what the bot answered."""


def running_driver(chat: str, database: str, tmp_path_factory, script_model: Path, **settings) -> Iterator[ChatDriver]:
    """For a module-scoped fixture: `chat`'s driver on a fresh `database` (a DATABASES param)
    with the example knowledge and script model, until the module is done."""
    home = tmp_path_factory.mktemp(f"chat-{chat}")
    module = importlib.import_module(f"tests.chat_drivers.{chat}")
    with module.open_driver(home, fresh_database(database, home), script_model, **settings) as opened:
        yield opened


def wait_until(condition: Callable[[], object], timeout_s: float = 60.0, step_s: float = 0.05):
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(step_s)


def chat_container(home: Path, database_url: str, script_model: Path, **chat_settings) -> Container:
    """A container on a fresh database with the example knowledge synced and the example script
    model active, configured for one chat by `chat_settings` (Settings fields)."""
    settings = Settings(home=home / "var", database_url=database_url, _env_file=None, **chat_settings)
    container = Container(settings)
    container.init_db()
    add_and_sync_examples(container, EXAMPLES / "help-center")
    container.script_models.register(script_model, activate=True)
    return container


class HeldAnswers:
    """Answers that wait until the test lets them go (polling, so a cancelled answer stops at once)."""

    def __init__(self, container: Container, monkeypatch) -> None:
        self.started = threading.Event()
        self._go = threading.Event()
        backend = container.chat_backend
        answer = backend.answer

        async def held(message):
            self.started.set()
            while not self._go.is_set():
                await asyncio.sleep(0.02)
            return await answer(message)

        monkeypatch.setattr(backend, "answer", held)

    def release(self) -> None:
        self._go.set()
