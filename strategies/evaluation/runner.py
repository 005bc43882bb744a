"""Runs an evaluation set through each strategy alone and through the router, side by side.

"Alone" is the router under a fixed policy: `script` (scripts only; anything unsure goes to a
person) and `retrieval` (docs only); `router` is the `auto` policy the bot serves by default.
The script model and the retrieval answer are computed once per question (see replay.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from strategies.base import HistoryTurn, Question, StrategyAnswer
from strategies.evaluation.cases import EvalCase
from strategies.evaluation.judging import Judged, judge
from strategies.evaluation.metrics import decline_metrics, route_confusion, router_mistakes, strategy_metrics
from strategies.evaluation.replay import Meter, ReplayedRetrieval, ReplayedScriptModel
from strategies.router import Policy, Router
from strategies.script_strategy import ScriptStrategy, ThresholdOverride, thresholds_dict

Progress = Callable[[int, int], None]
# The user's next turn when a docs question started a script; the router should stop the
# script and answer the question from the docs (metric `recovered_after_decline`).
DECLINE = "no, I was just asking"
STRATEGIES = (("script", Policy.SCRIPT), ("retrieval", Policy.RETRIEVAL), ("router", Policy.AUTO))


@dataclass
class EvalReport:
    n: int
    metrics: dict[str, dict | None]  # strategy -> metric -> value (None: the strategy is unavailable)
    judged: dict[str, list[Judged]]
    router_mistakes: list[dict]
    route_confusion: dict[str, dict[str, int]]
    thresholds: dict
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """The JSON object `supportbot eval --json` prints."""
        return {
            **{name: self.metrics.get(name) for name, _ in STRATEGIES},
            "n": self.n,
            "thresholds": self.thresholds,
            "route_confusion": self.route_confusion,
            "router_mistakes": len(self.router_mistakes),
        }


def question_of(case: EvalCase) -> Question:
    return Question(case.question, tuple(HistoryTurn(h.role, h.text) for h in case.history))  # type: ignore[arg-type]


class Evaluation:
    """Holds the replayed components for one set, so calibration can reuse what a run computed."""

    def __init__(self, retrieval, scripts: ScriptStrategy | None, k: int | None = None) -> None:
        self.meter = Meter()
        self.retrieval = ReplayedRetrieval(retrieval, self.meter)
        self.scripts = scripts.with_model(ReplayedScriptModel(scripts.model, self.meter)) if scripts else None
        self.k = k or int(getattr(retrieval, "max_evidence", 5))

    def with_scripts(self, scripts: ScriptStrategy | None) -> Evaluation:
        """Another script strategy over the same replayed retrieval (e.g. a baseline classifier)."""
        other = copy.copy(self)
        other.scripts = scripts.with_model(ReplayedScriptModel(scripts.model, self.meter)) if scripts else None
        return other

    def router(self, min_confidence: float | None = None, min_similarity: float | None = None) -> Router:
        """The real Router over the replayed components, with thresholds overridden when given."""
        scripts = self.scripts
        if scripts is not None and min_confidence is not None:
            scripts = scripts.with_model(ThresholdOverride(scripts.model, min_confidence))
        return Router(self.retrieval.with_threshold(min_similarity), scripts)

    def thresholds(self) -> dict:
        return {
            "script": thresholds_dict(self.scripts.model.thresholds) if self.scripts else None,
            "retrieval": {"min_similarity": self.retrieval.min_similarity} if self.retrieval.has_threshold else None,
        }

    def answer(self, router: Router, case: EvalCase, policy: Policy, strategy: str) -> Judged:
        return self._judged(router, case, question_of(case), policy, strategy)[0]

    def _judged(self, router: Router, case: EvalCase, question: Question, policy: Policy, strategy: str):
        answer, latency = self.meter.measure(lambda: router.answer(question, policy))
        return judge(case, answer, strategy, latency), answer

    def _after_decline(self, router: Router, case: EvalCase, first: StrategyAnswer) -> Judged:
        opening = question_of(case)
        history = (*opening.history, HistoryTurn("user", case.question), HistoryTurn("bot", first.text or ""))
        question = Question(DECLINE, history, script_state=first.script_state)
        return self._judged(router, case, question, Policy.AUTO, "router")[0]

    def run(self, cases: Sequence[EvalCase], progress: Progress | None = None) -> EvalReport:
        router = self.router()
        judged: dict[str, list[Judged]] = {name: [] for name, _ in STRATEGIES}
        declined: list[Judged] = []  # docs questions that started a script, after DECLINE
        names = [(n, p) for n, p in STRATEGIES if n != "script" or self.scripts is not None]
        total = len(cases)
        for done, case in enumerate(cases, start=1):
            for name, policy in names:
                one, answer = self._judged(router, case, question_of(case), policy, name)
                judged[name].append(one)
                if policy is Policy.AUTO and case.expected_route == "retrieval" and answer.script_state:
                    declined.append(self._after_decline(router, case, answer))
            if progress:
                progress(done, total)
        can_script = self.scripts is not None
        metrics: dict[str, dict | None] = {
            "script": strategy_metrics(cases, judged["script"], self.k, can_script=True, can_retrieve=False)
            if can_script
            else None,
            "retrieval": strategy_metrics(cases, judged["retrieval"], self.k, can_script=False, can_retrieve=True),
            "router": strategy_metrics(cases, judged["router"], self.k, can_script=can_script, can_retrieve=True),
        }
        metrics["router"].update(decline_metrics(declined))
        notes = [] if can_script else ["no script model is active: the script strategy was not run"]
        return EvalReport(
            n=len(cases),
            metrics=metrics,
            judged=judged,
            router_mistakes=router_mistakes(cases, judged["router"]),
            route_confusion=route_confusion(cases, judged["router"]),
            thresholds=self.thresholds(),
            notes=notes,
        )
