"""A running bot picks up `supportbot models activate`, calibrated thresholds and edited script
files without a restart (bot.router_reload), keeps answering meanwhile, and keeps the model it
has when the newly active one does not load (and the scripts it has when an edit breaks one)."""

from __future__ import annotations

import logging
import shutil
import uuid

import pytest

from bot.container import Container
from bot.db.models import AnswerTrace
from bot.messages import IncomingMessage
from tests.chat_drivers.base import wait_until
from tests.integration.test_script_models import copy_model
from tests.unit.script_files import EXAMPLE_SCRIPTS

pytestmark = pytest.mark.slow


@pytest.fixture
def served(settings, example_script_model):
    """The bot as `supportbot serve` runs it, checking for changes at every answer."""
    container = Container(settings.model_copy(update={"router_reload_s": 0}))
    container.init_db()
    container.script_models.register(example_script_model, activate=True)
    yield container
    container.engine.dispose()


def ask(container, text: str = "I forgot my password") -> AnswerTrace:
    reply = container.answer_service.handle(
        IncomingMessage(channel="test", conversation_key=uuid.uuid4().hex, user_id="u", text=text)
    )
    with container.sessions() as session:
        return session.get(AnswerTrace, reply.trace_id)


def answered_with(container, version: str) -> bool:
    return ask(container).script_model_version == version


def test_a_newly_activated_model_answers_without_a_restart(served, example_script_model, tmp_path):
    assert ask(served).script_model_version == "v-test"
    before = served.router.current
    served.script_models.register(copy_model(example_script_model, tmp_path / "v-next", "v-next"), activate=True)

    wait_until(lambda: answered_with(served, "v-next"), timeout_s=60, step_s=0.2)
    assert served.router.current is not before


def test_calibrated_thresholds_apply_without_a_restart(served):
    assert ask(served).routing["route"] == "script"
    setting = served.threshold_settings.save(
        created_by="lead", min_confidence=1.01, min_similarity=0.9, model_version="v-test", eval_set="set.jsonl",
        eval_set_sha256="0" * 64, max_wrong_rate=0.05, metrics={},
    )

    wait_until(lambda: ask(served).routing["thresholds"].get("setting_id") == setting.id, timeout_s=60, step_s=0.2)
    routing = ask(served).routing
    assert routing["route"] != "script", "nothing is confident enough at 1.01"
    assert routing["retrieval"]["min_similarity"] == 0.9


def test_a_newly_active_model_that_does_not_load_leaves_the_current_one_answering(served, example_script_model, tmp_path, caplog):
    ask(served)
    serving = served.router.current
    gone = copy_model(example_script_model, tmp_path / "v-gone", "v-gone")
    served.script_models.register(gone, activate=True)
    shutil.rmtree(gone)  # deleted after activation

    with caplog.at_level(logging.ERROR, logger="bot.router_reload"):
        wait_until(lambda: ask(served) and "could not switch to script model v-gone" in caplog.text, timeout_s=60, step_s=0.2)
    assert served.router.current is serving
    assert ask(served).script_model_version == "v-test"


@pytest.fixture
def served_scripts(settings, example_script_model, tmp_path):
    """As `served`, following a copy of the example scripts that the test edits."""
    scripts = tmp_path / "scripts"
    shutil.copytree(EXAMPLE_SCRIPTS, scripts)
    container = Container(settings.model_copy(update={"router_reload_s": 0, "scripts_dir": scripts}))
    container.init_db()
    container.script_models.register(example_script_model, activate=True)
    yield container, scripts
    container.engine.dispose()


def test_an_edited_script_message_is_said_without_a_restart_and_the_model_is_not_loaded_again(served_scripts):
    served, scripts = served_scripts
    assert "let's get you back in" in ask(served).answer
    model = served.active_script_model()
    path = scripts / "reset_password.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("let's get you back in", "we'll have you signed in shortly"),
                    encoding="utf-8")

    wait_until(lambda: "we'll have you signed in shortly" in ask(served).answer, timeout_s=60, step_s=0.2)
    assert served.active_script_model() is model


def test_a_broken_script_edit_leaves_the_script_answering_as_before(served_scripts, caplog):
    served, scripts = served_scripts
    ask(served)
    path = scripts / "reset_password.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("next: arrived", "next: nowhere"), encoding="utf-8")

    with caplog.at_level(logging.ERROR, logger="strategies.scripts.folder"):
        wait_until(lambda: ask(served) and "reset_password.yaml now have problems" in caplog.text, timeout_s=60, step_s=0.2)
    trace = ask(served)
    assert trace.script_id == "reset_password"
    assert "let's get you back in" in trace.answer


def test_a_script_the_model_was_not_trained_on_is_named_in_the_log(served_scripts, caplog):
    served, scripts = served_scripts
    ask(served)
    shutil.copy(scripts / "reset_password.yaml", scripts / "reset_pin.yaml")
    path = scripts / "reset_pin.yaml"
    text = path.read_text(encoding="utf-8").replace("id: reset_password", "id: reset_pin")
    path.write_text(text.replace("password", "pin"), encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="bot.container"):
        wait_until(lambda: ask(served) and "only after `supportbot train`: reset_pin" in caplog.text, timeout_s=60, step_s=0.2)
