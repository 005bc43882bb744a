"""The regression gate: today's figures against a saved baseline (`supportbot eval --json`
output). A metric that drops by more than `tolerance` (absolute: 0.02 is two points of
accuracy) fails; latency fails when it rises by more than `latency_tolerance`, a share of the
baseline (0.25: 25 % slower), since timings vary from run to run far more than accuracy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from strategies.evaluation.metrics import HIGHER_IS_BETTER, LOWER_IS_BETTER

REPORT_FORMAT = "supportbot-eval"
REPORT_FORMAT_VERSION = 1
COMPARED_STRATEGIES = ("script", "retrieval", "router")


class BaselineError(ValueError):
    pass


@dataclass(frozen=True)
class Regression:
    strategy: str
    metric: str
    baseline: float
    current: float
    allowed: float  # the worst value still accepted

    def __str__(self) -> str:
        direction = "rose" if self.metric in LOWER_IS_BETTER else "dropped"
        return (
            f"{self.strategy} {self.metric} {direction} from {self.baseline:.4g} to {self.current:.4g} "
            f"(limit {self.allowed:.4g})"
        )


def with_format(summary: dict) -> dict:
    """The summary as written to disk and printed: with the format tag the gate checks."""
    return {"format": REPORT_FORMAT, "format_version": REPORT_FORMAT_VERSION, **summary}


def load_baseline(path: Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read it ({exc})") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BaselineError(f"{path}: the baseline is empty")
    try:
        data = json.loads(lines[-1])  # the last line of `supportbot eval --json` output, or the whole file
    except json.JSONDecodeError:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT:
        raise BaselineError(f"{path}: not a `supportbot eval --json` report (no \"format\": \"{REPORT_FORMAT}\")")
    version = data.get("format_version")
    if version != REPORT_FORMAT_VERSION:
        raise BaselineError(
            f"{path}: baseline has report format version {version!r}; this supportbot writes version "
            f"{REPORT_FORMAT_VERSION}. Re-run `supportbot eval --json` with this version to make a new baseline."
        )
    return data


def regressions(baseline: dict, current: dict, tolerance: float, latency_tolerance: float = 0.25) -> list[Regression]:
    if tolerance < 0 or latency_tolerance < 0:
        raise BaselineError("tolerances must not be negative")
    found = []
    for strategy in COMPARED_STRATEGIES:
        before, now = baseline.get(strategy) or {}, current.get(strategy) or {}
        for metric in HIGHER_IS_BETTER + LOWER_IS_BETTER:
            old, new = before.get(metric), now.get(metric)
            if not isinstance(old, (int, float)) or isinstance(old, bool):
                continue  # the baseline had no such figure: nothing to hold it to
            if not isinstance(new, (int, float)):
                found.append(Regression(strategy, metric, float(old), float("nan"), float(old)))
                continue
            if metric in LOWER_IS_BETTER:
                allowed = old * (1 + latency_tolerance)
                if new > allowed:
                    found.append(Regression(strategy, metric, float(old), float(new), allowed))
            else:
                allowed = old - tolerance
                if new < allowed - 1e-12:
                    found.append(Regression(strategy, metric, float(old), float(new), allowed))
    return found
