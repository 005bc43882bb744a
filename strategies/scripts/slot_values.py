"""Reads a slot's value out of what the user wrote; None when it does not fit the slot."""

from __future__ import annotations

import re

from strategies.scripts.model import SlotSpec

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 1,200 or 12,500.50
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")  # 49.99 or 49,99
_YES = {"yes", "y", "yeah", "yep", "sure", "ok", "okay", "correct", "right", "please do", "yes please"}
_NO = {"no", "n", "nope", "not really", "no thanks", "nah"}


def read_slot(spec: SlotSpec, text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if spec.type == "text":
        return text
    if spec.type == "email":
        match = _EMAIL.search(text)
        return match.group(0).lower() if match else None
    if spec.type == "number":
        match = _THOUSANDS.search(text)
        if match:
            return match.group(0).replace(",", "")
        match = _NUMBER.search(text)
        return match.group(0).replace(",", ".") if match else None
    if spec.type == "yes_no":
        return _yes_no(text)
    if spec.type == "choice":
        return _choice(spec.choices, text)
    if spec.type == "pattern":
        return _pattern(spec.pattern or "", text)
    raise ValueError(f"unknown slot type {spec.type!r}")


def _yes_no(text: str) -> str | None:
    words = re.sub(r"[^\w\s]", " ", text.lower()).split()
    phrase = " ".join(words)
    if phrase in _YES or (words and words[0] in _YES and not set(words) & _NO):
        return "yes"
    if phrase in _NO or (words and words[0] in _NO):
        return "no"
    return None


def _choice(choices: tuple[str, ...], text: str) -> str | None:
    lowered = text.lower().strip(" .!")
    for choice in choices:
        if lowered == choice.lower():
            return choice
    if lowered.isdigit() and 1 <= int(lowered) <= len(choices):
        return choices[int(lowered) - 1]
    mentioned = [c for c in choices if re.search(rf"\b{re.escape(c.lower())}\b", lowered)]
    return mentioned[0] if len(mentioned) == 1 else None


def _pattern(pattern: str, text: str) -> str | None:
    compiled = re.compile(pattern, re.IGNORECASE)
    if compiled.fullmatch(text):
        return text
    # "it's INV-20931, thanks": find the value inside a sentence.
    match = re.search(rf"(?<!\w)(?:{pattern})(?!\w)", text, re.IGNORECASE)
    return match.group(0) if match else None
