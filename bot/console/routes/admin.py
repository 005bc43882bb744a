"""Admin-only pages: the audit log and the list of accounts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from bot.console.accounts import list_accounts
from bot.console.audit_log import recent_entries
from bot.console.guard import require_admin, services
from bot.console.pages import page
from bot.console.sign_in import SignedIn

router = APIRouter()


@router.get("/console/audit", include_in_schema=False)
def audit(request: Request, before: int | None = None, actor: str = "", user: SignedIn = Depends(require_admin)):
    with services(request).sessions() as session:
        entries = recent_entries(session, before_id=before, actor=actor.strip() or None)
        accounts = list_accounts(session)
        return page(request, "audit.html", entries=entries, accounts=accounts, actor=actor,
                    older=entries[-1].id if len(entries) == 200 else None)
