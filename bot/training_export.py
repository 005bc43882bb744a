"""Training data for a generative model, fine-tuned elsewhere: each script's opening reply to
each of its example utterances, and every answer a support lead labelled correct."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy.orm import Session

from bot.trace_reviews import traces_labelled
from strategies.scripts import ScriptEngine, ScriptSet

EXPORT_FORMATS = ("openai-chat", "csv")
SYSTEM_PROMPT = "You are the company's support assistant. Follow the support team's scripts and answer in their voice."


@dataclass(frozen=True)
class TrainingPair:
    source: str  # script:<id> or trace:<id>
    history: tuple[tuple[str, str], ...]  # (role, text) before the user's message
    user: str
    assistant: str


def script_pairs(scripts: ScriptSet) -> Iterator[TrainingPair]:
    engine = ScriptEngine(scripts.scripts)
    for script_id, script in sorted(scripts.scripts.items()):
        opening = engine.start(script_id).text
        for example in script.examples:
            yield TrainingPair(f"script:{script_id}", (), example, opening)


def reviewed_pairs(session: Session) -> Iterator[TrainingPair]:
    for trace in traces_labelled(session, "correct"):
        history = tuple((turn["role"], turn["text"]) for turn in trace.history)
        yield TrainingPair(f"trace:{trace.id}", history, trace.question, trace.answer)


def write_pairs(pairs: Iterator[TrainingPair], fmt: str, out: TextIO, system_prompt: str = SYSTEM_PROMPT) -> int:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    count = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(["source", "history", "user", "assistant"])
    for pair in pairs:
        if writer:
            writer.writerow([pair.source, json.dumps([list(t) for t in pair.history], ensure_ascii=False), pair.user, pair.assistant])
        else:
            messages = [{"role": "system", "content": system_prompt}]
            messages += [{"role": "assistant" if role == "bot" else "user", "content": text} for role, text in pair.history]
            messages += [{"role": "user", "content": pair.user}, {"role": "assistant", "content": pair.assistant}]
            out.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
        count += 1
    return count
