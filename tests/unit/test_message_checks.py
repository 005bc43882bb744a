import pytest

from bot.message_checks import UnusableMessage, clean_question


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\x00\x07", "\u200b\u200b"])
def test_empty_messages_are_unusable(text):
    with pytest.raises(UnusableMessage, match="empty"):
        clean_question(text, max_chars=100)


def test_a_100_kb_message_is_refused_with_its_size():
    with pytest.raises(UnusableMessage, match="102,400 characters long; I can read up to 4,000"):
        clean_question("a" * 102_400, max_chars=4000)


def test_control_characters_and_runs_of_whitespace_are_cleaned():
    assert clean_question("how\x00 do I\r\n\x1b reset\u202e my password?", 100) == "how do I reset my password?"
