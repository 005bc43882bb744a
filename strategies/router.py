"""Decides, per message, between following a script, answering from the docs, and a person.

The script model's calibrated thresholds decide what counts as confident; nothing here is
a tuned constant. Every decision records its reason, the policy, each strategy's scores
and the thresholds used, for the trace."""

from __future__ import annotations

import logging
import time
from enum import StrEnum

from strategies.base import Question, Strategy, StrategyAnswer
from strategies.conversation_signals import asks_for_a_person, declines_the_script, looks_like_a_question, wants_to_stop
from strategies.grounding import content_words
from strategies.script_strategy import ScriptPredictionLike, ScriptStrategy, thresholds_dict
from strategies.scripts.engine import ScriptState, ScriptStateError
from strategies.scripts.model import EndOutcome
from strategies.small_talk import SMALL_TALK, SmallTalk, SmallTalkReplies, small_talk_in

log = logging.getLogger(__name__)

MISREAD = "Sorry, I misunderstood, so I've stopped that."
# Under a script started by a question: informational questions near a script's topic read like
# requests, and this tells the user how to get the docs' answer instead (see _after_decline).
JUST_ASKING_HINT = 'Only asking? Say "just asking" and I\'ll answer from the help center instead.'
LEAD_CHOSE_SCRIPT = "a lead's correction: this question needs this script"
LEAD_SAID_NOT_A_SCRIPT = "a lead marked this question not a script"
USER_STOPPED = "the user stopped the script"
USER_ASKED_FOR_A_PERSON = "the user asked for a person"
USER_ACCEPTED_A_PERSON = "the user said yes to the offer of a person"
# Small talk in the middle of a script gets a word back and the script's question again;
# a goodbye ends the script.
_ASKS_AGAIN_AFTER = {SmallTalk.GREETING, SmallTalk.THANKS, SmallTalk.ACKNOWLEDGED, SmallTalk.CAPABILITIES}


class Policy(StrEnum):
    AUTO = "auto"  # the router decides per message
    SCRIPT = "script"  # scripts only; anything else goes to a person
    RETRIEVAL = "retrieval"  # answers from the docs only


class Route(StrEnum):
    SCRIPT = "script"
    RETRIEVAL = "retrieval"
    ESCALATE = "escalate"
    SMALL_TALK = "small_talk"


class Router:
    name = "router"

    def __init__(
        self, retrieval: Strategy, scripts: ScriptStrategy | None = None, small_talk: SmallTalkReplies | None = None
    ) -> None:
        self._retrieval = retrieval
        self._scripts = scripts
        self._small_talk = small_talk or SmallTalkReplies()

    def warm_up(self) -> None:
        self._retrieval.warm_up()

    def answer(self, question: Question, policy: Policy = Policy.AUTO) -> StrategyAnswer:
        started = time.perf_counter()
        routing: dict = {"policy": policy.value}
        answer = self._decide(question, policy, routing)
        started_script = routing.pop("started_script", None)
        if answer.script_id and self._scripts is not None:
            stopped = routing.get("reason") == USER_STOPPED
            routing["script_turn"] = self._scripts.turn_record(answer, started_script == answer.script_id, stopped)
        routing["router_ms"] = round((time.perf_counter() - started) * 1000, 2)
        answer.routing = routing
        if self._scripts is not None:
            answer.script_model_version = self._scripts.model.version
        return answer

    def _decide(self, question: Question, policy: Policy, routing: dict) -> StrategyAnswer:
        if asks_for_a_person(question.text):
            if question.script_state:
                routing["left_script"] = question.script_state.get("script_id")
            return _escalate(routing, USER_ASKED_FOR_A_PERSON, handoff=True)
        social = small_talk_in(question.text)
        state = self._state(question, routing) if policy is not Policy.RETRIEVAL else None
        if state is None and social is SmallTalk.YES and question.bot_offered_a_person:
            return _escalate(routing, USER_ACCEPTED_A_PERSON, handoff=True)
        prediction = self._predict(question, policy, routing)
        if state is not None:
            assert self._scripts is not None
            answer = self._continue_script(state, question, prediction, policy, social, routing)
            if answer is not None:
                return answer
            question = Question(question.text)  # a new topic: the script's turns are not its context
            routing["asked_after_a_script"] = True
        if prediction is not None and self._scripts is not None and self._scripts.is_confident(prediction):
            # a team's own script for "hi" or "thanks" wins over the built-in reply
            reason = LEAD_CHOSE_SCRIPT if prediction.verdict else "confident in-scope script match"
            return self._start(prediction.label or "", question, routing, reason)
        if social is not None:
            return self._reply_to_small_talk(social, policy, routing)
        if policy is Policy.RETRIEVAL:
            return self._retrieve(question, routing, "the channel answers from the docs only")
        marked = prediction is not None and prediction.verdict is not None and not prediction.in_scope
        if policy is Policy.SCRIPT:
            reason = "no script model is active" if self._scripts is None else "no script matches confidently"
            return _escalate(routing, f"{LEAD_SAID_NOT_A_SCRIPT if marked else reason}, and the channel uses scripts only")
        reason = "no script model is active" if self._scripts is None else "no confident script match"
        reason = LEAD_SAID_NOT_A_SCRIPT if marked else reason
        answer = self._retrieve(question, routing, reason)
        if answer.abstained:
            routing["route"] = Route.ESCALATE.value
            routing["reason"] = f"{reason}; retrieval abstained ({answer.abstain_reason})"
            answer.escalate = True
        return answer

    def _continue_script(
        self, state: ScriptState, question: Question, prediction: ScriptPredictionLike | None, policy: Policy,
        social: SmallTalk | None, routing: dict,
    ) -> StrategyAnswer | None:
        scripts = self._scripts
        assert scripts is not None
        routing["script_in_progress"] = {"script": state.script_id, "step": state.step_id}
        if wants_to_stop(question.text):
            routing.update(route=Route.SCRIPT.value, reason=USER_STOPPED)
            return scripts.stop(state)
        declined = declines_the_script(question.text)
        if declined is not None:
            return self._after_decline(state, declined, policy, routing)
        free_text = scripts.engine.waits_for_free_text(state)
        if scripts.engine.fits(state, question.text) and not (social and free_text):  # "thanks" is no description
            return self._resume(state, question, routing, "the message answers the script's question")
        if social is SmallTalk.GOODBYE:
            routing.update(route=Route.SCRIPT.value, reason=USER_STOPPED, small_talk=social.value)
            return scripts.stop(state, self._small_talk.reply(social))
        if social in _ASKS_AGAIN_AFTER:
            routing.update(route=Route.SCRIPT.value, reason=f"small talk ({social}); the script asks its question again")
            routing["small_talk"] = social.value
            lead_in = self._capabilities(policy) if social is SmallTalk.CAPABILITIES else self._small_talk.during_script(social)
            return scripts.ask_again(state, question, lead_in)
        if prediction is not None and scripts.is_confident(prediction) and prediction.label != state.script_id:
            routing["left_script"] = state.script_id
            return self._start(prediction.label or "", question, routing, f"changed topic from {state.script_id}")
        if free_text:
            return self._resume(state, question, routing, "the script waits for a free-text answer")
        if looks_like_a_question(question.text):
            routing["left_script"] = state.script_id
            return None  # a new question: route it afresh
        return self._resume(state, question, routing, "the answer did not fit; the script asks again")

    def _after_decline(self, state: ScriptState, rest: str, policy: Policy, routing: dict) -> StrategyAnswer:
        """The script was not what the user meant (a question near a script's topic reads like
        a request): stop it and answer from the docs what they asked, or what they meant."""
        assert self._scripts is not None
        routing.update(declined_script=state.script_id, declined_opening=state.opening)
        standalone = looks_like_a_question(rest) and len(content_words(rest)) >= 2
        meant = rest if standalone else " ".join(part for part in (state.opening, rest) if part)
        if not meant:
            routing.update(route=Route.SCRIPT.value, reason=USER_STOPPED)
            return self._scripts.stop(state)
        reason = f"the user said script {state.script_id} was not what they meant"
        if policy is Policy.SCRIPT:
            return _escalate(routing, f"{reason}, and the channel uses scripts only")
        answer = self._retrieve(Question(meant), routing, reason)  # the script's turns are not its context
        if answer.abstained:
            routing.update(route=Route.ESCALATE.value, reason=f"{reason}; retrieval abstained ({answer.abstain_reason})")
            answer.escalate = True
            return answer
        answer.text = f"{MISREAD}\n\n{answer.text}"
        return answer

    def _reply_to_small_talk(self, kind: SmallTalk, policy: Policy, routing: dict) -> StrategyAnswer:
        routing.update(route=Route.SMALL_TALK.value, reason=f"small talk ({kind})", small_talk=kind.value)
        text = self._capabilities(policy) if kind is SmallTalk.CAPABILITIES else self._small_talk.reply(kind)
        return StrategyAnswer(strategy=SMALL_TALK, text=text, generator="template")

    def _capabilities(self, policy: Policy) -> str:
        scripted = self._scripts is not None and policy is not Policy.RETRIEVAL
        titles = [script.title for script in self._scripts.engine.scripts.values()] if scripted else []
        return self._small_talk.capabilities(titles, docs=policy is not Policy.SCRIPT)

    def _predict(self, question: Question, policy: Policy, routing: dict) -> ScriptPredictionLike | None:
        if self._scripts is None or policy is Policy.RETRIEVAL:
            return None
        started = time.perf_counter()
        prediction = self._scripts.model.predict(question.text)
        routing["script_model"] = {
            "version": self._scripts.model.version,
            "label": prediction.label,
            "confidence": round(float(prediction.confidence), 4),
            "oos_score": round(float(prediction.oos_score), 4),
            "in_scope": bool(prediction.in_scope),
            "ranked": [[label, round(float(p), 4)] for label, p in prediction.ranked],
            "predict_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        if prediction.verdict is not None:
            routing["script_model"]["verdict"] = prediction.verdict
        routing["thresholds"] = thresholds_dict(self._scripts.model.thresholds)
        return prediction

    def _state(self, question: Question, routing: dict) -> ScriptState | None:
        if not question.script_state or self._scripts is None:
            return None
        try:
            state = ScriptState.from_dict(question.script_state)
            self._scripts.engine.check(state)
        except ScriptStateError as exc:
            log.warning("dropping script state: %s", exc)
            routing["dropped_script_state"] = str(exc)
            return None
        return state

    def _start(self, script_id: str, question: Question, routing: dict, reason: str) -> StrategyAnswer:
        assert self._scripts is not None
        routing.update(route=Route.SCRIPT.value, reason=reason, started_script=script_id)
        answer = self._after_script(self._scripts.start(script_id, question), question, routing)
        if answer.script_state is not None and answer.text and looks_like_a_question(question.text):
            answer.text = f"{answer.text}\n\n{JUST_ASKING_HINT}"
            answer.offers_docs_answer = True
        return answer

    def _resume(self, state: ScriptState, question: Question, routing: dict, reason: str) -> StrategyAnswer:
        assert self._scripts is not None
        routing.update(route=Route.SCRIPT.value, reason=reason)
        return self._after_script(self._scripts.resume(state, question), question, routing)

    def _after_script(self, answer: StrategyAnswer, question: Question, routing: dict) -> StrategyAnswer:
        if answer.script_end == EndOutcome.ESCALATE.value:
            routing.update(route=Route.ESCALATE.value, reason=f"script {answer.script_id} ends with a person")
        if answer.script_end != EndOutcome.RETRIEVAL.value:
            return answer
        # The script hands over to the docs: ask them about what the user described.
        opening = (question.script_state or {}).get("opening") or question.text
        details = [opening, question.text] if question.text != opening else [opening]
        handed = self._retrieve(Question(" ".join(details), question.history), routing, f"script {answer.script_id} hands over to the docs")
        handed.script_id, handed.script_end, handed.script_steps = answer.script_id, answer.script_end, answer.script_steps
        handed.script_filled = answer.script_filled
        handed.timings_ms = {**answer.timings_ms, **handed.timings_ms}
        if handed.abstained:
            routing.update(route=Route.ESCALATE.value, reason=f"{routing['reason']}; retrieval abstained")
            handed.escalate = True
            handed.text = answer.text  # the script's own words still stand; a person follows up
            handed.abstain_reason = None
            return handed
        handed.text = f"{answer.text}\n\n{handed.text}" if answer.text else handed.text
        return handed

    def _retrieve(self, question: Question, routing: dict, reason: str) -> StrategyAnswer:
        routing.update(route=Route.RETRIEVAL.value, reason=reason)
        answer = self._retrieval.answer(Question(question.text, question.history))
        routing["retrieval"] = {
            "top_similarity": answer.scores.get("top_similarity"),
            "min_similarity": answer.scores.get("min_similarity"),
        }
        if "thread_similarity" in answer.scores:  # measured: a question in a thread with no word pointing back
            routing["retrieval"]["thread_similarity"] = answer.scores["thread_similarity"]
            routing["retrieval"]["new_topic"] = bool(answer.scores.get("new_topic"))
        return answer


def _escalate(routing: dict, reason: str, handoff: bool = False) -> StrategyAnswer:
    routing.update(route=Route.ESCALATE.value, reason=reason)
    return StrategyAnswer(strategy="handoff", text=None, abstain_reason=reason, escalate=True, handoff=handoff)

