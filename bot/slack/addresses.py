"""How Slack's ids become the bot's chat-neutral channel and user strings."""

from __future__ import annotations

PREFIX = "slack:"


def channel_key(team_id: str, channel_id: str) -> str:
    """`slack:T1/C2`: where a conversation lives, as traces and channel policies name it."""
    return f"{PREFIX}{team_id}/{channel_id}"


def channel_id_of(key: str) -> str | None:
    """The Slack channel id inside a channel key, or None for a key of another chat."""
    if not key.startswith(PREFIX):
        return None
    return key.removeprefix(PREFIX).rpartition("/")[2] or None


def user_key(user_id: str) -> str:
    return f"{PREFIX}{user_id}"
