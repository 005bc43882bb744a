"""Script model versions: activation proves a version loads first, so a broken one never
replaces the version that serves; a model that disappears leaves the bot answering from docs."""

from __future__ import annotations

import json
import shutil
import uuid

import pytest

from bot.container import Container
from bot.db.models import AnswerTrace
from bot.messages import IncomingMessage
from bot.script_models import ScriptModelError

pytestmark = pytest.mark.slow


def copy_model(source, target, version):
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["version"] = version
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


def test_a_version_that_does_not_load_is_not_activated(container, example_script_model, tmp_path):
    good = container.script_models.register(example_script_model)
    broken = copy_model(example_script_model, tmp_path / "v-broken", "v-broken")
    container.script_models.register(broken, activate=False)
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["format_version"] = 999
    (broken / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(ScriptModelError, match="format version"):
        container.script_models.activate("v-broken")
    with pytest.raises(ScriptModelError, match="no model version 'v-missing'"):
        container.script_models.activate("v-missing")
    assert container.script_models.active().version == good.version


def test_switching_versions_and_back(container, example_script_model, tmp_path):
    container.script_models.register(example_script_model)
    other = copy_model(example_script_model, tmp_path / "v-other", "v-other")
    container.script_models.register(other)
    assert container.script_models.active().version == "v-other"
    assert [r.version for r in container.script_models.all() if r.is_active] == ["v-other"]
    container.script_models.activate("v-test")
    assert container.script_models.active().version == "v-test"


def test_a_vanished_model_directory_leaves_the_docs_answering(settings, example_script_model, tmp_path):
    setup = Container(settings)
    setup.init_db()
    moved = copy_model(example_script_model, tmp_path / "v-gone", "v-gone")
    setup.script_models.register(moved)
    setup.engine.dispose()
    shutil.rmtree(moved)

    restarted = Container(settings)
    try:
        assert restarted.script_strategy is None
        assert any("v-gone" in n and "cannot be loaded" in n for n in restarted.notices)
        reply = restarted.answer_service.handle(
            IncomingMessage(channel="test", conversation_key=uuid.uuid4().hex, user_id="u", text="I forgot my password")
        )
        with restarted.sessions() as session:
            routing = session.get(AnswerTrace, reply.trace_id).routing
        assert routing["route"] in ("retrieval", "escalate") and "no script model is active" in routing["reason"]
    finally:
        restarted.engine.dispose()
