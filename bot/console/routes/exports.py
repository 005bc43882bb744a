"""Downloads: the filtered trace list, and reviewed pairs, as CSV or JSON Lines."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse

from bot.console.audit_log import record
from bot.console.guard import client_of, require_user, services
from bot.console.sign_in import SignedIn
from bot.console.trace_export import FORMATS, pairs_export, traces_export
from bot.console.trace_filters import FilterError, TraceFilters

router = APIRouter()
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
WHAT = {"traces": traces_export, "pairs": pairs_export}


@router.get("/console/export/{what}.{fmt}", include_in_schema=False)
def export(request: Request, what: str, fmt: str, user: SignedIn = Depends(require_user)):
    if what not in WHAT or fmt not in FORMATS:
        return JSONResponse({"detail": "export traces or pairs, as .csv or .jsonl"}, status_code=404)
    try:
        filters = TraceFilters.parse(request.query_params)
    except FilterError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    console = services(request)
    with console.sessions.begin() as session:
        record(session, user.name, "exported", f"export:{what}", client_of(request), format=fmt, filters=filters.as_dict())
    name = f"supportbot-{what}-{datetime.now(UTC):%Y%m%d-%H%M%S}.{fmt}"
    return StreamingResponse(
        WHAT[what](console.sessions, filters, console.low_confidence, fmt), media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
