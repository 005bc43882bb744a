"""Checks on an incoming message before any work is done on it."""

from __future__ import annotations

import re

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


class UnusableMessage(ValueError):
    """The message cannot be answered as sent; the text is what the user is told."""


def clean_question(text: str, max_chars: int) -> str:
    cleaned = " ".join(_CONTROL_CHARS.sub(" ", text or "").split())
    if not cleaned:
        raise UnusableMessage("Your message was empty. Type a question and I'll look it up in our help center.")
    if len(cleaned) > max_chars:
        raise UnusableMessage(
            f"Your message is {len(cleaned):,} characters long; I can read up to {max_chars:,}. "
            "Please send just the question, or ask for a person from the support team."
        )
    return cleaned
