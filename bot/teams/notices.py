"""Escalation notices posted to the support team's Teams channel through the Bot Connector.
Called from worker threads (never the event loop), so it uses the synchronous connector client."""

from __future__ import annotations

import asyncio
import logging

from botframework.connector import ConnectorClient
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot.chat_labels import ESCALATION_REASON_LABELS
from bot.escalations import EscalationNotice
from bot.settings import Settings
from bot.teams.auth import OAUTH_SCOPE, app_credentials_factory, login_url
from bot.teams.render import shorten, text_activity

log = logging.getLogger(__name__)


class TeamsNoticeSender:
    def __init__(
        self,
        settings: Settings,
        conversation_id: str,
        credentials_factory: ServiceClientCredentialsFactory | None = None,  # as TeamsChat: tests pass a local one
    ) -> None:
        if not conversation_id:
            raise ValueError("SUPPORTBOT_ESCALATION_NOTICES_TO needs a Teams conversation id: teams:<conversation id>")
        self._settings = settings
        self._conversation_id = conversation_id
        self._credentials = credentials_factory or app_credentials_factory(settings)

    def send(self, notice: EscalationNotice) -> None:
        # botbuilder's credential factories are coroutines that do no I/O; this thread has no loop.
        credentials = asyncio.run(
            self._credentials.create_credentials(
                self._settings.teams_app_id, OAUTH_SCOPE, login_url(self._settings), True
            )
        )
        activity = text_activity(notice_text(notice))
        with ConnectorClient(credentials, base_url=self._settings.teams_notice_service_url) as client:
            client.conversations.send_to_conversation(self._conversation_id, activity)
        log.info("teams: escalation %s posted to %s", notice.escalation_id, self._conversation_id)


def notice_text(notice: EscalationNotice) -> str:
    """Question and evidence first: when Teams' size limit shortens a notice, the answer goes."""
    lines = [
        f"**Escalation #{notice.escalation_id}** ({ESCALATION_REASON_LABELS.get(notice.reason, notice.reason)}) in {notice.channel}",
        f"Asked by {notice.requested_by}" if notice.requested_by else "",
        f"**Question:** {shorten(notice.question, 2000) or '(none)'}",
    ]
    if notice.evidence:
        lines.append("**Evidence:**")
        lines += [f"- [{e.title}]({e.url})" if e.url else f"- {e.title}" for e in notice.evidence]
    if notice.trace_id:
        lines.append(f"Trace: {notice.trace_id}")
    lines.append(f"**The bot answered:** {notice.answer or '(nothing)'}")
    return "\n\n".join(line for line in lines if line)
