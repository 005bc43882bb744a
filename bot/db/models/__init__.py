"""ORM models, one module per aggregate. Importing this package registers every table."""

from bot.db.models.account import ConsoleAccount, ConsoleSession, SignInAttempt
from bot.db.models.audit import AuditEntry
from bot.db.models.channel_policy import ChannelPolicy
from bot.db.models.conversation import Conversation, Turn
from bot.db.models.delivery import ChatDelivery
from bot.db.models.document import ChunkRecord, Document, DocumentVersion
from bot.db.models.feedback import AnswerFeedback, Dispute, Escalation
from bot.db.models.index_state import IndexState
from bot.db.models.review import TraceReview
from bot.db.models.router_thresholds import RouterThresholdSetting
from bot.db.models.script_model import ScriptModelVersion
from bot.db.models.source import ConnectorState, Source, SyncRun
from bot.db.models.trace import AnswerTrace, TraceEvidence
from bot.db.models.trace_indexes import TRACE_LIST_INDEXES

__all__ = [
    "AuditEntry",
    "ConsoleAccount",
    "ConsoleSession",
    "SignInAttempt",
    "TRACE_LIST_INDEXES",
    "AnswerFeedback",
    "ChatDelivery",
    "Dispute",
    "Escalation",
    "AnswerTrace",
    "ChannelPolicy",
    "ChunkRecord",
    "ConnectorState",
    "Conversation",
    "Document",
    "DocumentVersion",
    "IndexState",
    "RouterThresholdSetting",
    "ScriptModelVersion",
    "Source",
    "SyncRun",
    "TraceEvidence",
    "TraceReview",
    "Turn",
]
