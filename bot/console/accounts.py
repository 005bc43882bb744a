"""Console accounts: adding one, changing its password or role, listing them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.passwords import hash_password
from bot.db.base import utcnow
from bot.db.models import ConsoleAccount
from bot.db.models.account import ROLES


class AccountError(ValueError):
    pass


def add_account(sessions: sessionmaker[Session], name: str, role: str, password: str) -> ConsoleAccount:
    name = name.strip()
    if not name or len(name) > 200 or any(c.isspace() for c in name):
        raise AccountError("an account name is 1-200 characters without spaces")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    password_hash = hash_password(password)
    with sessions.begin() as session:
        if session.scalar(select(ConsoleAccount.id).where(ConsoleAccount.name == name)) is not None:
            raise AccountError(f"an account named {name!r} already exists")
        account = ConsoleAccount(name=name, role=role, password_hash=password_hash)
        session.add(account)
    return account


def set_password(sessions: sessionmaker[Session], name: str, password: str) -> None:
    password_hash = hash_password(password)
    with sessions.begin() as session:
        account = _account(session, name)
        account.password_hash = password_hash


def disable_account(sessions: sessionmaker[Session], name: str) -> None:
    with sessions.begin() as session:
        account = _account(session, name)
        account.disabled_at = account.disabled_at or utcnow()


def list_accounts(session: Session) -> list[ConsoleAccount]:
    return list(session.scalars(select(ConsoleAccount).order_by(ConsoleAccount.name)))


def _account(session: Session, name: str) -> ConsoleAccount:
    account = session.scalar(select(ConsoleAccount).where(ConsoleAccount.name == name))
    if account is None:
        raise AccountError(f"no account named {name!r}; see `supportbot users list`")
    return account
