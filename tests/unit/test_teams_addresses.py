"""Which Teams thread, user and text an activity stands for."""

from botbuilder.schema import Activity

from bot.teams.addresses import admin_command, delivery_keys, is_from_a_bot, mentions_the_bot, text_without_mention, thread_of, user_of

BOT = {"id": "28:bot-app", "name": "supportbot"}


def _activity(conversation: dict, **fields) -> Activity:
    body = {
        "type": "message", "id": "1001", "serviceUrl": "https://smba.example/", "channelId": "msteams",
        "from": {"id": "29:alice", "name": "Alice", "aadObjectId": "aad-alice"},
        "recipient": BOT, "conversation": conversation, "channelData": {"tenant": {"id": "tenant-1"}},
        **fields,
    }
    return Activity().deserialize(body)


def _mention(who: dict, text: str) -> dict:
    return {"type": "mention", "mentioned": who, "text": text}


def test_a_channel_reply_chain_is_keyed_on_its_root_message():
    thread = thread_of(_activity({"id": "19:general@thread.tacv2;messageid=1700000000001", "conversationType": "channel"}))
    assert (thread.channel, thread.conversation_key, thread.kind) == (
        "teams:tenant-1/19:general@thread.tacv2", "1700000000001", "channel",
    )


def test_a_personal_chat_is_one_conversation():
    thread = thread_of(_activity({"id": "a:1xyz", "conversationType": "personal"}))
    assert (thread.channel, thread.conversation_key, thread.kind) == ("teams:tenant-1/a:1xyz", "a:1xyz", "personal")


def test_users_are_their_aad_object_id_or_else_their_teams_id():
    assert user_of(_activity({"id": "a:1"})) == "teams:aad-alice"
    assert user_of(_activity({"id": "a:1"}, **{"from": {"id": "29:guest"}})) == "teams:29:guest"


def test_the_bots_mention_is_removed_and_others_are_kept():
    activity = _activity(
        {"id": "19:c@thread.tacv2", "conversationType": "channel"},
        text="<at>supportbot</at> can <at>Bob</at> reset   my password?",
        entities=[_mention(BOT, "<at>supportbot</at>"), _mention({"id": "29:bob", "name": "Bob"}, "<at>Bob</at>")],
    )
    assert mentions_the_bot(activity)
    assert text_without_mention(activity) == "can <at>Bob</at> reset my password?"


def test_a_mention_of_someone_else_or_a_malformed_mention_is_no_mention_of_the_bot():
    activity = _activity(
        {"id": "19:c@thread.tacv2", "conversationType": "channel"},
        text="<at>Bob</at> hi", entities=[_mention({"id": "29:bob"}, "<at>Bob</at>"), {"type": "mention"}],
    )
    assert not mentions_the_bot(activity)
    assert text_without_mention(activity) == "<at>Bob</at> hi"


def test_admin_commands_start_with_supportbot():
    assert admin_command("/supportbot strategy set retrieval") == "strategy set retrieval"
    assert admin_command("supportbot status") == "status"
    assert admin_command("/supportbot") == ""
    assert admin_command("supportbots are great") is None
    assert admin_command("How do I use supportbot status?") is None
    assert admin_command("supportbot how do I reset my password?") is None, "a question that names the bot"
    assert admin_command("Supportbot Sync faq") == "Sync faq"


def test_messages_from_bots_and_from_itself_are_told_apart():
    assert is_from_a_bot(_activity({"id": "a:1"}, **{"from": {"id": "28:other", "role": "bot"}}))
    assert is_from_a_bot(_activity({"id": "a:1"}, **{"from": BOT}))
    assert not is_from_a_bot(_activity({"id": "a:1"}))


def test_long_teams_ids_are_bounded_for_the_database_and_stay_unique():
    personal = "a:1" + "x" * 300
    one = thread_of(_activity({"id": personal, "conversationType": "personal"}))
    other = thread_of(_activity({"id": personal + "y", "conversationType": "personal"}))
    assert len(one.channel) <= 200 and len(one.conversation_key) <= 200
    assert one.channel != other.channel and one.conversation_key != other.conversation_key
    assert thread_of(_activity({"id": personal, "conversationType": "personal"})) == one


def test_delivery_keys_tell_the_same_message_id_in_two_conversations_apart():
    here, there = _activity({"id": "a:1here"}), _activity({"id": "a:1there"})
    assert delivery_keys(here) != delivery_keys(there)
    assert delivery_keys(here) == delivery_keys(_activity({"id": "a:1here"}))
    assert all(len(key) <= 300 for key in delivery_keys(_activity({"id": "a:1" + "x" * 400})))
