"""Signing in and out."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from bot.console.guard import (
    COOKIE, LOGIN_CSRF_COOKIE, checked_form, clear_session_cookie, client_of, services, set_session_cookie,
)
from bot.console.pages import page
from bot.console.sign_in import SignInRefused

EXPIRED = "Your session has expired. Sign in again to continue; nothing you saved was lost."

router = APIRouter()


@router.get("/console/login", include_in_schema=False)
def login_page(request: Request, next: str = "/console/", expired: int = 0):
    return _login_form(request, next, error=EXPIRED if expired else "")


@router.post("/console/login", include_in_schema=False)
async def login(request: Request):
    form = await request.form()
    name, wanted = str(form.get("name") or ""), _local(str(form.get("next") or "/console/"))
    sent, expected = str(form.get("csrf_token") or ""), request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        return _login_form(request, wanted, "The sign-in form expired; please try again.", name, status=400)
    console = services(request)
    try:
        token, signed = console.sign_in.sign_in(name, str(form.get("password") or ""), client_of(request))
    except SignInRefused as refused:
        return _login_form(request, wanted, refused.message, name, status=429 if refused.throttled else 401)
    response = RedirectResponse(wanted, status_code=303)
    set_session_cookie(response, token, int(console.sign_in.rules.session_lifetime.total_seconds()), console.settings.console_secure_cookies)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@router.post("/console/logout", include_in_schema=False)
def logout(request: Request, _form=Depends(checked_form)):
    console = services(request)
    console.sign_in.sign_out(request.cookies.get(COOKIE, ""), client_of(request))
    response = RedirectResponse("/console/login?notice=signed_out", status_code=303)
    clear_session_cookie(response, console.settings.console_secure_cookies)
    return response


def _login_form(request: Request, wanted: str, error: str = "", name: str = "", status: int = 200):
    token = secrets.token_urlsafe(32)  # double-submit: the form's field must match this cookie
    response = page(request, "login.html", status, login_csrf=token, next=_local(wanted), name=name, error=error)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
        secure=services(request).settings.console_secure_cookies, path="/console/login",
    )
    return response


def _local(target: str) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console") or target.startswith("//"):
        return "/console/"
    return target
