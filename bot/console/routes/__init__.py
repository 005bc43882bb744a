"""Mounts the console on the web app: its routes, its static files, and what a request that is
not signed in, not allowed, or without a valid CSRF token gets back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from bot.console.guard import CsrfRejected, Forbidden, NotSignedIn, clear_session_cookie, services
from bot.console.pages import page
from bot.console.routes import admin, api, auth, corrections, dashboard, disputes, escalations, exports, traces

STATIC = Path(__file__).resolve().parents[1] / "static"


def mount_console(app: FastAPI) -> None:
    for module in (auth, traces, disputes, escalations, dashboard, corrections, exports, admin, api):
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    @app.get("/console", include_in_schema=False)
    @app.get("/console/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/console/traces", status_code=303)

    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)


def _not_signed_in(request: Request, exc: NotSignedIn):
    secure = services(request).settings.console_secure_cookies
    if exc.api:
        message = "your console session has expired; sign in again" if exc.expired else "sign in to the console first"
        response = JSONResponse({"detail": message}, status_code=401)
    else:
        query = {"next": exc.wanted, **({"expired": "1"} if exc.expired else {})}
        response = RedirectResponse(f"/console/login?{urlencode(query)}", status_code=303)
    if exc.expired:
        clear_session_cookie(response, secure)
    return response


def _forbidden(request: Request, exc: Forbidden):
    return page(request, "error.html", 403, title="Admins only", message="This page is for console admins.")


def _csrf_rejected(request: Request, exc: CsrfRejected):
    return page(
        request, "error.html", 403, title="Form expired",
        message="This form was not sent from a current console page. Go back, reload the page and send it again.",
    )
