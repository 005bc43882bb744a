"""The modal that Not right opens: why the answer was wrong (one of DISPUTE_REASONS) and
optional details. The trace and the thread to confirm in travel in private_metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.chat_labels import DISPUTE_REASON_LABELS
from bot.db.models.feedback import DISPUTE_REASONS

CALLBACK_ID = "supportbot_dispute"
REASON_BLOCK, REASON_ACTION = "reason", "reason"
DETAILS_BLOCK, DETAILS_ACTION = "details", "details"


@dataclass(frozen=True)
class DisputeOrigin:
    trace_id: str
    channel: str | None  # Slack channel id of the answer, for the confirmation
    thread_ts: str | None


@dataclass(frozen=True)
class DisputeForm:
    origin: DisputeOrigin
    reason: str
    details: str


def dispute_view(origin: DisputeOrigin) -> dict:
    options = [_option(reason) for reason in DISPUTE_REASONS]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps(
            {"trace_id": origin.trace_id, "channel": origin.channel, "thread_ts": origin.thread_ts}
        ),
        "title": {"type": "plain_text", "text": "Not right"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": "What was wrong?"},
                "element": {"type": "static_select", "action_id": REASON_ACTION, "options": options},
            },
            {
                "type": "input",
                "block_id": DETAILS_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Details for the support team"},
                "element": {"type": "plain_text_input", "action_id": DETAILS_ACTION, "multiline": True, "max_length": 3000},
            },
        ],
    }


def read_submission(view: dict) -> DisputeForm:
    """The form as submitted; missing or odd values fall back to `other` and no details."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    values = (view.get("state") or {}).get("values") or {}
    selected = (values.get(REASON_BLOCK, {}).get(REASON_ACTION) or {}).get("selected_option") or {}
    details = (values.get(DETAILS_BLOCK, {}).get(DETAILS_ACTION) or {}).get("value") or ""
    origin = DisputeOrigin(str(meta.get("trace_id") or ""), meta.get("channel"), meta.get("thread_ts"))
    return DisputeForm(origin, str(selected.get("value") or "other"), str(details))


def _option(reason: str) -> dict:
    return {"text": {"type": "plain_text", "text": DISPUTE_REASON_LABELS.get(reason, reason)}, "value": reason}
