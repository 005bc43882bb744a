"""Where a Teams activity belongs, in the bot's chat-neutral terms.

A Teams channel thread (a reply chain) arrives as conversation id
`19:...@thread.tacv2;messageid=<root>`: the channel is the part before `;messageid`, the
conversation is the root message. Personal (1:1) and group chats are one conversation each."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.admin_commands import COMMANDS

# "/supportbot anything", or "supportbot" followed by a command's name: "supportbot how do I..." is a question
_ADMIN_PREFIX = re.compile(rf"^(?:/supportbot(?:\s+|$)|supportbot\s+(?=(?:{'|'.join(COMMANDS)})\b))", re.IGNORECASE)
MAX_ID_CHARS = 200  # the database's channel and conversation key columns; personal chat ids run long


@dataclass(frozen=True)
class TeamsThread:
    channel: str  # teams:<tenant>/<conversation id without ;messageid>
    conversation_key: str  # the reply chain's root message, or the whole chat
    kind: str  # personal | groupChat | channel


def thread_of(activity: Activity) -> TeamsThread:
    conversation_id, _, root = activity.conversation.id.partition(";messageid=")
    kind = activity.conversation.conversation_type or "personal"
    channel = bounded(f"teams:{tenant_of(activity)}/{conversation_id}", MAX_ID_CHARS)
    return TeamsThread(channel, bounded(root or conversation_id, MAX_ID_CHARS), kind)


def delivery_keys(activity: Activity) -> list[str]:
    """Activity ids are only unique within a conversation (message ids are timestamps)."""
    return [bounded(f"teams:activity:{thread_of(activity).channel}/{activity.id}", 300)]


def bounded(text: str, limit: int) -> str:
    """`text`, or when longer than `limit` a prefix with a hash of the whole: still unique."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{text[: limit - len(digest) - 1]}#{digest}"


def tenant_of(activity: Activity) -> str:
    # Teams sends conversation.tenantId, which botbuilder's schema (tenantID) misses: channelData has it too.
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    return str(tenant.get("id") or activity.conversation.tenant_id or "no-tenant")


def user_of(activity: Activity) -> str:
    sender = activity.from_property
    return f"teams:{sender.aad_object_id or sender.id}"


def reply_address(activity: Activity) -> dict:
    """The ConversationReference botbuilder needs to post here later, as JSON."""
    return TurnContext.get_conversation_reference(activity).serialize()


def is_from_a_bot(activity: Activity) -> bool:
    sender = activity.from_property
    return sender.role == "bot" or (activity.recipient is not None and sender.id == activity.recipient.id)


def mentions_the_bot(activity: Activity) -> bool:
    return any(_mentioned_id(m) == activity.recipient.id for m in TurnContext.get_mentions(activity))


def text_without_mention(activity: Activity) -> str:
    """The message text with the bot's `<at>name</at>` mentions removed."""
    text = activity.text or ""
    for mention in TurnContext.get_mentions(activity):
        if _mentioned_id(mention) == activity.recipient.id:
            mention_text = mention.additional_properties.get("text")
            if isinstance(mention_text, str) and mention_text:
                text = text.replace(mention_text, " ")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def admin_command(text: str) -> str | None:
    """`/supportbot status` or `supportbot status` -> `status`; None for anything else."""
    match = _ADMIN_PREFIX.match(text)
    return text[match.end():].strip() if match else None


def _mentioned_id(mention) -> str | None:
    mentioned = mention.additional_properties.get("mentioned")
    return mentioned.get("id") if isinstance(mentioned, dict) else None
