"""Builds the console's services from the container (called once, by `Container.console`)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.console.corrections import Corrections
from bot.console.out_of_scope_marks import OutOfScopeMarks
from bot.console.promotions import Promotions, console_files
from bot.console.services import ConsoleServices
from bot.console.sign_in import ConsoleSignIn, SignInRules
from bot.console.thread_posts import ThreadMessages, ThreadPoster

if TYPE_CHECKING:
    from bot.container import Container


def build_console(container: Container) -> ConsoleServices:
    settings = container.settings
    rules = SignInRules(
        session_lifetime=timedelta(hours=settings.console_session_hours),
        failures_per_account=settings.console_failed_sign_ins_per_account,
        failures_per_client=settings.console_failed_sign_ins_per_client,
        throttle_window=timedelta(minutes=settings.console_throttle_minutes),
    )

    def messages_for(chat: str) -> ThreadMessages:
        if chat == "slack":
            from bot.slack.thread_messages import SlackThreadMessages

            return SlackThreadMessages(settings)
        if chat == "teams":
            from bot.teams.thread_messages import TeamsThreadMessages

            return TeamsThreadMessages(settings, credentials_factory=container.teams_credentials)
        raise ValueError(f"the console cannot post into {chat!r} conversations")

    files = console_files(settings)
    out_of_scope = OutOfScopeMarks(container.sessions, files, lambda: container.scripts)
    promotions = Promotions(
        container.sessions,
        container.sources,
        files,
        start_sync=lambda name: container.background.sync_source(name, "console"),
        known_scripts=lambda: set(container.scripts.scripts),
        mark_not_a_script=out_of_scope.add,
    )

    return ConsoleServices(
        settings=settings,
        sessions=container.sessions,
        sign_in=ConsoleSignIn(container.sessions, rules),
        poster=ThreadPoster(container.sessions, messages_for),
        promotions=promotions,
        scripts=lambda: container.scripts,
        out_of_scope=out_of_scope,
        corrections=Corrections(container.sessions, out_of_scope, container.script_models.active, lambda: container.scripts),
    )
