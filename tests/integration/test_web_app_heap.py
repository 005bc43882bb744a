"""Once the web app is warm (models loaded), what was allocated so far is frozen out of the
garbage collector's scans, so a full collection no longer stops the event loop (and every
Slack or Teams acknowledgement) for hundreds of milliseconds."""

from __future__ import annotations

import gc

import pytest

from bot.container import Container
from bot.settings import Settings
from bot.web.app import create_app
from tests.chat_drivers.base import wait_until
from tests.fakes.web_app import serve_app

pytestmark = pytest.mark.slow


def test_the_heap_is_frozen_once_the_app_is_ready(tmp_path):
    container = Container(Settings(home=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", _env_file=None))
    container.init_db()
    gc.unfreeze()
    try:
        with serve_app(create_app(container)):  # returns once /readyz says 200: the models are loaded
            frozen = wait_until(gc.get_freeze_count, timeout_s=10)
            assert frozen > 10_000, "the loaded models' objects are frozen"
            gc.collect()
            assert len(gc.get_objects(generation=2)) < frozen, "a full collection scans only what came after"
    finally:
        gc.unfreeze()
        container.engine.dispose()
