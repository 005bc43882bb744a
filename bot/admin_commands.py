"""Admin commands typed in a chat (`/supportbot ...` in Slack and Teams): sync status, start a
sync, and the channel's answering strategy. Chat-neutral: the adapter passes the text after
the command and gets the text to show back."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.catalog import SourceCatalog, SourceCatalogError
from bot.channel_policies import ChannelPolicies, ChannelPolicyError
from bot.sync_status import describe_sync_state

log = logging.getLogger(__name__)

COMMANDS = ("help", "status", "sync", "strategy")
HELP = (
    "Commands: `status` (each source's sync: running, last result, schedule), `sync [SOURCE]` (start a sync of one or all sources), "
    "`strategy` (how this channel is answered), `strategy set auto|script|retrieval`."
)


class AdminCommands:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        sources: SourceCatalog,
        admins: list[str],
        start_sync: Callable[[str], None],
    ) -> None:
        self._sessions = sessions
        self._sources = sources
        self._policies = ChannelPolicies(sessions)
        self._admins = set(admins)
        self._start_sync = start_sync

    def run(self, actor: str, channel: str, text: str) -> str:
        """`actor` is the chat-qualified user id (slack:U123); `channel` the bot's channel id."""
        if actor not in self._admins:
            log.warning("admin command refused for %s in %s: not in SUPPORTBOT_ADMIN_USERS", actor, channel)
            return "Only supportbot admins can use this command (ask one to add you to SUPPORTBOT_ADMIN_USERS)."
        words = text.split()
        match words:
            case [] | ["help"]:
                return HELP
            case ["status"]:
                return self._status()
            case ["sync", *names]:
                return self._sync(names)
            case ["strategy"]:
                return f"This channel uses `{self._policies.get(channel).value}`."
            case ["strategy", "set", policy]:
                try:
                    chosen = self._policies.set(channel, policy, updated_by=actor)
                except ChannelPolicyError as exc:
                    return str(exc)
                return f"This channel now uses `{chosen.value}`."
            case _:
                return f"I don't know `{text.strip()[:100]}`. {HELP}"

    def _status(self) -> str:
        sources = self._sources.all()
        if not sources:
            return "No sources yet: add one with `supportbot sources add`."
        with self._sessions() as session:
            return "\n".join(f"• {source.name}: {describe_sync_state(session, source)}" for source in sources)

    def _sync(self, names: list[str]) -> str:
        try:
            targets = [self._sources.get(n).name for n in names] if names else [s.name for s in self._sources.all()]
        except SourceCatalogError as exc:
            return str(exc)
        if not targets:
            return "No sources to sync."
        for name in targets:
            self._start_sync(name)
        return f"Started syncing {', '.join(targets)}. `status` shows how it went."
