from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from strategies.base import Evidence


class GeneratorError(Exception):
    """The writer failed (timeout, server error, malformed reply); the caller falls back.
    Carries what was sent, so the trace shows it even when the call failed."""

    def __init__(self, message: str, prompt: str | None = None, model: str | None = None) -> None:
        super().__init__(message)
        self.prompt = prompt
        self.model = model


@dataclass
class Draft:
    """An answer text plus which evidence each [n] in it refers to."""

    text: str | None  # None: the writer found no answer in the evidence
    citations: dict[int, int] = field(default_factory=dict)  # citation number -> evidence rank
    prompt: str | None = None
    model: str | None = None


class Writer(Protocol):
    name: str

    def write(self, query: str, evidence: list[Evidence]) -> Draft: ...
