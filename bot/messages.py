"""What adapters hand to the answer service and what they get back: chat-neutral types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    ANSWERED = "answered"
    ABSTAINED = "abstained"
    ESCALATED = "escalated"  # marked for a person: by request, by a script, or because nothing was confident
    WITH_HUMAN = "with_human"  # a person has the conversation; the bot stays quiet (the reply text is empty)
    REJECTED = "rejected"  # the message itself was unusable (empty, too long)


class Action(StrEnum):
    HELPFUL = "helpful"
    NOT_RIGHT = "not_right"
    TALK_TO_HUMAN = "talk_to_human"
    JUST_ASKING = "just_asking"  # under a script the router started on a question: answer it from the docs instead
    ANSWER = "answer"  # one of the answers a script's question offers (Yes / No, a choice): sent as the user's reply


MAX_PRESSED_ANSWER_CHARS = 200  # an answer button's text, as a chat sends it back: longer is not one of ours


@dataclass(frozen=True)
class IncomingMessage:
    """`channel` is where the conversation lives (cli, web, slack:T123/C456, ...);
    `conversation_key` identifies the thread inside it."""

    channel: str
    conversation_key: str
    user_id: str
    text: str
    # How to post into this thread later (kept on the conversation); chat-specific, JSON-safe.
    reply_address: dict | None = None
    # Earlier messages of a thread the bot joins late (a mention deep in a Slack thread):
    # context for the first answer, when the bot has no turns of its own there yet.
    earlier_messages: tuple[str, ...] = ()
    # The button that sent this message for the user (Just asking), None when they typed it.
    pressed: Action | None = None


@dataclass(frozen=True)
class Citation:
    number: int
    title: str
    section: str
    url: str | None
    document_key: str


@dataclass(frozen=True)
class Source:
    """One line of an answer's Sources list: every citation of one section of one page. Two
    overlapping chunks of a section are cited [1] and [2] in the text, and listed once, as [1][2]."""

    numbers: tuple[int, ...]
    title: str
    section: str  # the section path, or "" when it only repeats the page title
    url: str | None


def sources_of(citations: Sequence[Citation]) -> list[Source]:
    """The Sources list of an answer, in the order of each line's first citation."""
    grouped: dict[tuple[str, str, str | None], list[Citation]] = {}
    for citation in sorted(citations, key=lambda c: c.number):
        grouped.setdefault((citation.document_key, citation.section, citation.url), []).append(citation)
    return [
        Source(
            numbers=tuple(c.number for c in group),
            title=group[0].title,
            section=group[0].section if group[0].section != group[0].title else "",
            url=group[0].url,
        )
        for group in grouped.values()
    ]


@dataclass
class Reply:
    text: str
    outcome: Outcome
    trace_id: str | None = None
    citations: list[Citation] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # answer buttons for the script's question (Action.ANSWER)
