"""The Slack adapter: Events API and interactivity over HTTP (or Socket Mode) with slack-bolt,
translated into the chat-neutral ChatBackend calls; Block Kit rendering; escalation notices."""

from bot.slack.app import SlackChat
from bot.slack.notices import SlackNoticeSender
from bot.slack.routes import slack_routes

__all__ = ["SlackChat", "SlackNoticeSender", "slack_routes"]
