"""The corrections page: every "Not a script" mark and every "this needed script X" a lead made,
whether the active model keeps it yet, and Undo for each."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from bot.console.disputes import Actor
from bot.console.guard import checked_form, client_of, require_user, services
from bot.console.out_of_scope_marks import OutOfScopeError
from bot.console.pages import page
from bot.console.sign_in import SignedIn

router = APIRouter()


@router.get("/console/corrections", include_in_schema=False)
def corrections(request: Request, user: SignedIn = Depends(require_user)):
    return _corrections_page(request)


@router.post("/console/corrections/not-a-script/undo", include_in_schema=False)
def undo_not_a_script(request: Request, form=Depends(checked_form)):
    question = str(form.get("question") or "")[:4000]
    try:
        services(request).corrections.undo_not_a_script(question, _actor(request))
    except OutOfScopeError as exc:
        return _corrections_page(request, 409, str(exc))
    return RedirectResponse("/console/corrections?notice=correction_undone", status_code=303)


@router.post("/console/corrections/needs-script/undo", include_in_schema=False)
def undo_needs_script(request: Request, form=Depends(checked_form)):
    question, script = str(form.get("question") or "")[:4000], str(form.get("script") or "")[:100]
    try:
        services(request).corrections.undo_needs_script(question, script, _actor(request))
    except OutOfScopeError as exc:
        return _corrections_page(request, 409, str(exc))
    return RedirectResponse("/console/corrections?notice=correction_undone", status_code=303)


def _actor(request: Request) -> Actor:
    return Actor(request.state.user.name, client_of(request))


def _corrections_page(request: Request, status: int = 200, error: str = ""):
    return page(request, "corrections.html", status, error=error, view=services(request).corrections.view())
