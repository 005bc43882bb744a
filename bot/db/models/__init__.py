"""ORM models, one module per aggregate. Importing this package registers every table."""

from bot.db.models.conversation import Conversation, Turn
from bot.db.models.document import ChunkRecord, Document, DocumentVersion
from bot.db.models.index_state import IndexState
from bot.db.models.source import Source, SyncRun
from bot.db.models.trace import AnswerTrace, TraceEvidence

__all__ = [
    "AnswerTrace",
    "ChunkRecord",
    "Conversation",
    "Document",
    "DocumentVersion",
    "IndexState",
    "Source",
    "SyncRun",
    "TraceEvidence",
    "Turn",
]
