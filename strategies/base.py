"""The contract every answering strategy fulfils."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from knowledge.documents import Chunk


@dataclass(frozen=True)
class HistoryTurn:
    role: Literal["user", "bot"]
    text: str


@dataclass(frozen=True)
class Question:
    text: str
    history: tuple[HistoryTurn, ...] = ()
    script_state: dict | None = None  # the script this conversation is in the middle of, if any
    bot_offered_a_person: bool = False  # the bot's last reply asked whether to bring in a person


@dataclass(frozen=True)
class Evidence:
    """A passage exactly as the strategy saw it, with its scores and whether it was cited."""

    rank: int
    chunk: Chunk
    fused_score: float
    bm25_score: float | None
    embedding_score: float | None
    similarity: float  # cosine similarity of the passage to the standalone query
    citation: int | None = None  # the [n] number in the answer, when cited


@dataclass
class StrategyAnswer:
    strategy: str
    text: str | None
    evidence: list[Evidence] = field(default_factory=list)
    standalone_query: str = ""
    abstain_reason: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    generator: str = "extractive"
    model: str | None = None
    prompt: str | None = None
    generator_error: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    escalate: bool = False  # mark the conversation for a person to look at
    handoff: bool = False  # a person takes over; the bot stays quiet until handed back
    routing: dict = field(default_factory=dict)  # the router's decision, scores and thresholds
    script_id: str | None = None
    script_model_version: str | None = None
    script_state: dict | None = None  # where the script stands after this turn; None: no script running
    script_end: str | None = None  # how the script ended in this turn, if it did
    script_steps: list[str] = field(default_factory=list)
    script_filled: dict[str, str] = field(default_factory=dict)  # the slot collected in this turn
    script_choices: tuple[str, ...] = ()  # the answers the question the script waits at offers as buttons
    # a script the router started on a question-shaped message: the chat offers "Just asking"
    offers_docs_answer: bool = False

    @property
    def abstained(self) -> bool:
        return self.text is None

    @property
    def citations(self) -> list[Evidence]:
        return sorted((e for e in self.evidence if e.citation is not None), key=lambda e: e.citation or 0)


class Strategy(Protocol):
    name: str

    def warm_up(self) -> None: ...

    def answer(self, question: Question) -> StrategyAnswer: ...
