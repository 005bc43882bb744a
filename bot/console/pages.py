"""Rendering console pages: Jinja2 with autoescaping on for every template, so a question or a
document holding HTML or script shows as text. No template marks data as safe."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.db.base import as_utc

TEMPLATES = Path(__file__).with_name("templates")
SECURITY_HEADERS = {
    # No inline script anywhere, and nothing from another origin: the console works offline.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
NOTICES = {
    "signed_out": "You are signed out.",
    "labelled": "Label saved.",
    "dispute_opened": "Dispute opened.",
    "in_review": "The dispute is in review.",
    "judged": "Verdict saved.",
    "judged_posted": "Verdict saved, and the correction was posted into the user's thread.",
    "posted": "The correction was posted into the user's thread.",
    "promoted": "Added as a verified FAQ entry, an evaluation case and a training example; the FAQ source is syncing.",
    "promoted_not_a_script": "Added as a verified FAQ entry, an evaluation case and a training example; the FAQ source is "
    "syncing. A script answered this question, so it was also added to the out-of-scope messages: after the next "
    "`supportbot train` no script starts on it and the FAQ entry answers.",
    "promoted_script_example": "Added as a verified FAQ entry, an evaluation case and a training example; the FAQ source is "
    "syncing. But the question is one of a script's examples, so that script still starts on it: edit its examples.",
    "claimed": "You claimed this escalation; the bot stays quiet in that thread until you close it.",
    "replied": "Your reply was posted into the thread.",
    "resolved": "Resolved; the bot answers in that thread again.",
    "handed_back": "Handed back to the bot.",
    "out_of_scope": "Added to the out-of-scope messages: the next `supportbot train` learns that it is not a script.",
    "correction_undone": "Undone: the next `supportbot train` no longer learns it; until then the active model keeps it.",
    "out_of_scope_undone": "Taken out of the out-of-scope messages: the active model keeps its verdict until the next `supportbot train`.",
}


def _when(moment: datetime | None) -> str:
    return f"{as_utc(moment):%Y-%m-%d %H:%M:%S} UTC" if moment else ""


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours < 48 else f"{hours // 24} days {hours % 24} h"


def _http_url(url: str | None) -> str:
    """Only http(s) links: a document could carry a `javascript:` URL, which escaping does not stop."""
    return url if url and url.lower().startswith(("http://", "https://")) else ""


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    env.filters["duration"] = _duration
    env.filters["http_url"] = _http_url
    env.filters["percent"] = lambda value: f"{value:.0%}"
    return env


_env = _environment()


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    context.setdefault("error", "")
    context.setdefault("draft", {})
    html = _env.get_template(template).render(
        user=user, csrf_token=user.csrf_token if user else "", notice=notice, path=request.url.path, **context
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
