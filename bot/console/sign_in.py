"""Signing in and out of the console: password check with throttling, and server-side sessions.

The browser holds a random token in an HttpOnly cookie; the table holds its SHA-256, the
account, the session's CSRF token and when it expires."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.audit_log import record
from bot.console.passwords import password_matches
from bot.db.base import as_utc, utcnow
from bot.db.models import ConsoleAccount, ConsoleSession, SignInAttempt


@dataclass(frozen=True)
class SignInRules:
    session_lifetime: timedelta
    failures_per_account: int
    failures_per_client: int
    throttle_window: timedelta


@dataclass(frozen=True)
class SignedIn:
    """The account behind a valid session, as the request handlers see it."""

    account_id: int
    name: str
    role: str
    csrf_token: str
    expires_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class SignInRefused(Exception):
    """A wrong name or password, or too many of them lately: `message` is what the person reads."""

    def __init__(self, message: str, throttled: bool = False) -> None:
        super().__init__(message)
        self.message, self.throttled = message, throttled


KEEP_SIGN_IN_RECORDS = timedelta(days=1)
WRONG_CREDENTIALS = "That name and password do not match an account."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleSignIn:
    def __init__(self, sessions: sessionmaker[Session], rules: SignInRules) -> None:
        self._sessions, self.rules = sessions, rules

    def sign_in(self, name: str, password: str, client: str) -> tuple[str, SignedIn]:
        """Returns the new session's cookie token; raises SignInRefused."""
        name = name.strip()[:200]
        with self._sessions.begin() as session:
            account = session.scalar(select(ConsoleAccount).where(ConsoleAccount.name == name)) if name else None
            # A name that is no account may be a password typed in the wrong field: keep only its hash.
            who = name if account is not None else f"unknown:{token_hash(name)[:16]}"
            wait = self._throttled_for(session, who, client)
            if wait is not None:
                session.add(SignInAttempt(account_name=who, client_address=client, succeeded=False))
                record(session, who, "sign_in_throttled", f"account:{who}", client)
                minutes = max(1, math.ceil(wait.total_seconds() / 60))
                raise SignInRefused(
                    f"Too many wrong passwords. Sign-in is paused for about {minutes} minute(s); try again then.",
                    throttled=True,
                )
            usable = account is not None and account.disabled_at is None
            ok = password_matches(account.password_hash if usable else None, password)
            session.add(SignInAttempt(account_name=who, client_address=client, succeeded=ok))
            if not ok:
                record(session, who, "sign_in_failed", f"account:{who}", client)
        if not ok:
            raise SignInRefused(WRONG_CREDENTIALS)
        token = secrets.token_urlsafe(32)
        expires_at = utcnow() + self.rules.session_lifetime
        with self._sessions.begin() as session:
            self._forget_old(session)
            row = ConsoleSession(
                token_hash=token_hash(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32), expires_at=expires_at
            )
            session.add(row)
            record(session, account.name, "sign_in", f"account:{account.name}", client)
            signed = SignedIn(account.id, account.name, account.role, row.csrf_token, expires_at)
        return token, signed

    def session_for(self, token: str | None) -> SignedIn | None:
        """The signed-in account, or None for no token, an unknown, ended or expired session."""
        if not token:
            return None
        with self._sessions() as session:
            row = session.execute(
                select(ConsoleSession, ConsoleAccount)
                .join(ConsoleAccount, ConsoleAccount.id == ConsoleSession.account_id)
                .where(ConsoleSession.token_hash == token_hash(token))
            ).first()
        if row is None:
            return None
        held, account = row
        if held.ended_at is not None or as_utc(held.expires_at) <= utcnow() or account.disabled_at is not None:
            return None
        return SignedIn(account.id, account.name, account.role, held.csrf_token, as_utc(held.expires_at))

    def sign_out(self, token: str, client: str) -> None:
        with self._sessions.begin() as session:
            held = session.get(ConsoleSession, token_hash(token))
            if held is not None and held.ended_at is None:
                held.ended_at = utcnow()
                account = session.get(ConsoleAccount, held.account_id)
                record(session, account.name, "sign_out", f"account:{account.name}", client)

    def _forget_old(self, session: Session) -> None:
        """Attempts and sessions past any use (the audit log keeps who signed in when)."""
        cutoff = utcnow() - max(self.rules.throttle_window, KEEP_SIGN_IN_RECORDS)
        session.execute(delete(SignInAttempt).where(SignInAttempt.created_at < cutoff))
        session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < utcnow() - KEEP_SIGN_IN_RECORDS))

    def _throttled_for(self, session: Session, name: str, client: str) -> timedelta | None:
        """How long until the next attempt is allowed, or None when it is allowed now."""
        since = utcnow() - self.rules.throttle_window
        waits = []
        # An account's owner signing in clears its count; an address's count is not cleared by a
        # success, or one valid account would let its holder guess at every other.
        for column, value, limit, cleared_by_success in (
            (SignInAttempt.account_name, name, self.rules.failures_per_account, True),
            (SignInAttempt.client_address, client, self.rules.failures_per_client, False),
        ):
            last_success = cleared_by_success and session.scalar(
                select(func.max(SignInAttempt.created_at)).where(column == value, SignInAttempt.succeeded.is_(True))
            )
            start = max(since, as_utc(last_success)) if last_success else since
            failures = session.scalars(
                select(SignInAttempt.created_at)
                .where(column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.created_at > start)
                .order_by(SignInAttempt.created_at.desc())
                .limit(limit)
            ).all()
            if len(failures) >= limit:
                # paused until the oldest of the last `limit` failures leaves the window
                waits.append(as_utc(failures[-1]) + self.rules.throttle_window - utcnow())
        return max(waits) if waits else None
