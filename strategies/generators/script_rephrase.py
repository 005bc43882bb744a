"""Rephrasing a scripted reply with an LLM (e.g. a model fine-tuned on the team's chats),
with a check that the rewrite kept the script's facts: every number, link, email and
**bold** term of the script, and no number the script did not have."""

from __future__ import annotations

import re

from strategies.base import Question

SYSTEM_PROMPT = """You are a customer support assistant. Rewrite the scripted reply you are given so it \
reads naturally after the customer's message, in a friendly and concise voice.
- Keep every fact of the script: numbers, links, email addresses, menu names and the question it asks.
- Add no facts, promises or steps that are not in the script.
- Reply with the rewritten message only."""

_FACT = re.compile(r"https?://\S*[^\s.,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\*\*[^*]+\*\*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def render_rephrase_prompt(scripted: str, question: Question) -> str:
    recent = "\n".join(f"{turn.role}: {turn.text}" for turn in question.history[-4:])
    context = f"Conversation so far:\n{recent}\n\n" if recent else ""
    return f"{context}Customer: {question.text}\n\nScripted reply:\n{scripted}"


def lost_or_added_facts(scripted: str, rewritten: str) -> list[str]:
    """What the rewrite dropped from the script or made up; empty when it is faithful."""
    problems = [
        f"dropped {fact!r}"
        for fact in dict.fromkeys(_FACT.findall(scripted))
        if not re.search(rf"(?<!\w){re.escape(fact.strip('*'))}(?!\w)", rewritten)
    ]
    kept = set(_NUMBER.findall(rewritten))
    scripted_numbers = _NUMBER.findall(scripted)
    problems += [f"dropped {n!r}" for n in dict.fromkeys(scripted_numbers) if n not in kept]
    problems += [f"added {n!r}" for n in dict.fromkeys(_NUMBER.findall(rewritten)) if n not in set(scripted_numbers)]
    return problems
