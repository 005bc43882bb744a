"""The console's JSON API (same sign-in, 401 without it): who is signed in, the trace list
with the list page's filters and cursor, and one trace."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bot.console.guard import require_user, services
from bot.console.sign_in import SignedIn
from bot.console.trace_filters import FilterError, TraceFilters
from bot.console.trace_list import CursorError, trace_page
from bot.trace_queries import evidence_status, find_trace

router = APIRouter()


@router.get("/console/api/session")
def who(user: SignedIn = Depends(require_user)) -> dict:
    return {"name": user.name, "role": user.role, "expires_at": user.expires_at.isoformat(), "csrf_token": user.csrf_token}


@router.get("/console/api/traces")
def traces(request: Request, user: SignedIn = Depends(require_user)):
    console = services(request)
    try:
        filters = TraceFilters.parse(request.query_params)
        with console.sessions() as session:
            found = trace_page(session, filters, console.low_confidence, request.query_params.get("after") or None)
    except (FilterError, CursorError) as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    return {
        "traces": [{**row.__dict__, "created_at": row.created_at.isoformat()} for row in found.rows],
        "next": found.next_cursor,
    }


@router.get("/console/api/traces/{trace_id}")
def trace(request: Request, trace_id: str, user: SignedIn = Depends(require_user)):
    with services(request).sessions() as session:
        found = find_trace(session, trace_id)
        if found is None:
            return JSONResponse({"detail": f"no trace {trace_id!r}"}, status_code=404)
        statuses = evidence_status(session, found)
        data = {c.name: getattr(found, c.name) for c in found.__table__.columns}
        data["created_at"] = found.created_at.isoformat()
        data["evidence"] = [
            {**{c.name: getattr(e, c.name) for c in e.__table__.columns}, "document_now": statuses[e.id].state}
            for e in found.evidence
        ]
        return data
