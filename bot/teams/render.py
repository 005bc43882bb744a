"""A Reply as a Teams message: an Adaptive Card with the answer, the answer buttons of a script's
question (Yes / No, its choices), its sources and the three actions, or plain text for notes. Teams refuses a message over about 28 KB (the whole activity,
envelope included), so a card is kept under MAX_MESSAGE_BYTES, as sent (JSON, non-ASCII
escaped), by shortening the answer text."""

from __future__ import annotations

import json
import math

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, Attachment

from bot.chat_labels import ACTION_LABELS, DISPUTE_REASON_LABELS
from bot.db.models.feedback import DISPUTE_REASONS
from bot.messages import Action, Reply, Source, sources_of

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
MAX_MESSAGE_BYTES = 20_000  # the card or text; the rest of the activity is well under 8 KB
MAX_SOURCES = 10
SHORTENED = " ... (shortened)"
MAX_URL_CHARS = 2000



def reply_activity(reply: Reply) -> Activity | None:
    """None when there is nothing to say (a person has the conversation)."""
    if not reply.text and not reply.citations:
        return None
    if not reply.actions and not reply.citations:
        return text_activity(reply.text)
    return MessageFactory.attachment(Attachment(content_type=ADAPTIVE_CARD, content=answer_card(reply)))


def text_activity(text: str) -> Activity:
    return MessageFactory.text(_fit(text, lambda candidate: candidate))


def answer_card(reply: Reply) -> dict:
    return _fit(reply.text, lambda text: _card(reply, text))


def _fit(text: str, build):
    """build(text), with text shortened until the result is under MAX_MESSAGE_BYTES as sent."""
    built = build(text)
    while (excess := _size(built) - MAX_MESSAGE_BYTES) > 0:
        bytes_per_char = _size(text) / max(len(text), 1)  # non-ASCII characters go out as \uXXXX
        shorter = shorten(text, len(text) - math.ceil(excess / bytes_per_char))
        if shorter == text:
            break  # nothing left to take from the text
        text, built = shorter, build(shorter)
    return built


def shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max(max_chars - len(SHORTENED), 0)].rstrip() + SHORTENED


def _card(reply: Reply, text: str) -> dict:
    body: list[dict] = [{"type": "TextBlock", "text": text, "wrap": True}]
    if reply.choices and reply.trace_id:
        body.append(_answers(reply.choices, reply.trace_id))
    if reply.citations:
        body.append(_sources(sources_of(reply.citations)[:MAX_SOURCES]))
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "actions": [_action(action, reply.trace_id) for action in reply.actions if reply.trace_id],
    }


def _answers(choices: list[str], trace_id: str) -> dict:
    """Each answer submits itself as the user's reply to the question."""
    actions = [{"type": "Action.Submit", "title": choice,
                "data": {"action": Action.ANSWER.value, "trace_id": trace_id, "answer": choice}} for choice in choices]
    return {"type": "ActionSet", "id": "answers", "actions": actions}


def _sources(sources: list[Source]) -> dict:
    items = [{"type": "TextBlock", "text": "Sources", "weight": "Bolder", "size": "Small", "wrap": True}]
    items += [{"type": "TextBlock", "text": source_line(s), "size": "Small", "wrap": True, "spacing": "None"} for s in sources]
    return {"type": "Container", "id": "sources", "spacing": "Medium", "separator": True, "items": items}


def source_line(source: Source) -> str:
    numbers = ", ".join(str(n) for n in source.numbers)
    title = _escape(source.title[:200])
    url = source.url if source.url and len(source.url) <= MAX_URL_CHARS else None
    line = f"{numbers}. [{title}]({_link(url)})" if url else f"{numbers}. {title}"
    if source.section:
        line += f" · {source.section[:200]}"
    return line


def _action(action: Action, trace_id: str) -> dict:
    data = {"action": action.value, "trace_id": trace_id}
    if action is not Action.NOT_RIGHT:
        return {"type": "Action.Submit", "title": ACTION_LABELS[action], "data": data}
    # Not right asks why, in a card that opens under the answer, and submits reason + details with the data.
    form = {
        "type": "AdaptiveCard",
        "body": [
            {
                "type": "Input.ChoiceSet",
                "id": "reason",
                "label": "What was wrong?",
                "style": "compact",
                "value": DISPUTE_REASONS[0],
                "choices": [{"title": DISPUTE_REASON_LABELS.get(r, r.replace("_", " ")), "value": r} for r in DISPUTE_REASONS],
            },
            {"type": "Input.Text", "id": "details", "label": "Details (optional)", "isMultiline": True, "maxLength": 4000},
        ],
        "actions": [{"type": "Action.Submit", "title": "Send to the support team", "data": data}],
    }
    return {"type": "Action.ShowCard", "title": ACTION_LABELS[action], "card": form}


def _escape(title: str) -> str:
    return title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _link(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _size(content: dict | str) -> int:
    return len(json.dumps(content))  # as the connector client sends it
