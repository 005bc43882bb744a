"""The trace list's filters, parsed once from a query string and applied to a SELECT. The list
page, the JSON API and the exports share them, so an export holds exactly what the list shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import Select, and_, exists, or_
from sqlalchemy.orm import aliased

from bot.db.models import AnswerFeedback, AnswerTrace, Dispute, TraceReview

OUTCOMES = ("answered", "abstained", "escalated")
FEEDBACK = ("helpful", "not_right", "none")
LABELS = ("correct", "partly", "wrong", "unreviewed")


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class TraceFilters:
    date_from: date | None = None
    date_to: date | None = None  # inclusive: the whole day
    channel: str = ""
    strategy: str = ""
    script: str = ""
    outcome: str = ""
    feedback: str = ""
    disputed: bool | None = None
    low_confidence: bool = False
    label: str = ""
    text: str = ""

    @classmethod
    def parse(cls, params) -> TraceFilters:
        """From request query parameters; raises FilterError with a readable message."""
        def choice(name: str, allowed: tuple[str, ...]) -> str:
            value = (params.get(name) or "").strip()
            if value and value not in allowed:
                raise FilterError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
            return value

        disputed = (params.get("disputed") or "").strip()
        if disputed not in ("", "yes", "no"):
            raise FilterError("disputed must be yes or no")
        filters = cls(
            date_from=_date(params.get("from"), "from"),
            date_to=_date(params.get("to"), "to"),
            channel=(params.get("channel") or "").strip()[:200],
            strategy=(params.get("strategy") or "").strip()[:50],
            script=(params.get("script") or "").strip()[:100],
            outcome=choice("outcome", OUTCOMES),
            feedback=choice("feedback", FEEDBACK),
            disputed=None if not disputed else disputed == "yes",
            low_confidence=(params.get("low_confidence") or "") in ("1", "on", "yes", "true"),
            label=choice("label", LABELS),
            text=(params.get("q") or "").strip()[:200],
        )
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise FilterError("the 'from' date is after the 'to' date")
        return filters

    def query_params(self) -> dict[str, str]:
        """Back to query parameters (only the ones set), for links that keep the filters."""
        params = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "channel": self.channel, "strategy": self.strategy, "script": self.script, "outcome": self.outcome,
            "feedback": self.feedback, "disputed": "" if self.disputed is None else ("yes" if self.disputed else "no"),
            "low_confidence": "1" if self.low_confidence else "", "label": self.label, "q": self.text,
        }
        return {k: v for k, v in params.items() if v}

    def query_string(self, **extra: str) -> str:
        return urlencode({**self.query_params(), **{k: v for k, v in extra.items() if v}})

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}

    def apply(self, query: Select, low_confidence_below: float) -> Select:
        trace = AnswerTrace
        if self.date_from:
            query = query.where(trace.created_at >= datetime.combine(self.date_from, time.min, UTC))
        if self.date_to:
            query = query.where(trace.created_at < datetime.combine(self.date_to + timedelta(days=1), time.min, UTC))
        matched = ((trace.channel, self.channel), (trace.strategy, self.strategy), (trace.script_id, self.script),
                   (trace.outcome, self.outcome))
        for column, value in matched:
            if value:
                query = query.where(column == value)
        if self.feedback == "none":
            query = query.where(~exists().where(AnswerFeedback.trace_id == trace.id))
        elif self.feedback:
            query = query.where(exists().where(AnswerFeedback.trace_id == trace.id, AnswerFeedback.rating == self.feedback))
        if self.disputed is not None:
            disputed = exists().where(Dispute.trace_id == trace.id)
            query = query.where(disputed if self.disputed else ~disputed)
        if self.low_confidence:
            query = query.where(low_confidence(low_confidence_below))
        if self.label:
            query = query.where(_latest_label_is(self.label))
        if self.text:
            # ILIKE on the plain columns: PostgreSQL serves it from the trigram indexes (migration 0009)
            pattern = f"%{_escape_like(self.text)}%"
            query = query.where(or_(trace.question.ilike(pattern, escape="\\"), trace.answer.ilike(pattern, escape="\\")))
        return query


def low_confidence(below: float):
    """A script answer whose model confidence, or a docs answer whose best evidence, is under `below`."""
    script_confidence = AnswerTrace.routing[("script_model", "confidence")].as_float()
    top_similarity = AnswerTrace.scores["top_similarity"].as_float()
    return or_(
        and_(AnswerTrace.strategy == "script", script_confidence < below),
        and_(AnswerTrace.strategy != "script", top_similarity < below),
    )


def _latest_label_is(label: str):
    if label == "unreviewed":
        return ~exists().where(TraceReview.trace_id == AnswerTrace.id)
    later = aliased(TraceReview)
    newer_review = exists().where(later.trace_id == TraceReview.trace_id, later.id > TraceReview.id)
    return exists().where(TraceReview.trace_id == AnswerTrace.id, TraceReview.label == label, ~newer_review)


def _date(value: str | None, name: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name} must be a date like 2026-12-01, not {value[:40]!r}") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
