"""`/healthz`: the process answers. `/readyz`: the database is at the latest migration, the
search index opens and the models are loaded, so a load balancer only sends traffic here
once the first question will not wait for a model load."""

from __future__ import annotations

import asyncio
import logging
import threading

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.container import Container
from bot.db.engine import alembic_config

log = logging.getLogger(__name__)


class Readiness:
    """Warms the answering path up once on a background thread and remembers the outcome."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self.warm = threading.Event()
        self.error: str | None = None

    def start(self) -> None:
        threading.Thread(target=self._warm_up, name="warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            self._container.answer_service  # noqa: B018  (builds the router, scripts and index)
            self._container.router.warm_up()
        except Exception as exc:
            log.exception("warming up failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.warm.set()

    def check(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if not self.warm.is_set():
            problems["models"] = "loading"
        elif self.error:
            problems["models"] = self.error
        try:
            with self._container.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
            head = ScriptDirectory.from_config(alembic_config(self._container.engine)).get_current_head()
            if current != head:
                problems["database"] = f"at migration {current}, expected {head}: run `supportbot migrate`"
        except Exception as exc:
            problems["database"] = f"{type(exc).__name__}: {exc}"
        return problems


def health_routes(readiness: Readiness) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        problems = await asyncio.to_thread(readiness.check)
        if problems:
            return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    return router
