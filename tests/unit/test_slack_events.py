"""Which Slack events the adapter answers and how they become chat-neutral messages."""

import asyncio

from bot.slack.dispute_form import DisputeOrigin, dispute_view, read_submission
from bot.slack.events import to_answer, why_ignored

BODY = {"team_id": "T1", "event_id": "Ev1"}


class Backend:
    def __init__(self, known: set[tuple[str, str]] = frozenset()) -> None:
        self.known = known

    async def knows_conversation(self, channel: str, key: str) -> bool:
        return (channel, key) in self.known


def _event(**fields) -> dict:
    return {"type": "message", "channel": "C2", "user": "U1", "text": "hi", "ts": "2.000", **fields}


def _answer(event: dict, backend: Backend | None = None):
    return asyncio.run(to_answer(event, BODY, "UBOT", backend or Backend()))


def test_a_mention_is_translated_into_a_message_keyed_on_its_thread():
    message = _answer(_event(type="app_mention", text="<@UBOT> how much is Pro?", thread_ts="1.000"))
    incoming = message.incoming(("earlier",))
    assert (incoming.channel, incoming.conversation_key, incoming.user_id) == ("slack:T1/C2", "1.000", "slack:U1")
    assert incoming.text == "how much is Pro?"
    assert incoming.reply_address == {"team": "T1", "channel": "C2", "thread_ts": "1.000"}
    assert incoming.earlier_messages == ("earlier",)
    assert message.delivery_keys == ["slack:event:Ev1", "slack:msg:C2:2.000"]


def test_a_top_level_message_starts_its_own_thread():
    assert _answer(_event(type="app_mention")).thread_ts == "2.000"


def test_dms_mentions_and_known_threads_are_answered_other_channel_messages_not():
    assert _answer(_event(channel="D1", channel_type="im")) is not None
    assert _answer(_event(channel_type="channel", text="hey <@UBOT>")) is not None
    assert _answer(_event(channel_type="channel")) is None
    in_thread = _event(channel_type="channel", thread_ts="1.000")
    assert _answer(in_thread) is None
    assert _answer(in_thread, Backend({("slack:T1/C2", "1.000")})) is not None


def test_bots_edits_deletions_and_other_subtypes_are_ignored_with_a_log_line(caplog):
    for event in (
        _event(bot_id="B9"),
        _event(subtype="bot_message"),
        _event(subtype="message_changed"),
        _event(subtype="message_deleted"),
        _event(subtype="channel_join"),
        _event(user=None),
    ):
        with caplog.at_level("INFO", logger="bot.slack.events"):
            caplog.clear()
            assert _answer({**event, "channel_type": "im"}) is None
        assert "ignored" in caplog.text
    assert why_ignored(_event(subtype="file_share")) is None  # a file with text (or none: the service says so)


def test_the_dispute_form_round_trips_the_origin_and_falls_back_on_odd_input():
    view = dispute_view(DisputeOrigin("t" * 32, "C2", "1.000"))
    select = view["blocks"][0]["element"]
    assert select["type"] == "static_select" and [o["value"] for o in select["options"]][0] == "wrong_fact"
    submitted = {**view, "state": {"values": {
        "reason": {"reason": {"selected_option": {"value": "tone"}}}, "details": {"details": {"value": "rude"}},
    }}}
    form = read_submission(submitted)
    assert (form.origin, form.reason, form.details) == (DisputeOrigin("t" * 32, "C2", "1.000"), "tone", "rude")
    broken = read_submission({"private_metadata": "{not json", "state": {}})
    assert (broken.origin.trace_id, broken.reason, broken.details) == ("", "other", "")
