"""A Reply as a Slack Block Kit message: the answer in one or more sections, the Sources with
links (one line per section of a page), the answer buttons of a script's question (Yes / No, its
choices), and the Helpful / Not right / Talk to a human buttons carrying the trace id.
Slack's limits: 3,000 characters per section text, 50 blocks per message."""

from __future__ import annotations

import json
import re

from bot.chat_labels import ACTION_LABELS
from bot.messages import MAX_PRESSED_ANSWER_CHARS, Action, Citation, Reply, sources_of

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
FALLBACK_LIMIT = 3000  # the plain `text` shown in notifications and by clients without blocks
SOURCES_HEADING = "*Sources*"
ACTIONS_BLOCK_ID = "supportbot_actions"
ACTION_IDS = {action: f"supportbot_{action.value}" for action in Action}
ANSWERS_BLOCK_ID = "supportbot_answers"
ANSWER_ACTION_ID = re.compile(r"^supportbot_answer_\d+$")  # action ids are unique within a block: one per choice
BUTTON_TEXT_LIMIT = 75

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    text = escape(markdown)
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", text)
    return _BOLD.sub(r"*\1*", text)


def render_reply(reply: Reply) -> dict:
    """Keyword arguments for chat.postMessage (without channel and thread): `text` and `blocks`."""
    tail: list[dict] = []
    if reply.citations:
        tail.append(sources_block(reply.citations))
    if reply.choices and reply.trace_id:
        tail.append(answers_block(reply.choices, reply.trace_id))
    if reply.actions and reply.trace_id:
        tail.append(actions_block(reply.actions, reply.trace_id))
    sections = [_section(chunk) for chunk in split_text(to_mrkdwn(reply.text))]
    room = BLOCK_LIMIT - len(tail)
    if len(sections) > room:
        sections = sections[: room - 1] + [_section("_(The answer was too long for one Slack message and was cut here.)_")]
    return {"text": reply.text[:FALLBACK_LIMIT] or " ", "blocks": sections + tail}


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraphs, else sentences, else lines, else anywhere."""
    text = text.strip()
    if not text:
        return ["_(no answer text)_"]
    pieces: list[str] = []
    for paragraph in text.split("\n\n"):
        for piece in _fit(paragraph, limit):
            if pieces and len(pieces[-1]) + 2 + len(piece) <= limit:
                pieces[-1] = f"{pieces[-1]}\n\n{piece}"
            else:
                pieces.append(piece)
    return pieces


def _fit(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph]
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > limit:  # a "sentence" longer than a section: cut at a space if there is one
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if pieces and len(pieces[-1]) + 1 + len(sentence) <= limit:
            pieces[-1] = f"{pieces[-1]} {sentence}"
        elif sentence:
            pieces.append(sentence)
    return pieces


def sources_block(citations: list[Citation]) -> dict:
    lines = [SOURCES_HEADING]
    for source in sources_of(citations):
        line = "".join(f"[{n}]" for n in source.numbers) + f" {_link(source.title, source.url)}"
        if source.section:
            line += f" · {escape(source.section)}"
        if sum(len(x) + 1 for x in lines) + len(line) > SECTION_LIMIT:
            break
        lines.append(line)
    return _section("\n".join(lines))


def _link(title: str, url: str | None) -> str:
    label = escape(title or "Untitled").replace("|", "/")
    return f"<{url}|{label}>" if url else label


def actions_block(actions: list[Action], trace_id: str) -> dict:
    buttons = []
    for action in actions:
        button = {
            "type": "button",
            "action_id": ACTION_IDS[action],
            "text": {"type": "plain_text", "text": ACTION_LABELS[action]},
            "value": trace_id,
        }
        if action is Action.HELPFUL:
            button["style"] = "primary"
        buttons.append(button)
    return {"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": buttons}


def answers_block(choices: list[str], trace_id: str) -> dict:
    """The answers as buttons; each value carries the trace id and the answer, which is what the
    click sends (the label may be cut to Slack's 75 characters)."""
    buttons = [
        {
            "type": "button",
            "action_id": f"{ACTION_IDS[Action.ANSWER]}_{n}",
            "text": {"type": "plain_text", "text": choice[:BUTTON_TEXT_LIMIT]},
            "value": json.dumps({"trace": trace_id, "answer": choice}),
        }
        for n, choice in enumerate(choices)
    ]
    return {"type": "actions", "block_id": ANSWERS_BLOCK_ID, "elements": buttons}


def read_answer_value(value: str) -> tuple[str, str]:
    """(trace id, answer) from an answer button's value; ("", "") when it is not one of ours."""
    try:
        data = json.loads(value)
    except ValueError:
        return "", ""
    trace, answer = (data.get("trace"), data.get("answer")) if isinstance(data, dict) else (None, None)
    return (trace[:64], answer[:MAX_PRESSED_ANSWER_CHARS]) if isinstance(trace, str) and isinstance(answer, str) else ("", "")


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
