"""Which strategy each channel uses (auto, script or retrieval), set by admins at run time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import ChannelPolicy
from strategies.router import Policy


class ChannelPolicyError(ValueError):
    pass


def parse_policy(value: str) -> Policy:
    try:
        return Policy(value.strip().lower())
    except ValueError:
        raise ChannelPolicyError(
            f"unknown policy {value!r}; choose one of {', '.join(p.value for p in Policy)}"
        ) from None


class ChannelPolicies:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, channel: str) -> Policy:
        with self._sessions() as session:
            row = session.get(ChannelPolicy, channel)
            return Policy(row.policy) if row else Policy.AUTO

    def set(self, channel: str, policy: Policy | str, updated_by: str | None = None) -> Policy:
        policy = parse_policy(policy) if isinstance(policy, str) else policy
        if not channel.strip():
            raise ChannelPolicyError("a channel is needed")
        with self._sessions.begin() as session:
            row = session.get(ChannelPolicy, channel)
            if row is None:
                session.add(ChannelPolicy(channel=channel, policy=policy.value, updated_by=updated_by))
            else:
                row.policy, row.updated_by = policy.value, updated_by
        return policy

    def all(self) -> list[ChannelPolicy]:
        with self._sessions() as session:
            return list(session.scalars(select(ChannelPolicy).order_by(ChannelPolicy.channel)))
