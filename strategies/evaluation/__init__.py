"""Strategy evaluation: labelled question sets, each strategy and the router run side by
side, their figures, the threshold calibration and the regression gate. Plain values in and
out: no database, settings or bot imports (the composition lives in bot/evaluation/)."""

from strategies.evaluation.calibration import Calibration, CalibrationError, CurvePoint, calibrate
from strategies.evaluation.cases import EvalCase, EvalSet, EvalSetError, HistoryItem, dump_case, load_eval_set, parse_case
from strategies.evaluation.compare import BaselineError, Regression, load_baseline, regressions, with_format
from strategies.evaluation.runner import EvalReport, Evaluation

__all__ = [
    "BaselineError",
    "Calibration",
    "CalibrationError",
    "CurvePoint",
    "EvalCase",
    "EvalReport",
    "EvalSet",
    "EvalSetError",
    "Evaluation",
    "HistoryItem",
    "Regression",
    "calibrate",
    "dump_case",
    "load_baseline",
    "load_eval_set",
    "parse_case",
    "regressions",
    "with_format",
]
