"""Which chat's client posts into a conversation from outside a chat request: escalation notices
(to the channel named by SUPPORTBOT_ESCALATION_NOTICES_TO) and answers computed by workers.
Part of the composition root: the chat adapters are imported only for the chat asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from botframework.connector.auth import ServiceClientCredentialsFactory

    from bot.answer_handoff import ReplyPoster
    from bot.escalations import NoticeSender


def notice_sender(settings: Settings, teams_credentials: ServiceClientCredentialsFactory | None) -> NoticeSender | None:
    target = settings.escalation_notices_to
    if not target:
        return None
    chat, _, where = target.partition(":")
    if chat == "slack":
        from bot.slack import SlackNoticeSender

        return SlackNoticeSender(settings, channel=where)
    if chat == "teams":
        from bot.teams import TeamsNoticeSender

        return TeamsNoticeSender(settings, conversation_id=where, credentials_factory=teams_credentials)
    raise ValueError(f"SUPPORTBOT_ESCALATION_NOTICES_TO must start with slack: or teams:, not {target!r}")


def reply_poster(settings: Settings, chat: str, teams_credentials: ServiceClientCredentialsFactory | None) -> ReplyPoster:
    if chat == "slack":
        from bot.slack.reply_poster import SlackReplyPoster

        return SlackReplyPoster(settings)
    if chat == "teams":
        from bot.teams.reply_poster import TeamsReplyPoster

        return TeamsReplyPoster(settings, credentials_factory=teams_credentials)
    raise ValueError(f"no worker can post into {chat!r} conversations")
