"""Microsoft Teams: Bot Framework activities at /api/messages, answered with Adaptive Cards, and
escalation notices to a support channel. Translation only; the bot's rules live in ChatBackend."""

from bot.teams.chat import TeamsChat
from bot.teams.notices import TeamsNoticeSender
from bot.teams.routes import teams_routes

__all__ = ["TeamsChat", "TeamsNoticeSender", "teams_routes"]
