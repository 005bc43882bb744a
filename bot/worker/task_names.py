"""Celery task names and queues: what the web process sends and the worker runs. No celery
import here, so senders stay light."""

SYNC_SOURCE = "supportbot.sync_source"
SYNC_DUE_SOURCES = "supportbot.sync_due_sources"
REBUILD_INDEX = "supportbot.rebuild_index"
SEND_ESCALATION_NOTICE = "supportbot.send_escalation_notice"
DELIVER_ANSWER = "supportbot.deliver_answer"

# Long tasks and short ones on separate queues, so a big sync never delays an escalation notice.
SYNC_QUEUE = "sync"
CHAT_QUEUE = "chat"

QUEUE_OF = {
    SYNC_SOURCE: SYNC_QUEUE,
    SYNC_DUE_SOURCES: SYNC_QUEUE,
    REBUILD_INDEX: SYNC_QUEUE,
    SEND_ESCALATION_NOTICE: CHAT_QUEUE,
    DELIVER_ANSWER: CHAT_QUEUE,
}
