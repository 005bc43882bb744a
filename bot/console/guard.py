"""Who may reach the console: every page and API route depends on `require_user` (pages send
a stranger to the sign-in page, the API answers 401), and every state-changing request on
`checked_form`, which also checks the session's CSRF token."""

from __future__ import annotations

import secrets

from fastapi import Depends, Request
from starlette.datastructures import FormData

from bot.console.services import ConsoleServices
from bot.console.sign_in import SignedIn

COOKIE = "supportbot_console"
LOGIN_CSRF_COOKIE = "supportbot_console_login"
API_PREFIXES = ("/console/api/", "/console/export/")


class NotSignedIn(Exception):
    def __init__(self, expired: bool, api: bool, wanted: str) -> None:
        super().__init__("sign in first")
        self.expired, self.api, self.wanted = expired, api, wanted


class Forbidden(Exception):
    pass


class CsrfRejected(Exception):
    pass


def services(request: Request) -> ConsoleServices:
    return request.app.state.container.console


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def require_user(request: Request) -> SignedIn:
    user = services(request).sign_in.session_for(request.cookies.get(COOKIE))
    if user is None:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(
            expired=bool(request.cookies.get(COOKIE)),
            api=request.url.path.startswith(API_PREFIXES),
            wanted=wanted if request.method == "GET" else "/console/",
        )
    request.state.user = user
    return user


def require_admin(user: SignedIn = Depends(require_user)) -> SignedIn:
    if not user.is_admin:
        raise Forbidden()
    return user


async def checked_form(request: Request, user: SignedIn = Depends(require_user)) -> FormData:
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), user.csrf_token.encode()):
        raise CsrfRejected()
    return form


def set_session_cookie(response, token: str, max_age_s: int, secure: bool) -> None:
    response.set_cookie(COOKIE, token, max_age=max_age_s, httponly=True, samesite="lax", secure=secure, path="/console")


def clear_session_cookie(response, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/console", httponly=True, samesite="lax", secure=secure)
