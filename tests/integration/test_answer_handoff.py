"""What a worker does with a handed-off message: answer, post through the chat's poster, finish
the delivery; a failed post releases it so the chat's retry is answered."""

from __future__ import annotations

from bot.answer_handoff import WorkerAnswers, handoff_payload, message_from_payload
from dataclasses import replace

from bot.messages import Action, IncomingMessage

MESSAGE = IncomingMessage(
    channel="slack:T1/C1", conversation_key="1700000000.000100", user_id="slack:U1",
    text="How much does the Pro plan cost?", reply_address={"team": "T1", "channel": "C1", "thread_ts": "1700000000.000100"},
    earlier_messages=("hi", "anyone?"),
)
KEYS = ["slack:event:Ev1", "slack:msg:C1:1700000000.000100"]


class RecordingPoster:
    def __init__(self, fail: bool = False) -> None:
        self.fail, self.posted, self.cleared = fail, [], []

    def post(self, message, reply, context) -> None:
        if self.fail:
            raise ConnectionError("chat API down")
        self.posted.append((message, reply, context))

    def finished(self, message, context) -> None:
        self.cleared.append(context)


def test_the_payload_is_json_and_gives_back_the_same_message():
    import json

    payload = json.loads(json.dumps(handoff_payload(MESSAGE, KEYS, {"ts": "1700000000.000100"})))
    assert message_from_payload(payload) == MESSAGE and payload["keys"] == KEYS
    clicked = replace(MESSAGE, text="just asking", pressed=Action.JUST_ASKING)
    assert message_from_payload(json.loads(json.dumps(handoff_payload(clicked, KEYS, {})))) == clicked


def test_a_worker_answers_posts_and_finishes_the_delivery(shared_synced):
    poster = RecordingPoster()
    ledger = shared_synced.delivery_ledger
    keys = [f"{k}:ok" for k in KEYS]
    assert ledger.claim(keys)
    worker = WorkerAnswers(lambda: shared_synced.answer_service, ledger, lambda chat: poster)
    assert worker.deliver(handoff_payload(MESSAGE, keys, {"ts": "1"})) is True
    ((message, reply, context),) = poster.posted
    assert message == MESSAGE and reply.trace_id and reply.citations and context == {"ts": "1"}
    assert poster.cleared == [{"ts": "1"}]
    assert not ledger.claim(keys), "answered: a retry is a duplicate"


def test_a_failed_post_releases_the_delivery_for_the_chats_retry(shared_synced):
    poster = RecordingPoster(fail=True)
    ledger = shared_synced.delivery_ledger
    keys = [f"{k}:fail" for k in KEYS]
    assert ledger.claim(keys)
    worker = WorkerAnswers(lambda: shared_synced.answer_service, ledger, lambda chat: poster)
    assert worker.deliver(handoff_payload(MESSAGE, keys, {})) is False
    assert poster.cleared == [{}], "the looking-into-it indicator is cleared either way"
    assert ledger.claim(keys), "released: the retry is answered"
