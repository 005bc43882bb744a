"""What a message says about the conversation itself: a request for a person, a wish to
stop the current script, a sign that the script was not what the user meant, a new question,
or words that point back at the thread ("it", "that one", "and Business?")."""

from __future__ import annotations

import re

_PERSON = r"(?:human|person|agent|representative|rep|operator|someone|somebody|real one|support team|staff member)"
_LIVE = r"(?:(?:a|an|the|some|to|with|real|actual|live|from|support|your|in)\s+)*"
_ASK_FOR_PERSON = re.compile(
    rf"\b(?:(?:talk|speak|chat)\s+(?:to|with)\s+{_LIVE}{_PERSON}"
    rf"|(?:connect|transfer|put)\s+me\s+(?:through\s+)?(?:to|with)\s+{_LIVE}{_PERSON}"
    rf"|(?:want|need|get\s+me|give\s+me)\s+(?:a|an|to\s+reach\s+a)\s+(?:real\s+|actual\s+|live\s+)?(?:human|agent|representative|operator|person)\b(?!\s+to\b)"
    rf"|escalate\s+(?:this|it|me))",
    re.IGNORECASE,
)
_BARE_REQUEST = re.compile(rf"^\s*(?:a |an |the |real |live )*{_PERSON}(?: please| pls| now)?\s*[.!]*\s*$", re.IGNORECASE)
_STOP = re.compile(
    r"^\s*(?:cancel|stop|quit|exit|never\s?mind|forget it|start over|no thanks,? stop)(?: (?:it|this|that))?(?: please)?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_LEAD_IN = r"(?:(?:no|nope|nah|oh|sorry|actually|well|um+|hmm+|ok|okay|wait|erm)\b[\s,.!-]*)*"
_NOT_MEANT = (
    r"(?:i\s*'?m\s+|i am\s+|i was\s+|was\s+)?(?:just|only)\s+(?:asking|a question|checking|curious|want(?:ed|ing)? to know)"
    r"|(?:i\s*'?m\s+|i am\s+|i was\s+)asking\s+(?:about|whether|if|what|how|why|when|in general|a question)"
    r"|(?:that\s*'?s\s+|that is\s+|this is\s+|it\s*'?s\s+)?not what i\s+(?:meant|mean|asked(?: for| about)?|was asking(?: about)?|want(?:ed)?)"
    r"|(?:you\s+)?(?:misunderstood|got (?:it|me) wrong)"
    r"|wrong (?:topic|thing|question)"
    r"|i (?:didn\s*'?t|did not) ask (?:for|about|you to)\b(?:\s+(?:that|this|it))?"
    r"|i meant"
    r"|never\s?mind"
)
_DECLINE = re.compile(rf"^\s*{_LEAD_IN}(?:{_NOT_MEANT})\b[\s,.!:;-]*", re.IGNORECASE)
_QUESTION_START = re.compile(
    r"^\s*(?:how|what|why|when|where|which|who|can|could|does|do|is|are|will|should)\b", re.IGNORECASE
)


def asks_for_a_person(text: str) -> bool:
    return bool(_BARE_REQUEST.match(text) or _ASK_FOR_PERSON.search(text))


def wants_to_stop(text: str) -> bool:
    return bool(_STOP.match(text))


def declines_the_script(text: str) -> str | None:
    """When the message opens by saying the script is not what the user meant ("no, I was
    just asking", "that's not what I meant"), what follows it (often the question they
    meant; may be empty). None when it does not."""
    match = _DECLINE.match(text)
    if match is None:
        return None
    rest = text[match.end():]
    while (again := _DECLINE.match(rest)) and again.end():  # "never mind, just asking"
        rest = rest[again.end():]
    return rest.strip()


def looks_like_a_question(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(_QUESTION_START.match(text))


_POINTS_BACK = re.compile(
    r"\b(?:it|its|it's|this|that|these|those|they|them|their|he|she|him|her|his|one|ones|same|such|also|too"
    r"|else|either|other|another|then|so)\b"
    r"|^\s*(?:and|but|or|yes|yeah|no|ok|okay|what about|how about|if)\b",
    re.IGNORECASE,
)


def points_back_at_the_thread(text: str) -> bool:
    """Whether the message has a word that only the thread explains: a pronoun ("does it
    refresh?"), "else", or an opening such as "and" or "what about"."""
    return bool(_POINTS_BACK.search(text))
