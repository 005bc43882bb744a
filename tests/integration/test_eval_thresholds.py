"""Calibrated router thresholds: stored with their history, applied when the container builds
the router (overriding the model's own calibration), recorded in every trace, reversible."""

from __future__ import annotations

import uuid

import pytest

from bot.container import Container
from bot.db.models import AnswerTrace
from bot.evaluation.thresholds import ThresholdSettingError
from bot.messages import IncomingMessage

pytestmark = pytest.mark.slow


def save(container, **values):
    defaults = dict(created_by="lead", min_confidence=None, min_similarity=None, model_version="v-test",
                    eval_set="set.jsonl", eval_set_sha256="0" * 64, max_wrong_rate=0.05, metrics={"n": 3})
    return container.threshold_settings.save(**{**defaults, **values})


def ask(container, text):
    reply = container.answer_service.handle(
        IncomingMessage(channel="test", conversation_key=uuid.uuid4().hex, user_id="u", text=text)
    )
    with container.sessions() as session:
        return session.get(AnswerTrace, reply.trace_id).routing


def test_saved_thresholds_are_applied_recorded_and_reverted(settings, example_script_model):
    setup = Container(settings)
    setup.init_db()
    setup.script_models.register(example_script_model, activate=True)
    own = setup.script_strategy.model.thresholds.min_confidence
    first = save(setup, min_confidence=1.01, min_similarity=0.9)  # nothing is confident enough
    setup.engine.dispose()

    served = Container(settings)
    try:
        routing = ask(served, "I forgot my password")
        assert routing["thresholds"] == {
            "min_confidence": 1.01, "method": "eval_calibration", "model_min_confidence": own, "setting_id": first.id,
            "score": "similarity",
        }
        assert routing["route"] != "script"
        assert routing["retrieval"]["min_similarity"] == 0.9
        assert served.retrieval_strategy.min_similarity == 0.9

        second = save(served, min_confidence=0.0)
        reverted = served.threshold_settings.revert("lead")
        assert reverted.restores_id == first.id and reverted.min_confidence == 1.01
        back_to_defaults = served.threshold_settings.revert("lead")
        assert back_to_defaults.restores_id is None and back_to_defaults.min_confidence is None
        with pytest.raises(ThresholdSettingError, match="nothing to revert"):
            served.threshold_settings.revert("lead")
        history = served.threshold_settings.history()
        assert [(r.action, r.id) for r in history][:2] == [("calibrate", first.id), ("calibrate", second.id)]
        assert [r.action for r in history] == ["calibrate", "calibrate", "revert", "revert"]
    finally:
        served.engine.dispose()

    restarted = Container(settings)
    try:
        routing = ask(restarted, "I forgot my password")
        assert routing["thresholds"]["min_confidence"] == own and routing["thresholds"]["method"] != "eval_calibration"
        assert restarted.retrieval_strategy.min_similarity == settings.min_evidence_similarity
    finally:
        restarted.engine.dispose()


def test_a_confidence_chosen_for_another_model_is_not_applied(settings, example_script_model):
    setup = Container(settings)
    setup.init_db()
    setup.script_models.register(example_script_model, activate=True)
    save(setup, min_confidence=0.99, model_version="v-other", min_similarity=0.5)
    setup.engine.dispose()

    served = Container(settings)
    try:
        assert served.script_strategy.model.thresholds.method != "eval_calibration"
        assert any("chosen for model v-other, not v-test" in n for n in served.notices)
        assert served.retrieval_strategy.min_similarity == 0.5  # retrieval's threshold does not depend on the model
    finally:
        served.engine.dispose()
