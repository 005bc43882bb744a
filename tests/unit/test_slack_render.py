"""Block Kit rendering of a Reply within Slack's limits."""

from bot.chat_labels import ACTION_LABELS
from bot.messages import Action, Citation, Outcome, Reply
from bot.slack.render import (
    ANSWER_ACTION_ID,
    BLOCK_LIMIT,
    SECTION_LIMIT,
    read_answer_value,
    render_reply,
    split_text,
    to_mrkdwn,
)

TRACE = "a" * 32


def _reply(text: str, **kwargs) -> Reply:
    return Reply(text=text, outcome=Outcome.ANSWERED, trace_id=TRACE, **kwargs)


def test_an_answer_is_sections_then_sources_then_three_buttons_with_the_trace_id():
    reply = _reply(
        "Pro costs $15 per user & month [1].",
        citations=[
            Citation(1, "Plans <and> pricing", "Pro", "https://help.example/pricing", "pricing.md"),
            Citation(2, "Billing FAQ", "", None, "faq"),
        ],
        actions=[Action.HELPFUL, Action.NOT_RIGHT, Action.TALK_TO_HUMAN],
    )
    rendered = render_reply(reply)
    assert rendered["text"] == "Pro costs $15 per user & month [1]."
    assert rendered["blocks"] == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Pro costs $15 per user &amp; month [1]."}},
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            "*Sources*\n[1] <https://help.example/pricing|Plans &lt;and&gt; pricing> · Pro\n[2] Billing FAQ"
        )}},
        {"type": "actions", "block_id": "supportbot_actions", "elements": [
            {"type": "button", "action_id": "supportbot_helpful", "text": {"type": "plain_text", "text": "Helpful"},
             "value": TRACE, "style": "primary"},
            {"type": "button", "action_id": "supportbot_not_right", "text": {"type": "plain_text", "text": "Not right"},
             "value": TRACE},
            {"type": "button", "action_id": "supportbot_talk_to_human",
             "text": {"type": "plain_text", "text": "Talk to a human"}, "value": TRACE},
        ]},
    ]


def test_a_scripts_question_offers_its_answers_as_buttons_above_the_three():
    long_choice = "a choice whose label runs past what Slack shows on a button, which is seventy-five characters"
    reply = _reply("Which plan?", choices=["Pro", long_choice], actions=[Action.HELPFUL, Action.NOT_RIGHT, Action.TALK_TO_HUMAN])
    *_, answers, actions = render_reply(reply)["blocks"]
    assert (answers["block_id"], actions["block_id"]) == ("supportbot_answers", "supportbot_actions")
    first, second = answers["elements"]
    assert [first["action_id"], second["action_id"]] == ["supportbot_answer_0", "supportbot_answer_1"]
    assert all(ANSWER_ACTION_ID.match(e["action_id"]) for e in answers["elements"])
    assert first["text"]["text"] == "Pro" and len(second["text"]["text"]) == 75
    assert read_answer_value(second["value"]) == (TRACE, long_choice), "the click sends the whole answer"
    assert read_answer_value("not json") == ("", "") and read_answer_value('{"trace": 1}') == ("", "")
    assert not any(b.get("block_id") == "supportbot_answers" for b in render_reply(_reply("Hi"))["blocks"])


def test_a_rejected_message_has_no_buttons_and_no_sources():
    rendered = render_reply(Reply(text="Your message is 100,000 characters long", outcome=Outcome.REJECTED))
    assert [b["type"] for b in rendered["blocks"]] == ["section"]


def test_a_long_answer_is_split_at_paragraphs_into_sections_of_at_most_3000_characters():
    paragraphs = [f"Paragraph {i}. " + "word " * 300 for i in range(12)]  # ~1,500 characters each
    rendered = render_reply(_reply("\n\n".join(paragraphs), actions=[Action.HELPFUL]))
    sections = [b["text"]["text"] for b in rendered["blocks"] if b["type"] == "section"]
    assert len(sections) == 12 and all(len(s) <= SECTION_LIMIT for s in sections)
    assert all(s.startswith("Paragraph") for s in sections)  # cut between paragraphs, not inside one
    assert len(rendered["text"]) <= 3000


def test_one_huge_paragraph_is_cut_at_sentences_and_a_sentence_without_ends_at_spaces():
    sentence = "This sentence is about invoices and goes on. "
    pieces = split_text(sentence * 200)  # ~9,000 characters, no blank lines
    assert len(pieces) == 4 and all(len(p) <= SECTION_LIMIT and p.endswith("goes on.") for p in pieces)
    endless = split_text("word " * 2000)
    assert all(len(p) <= SECTION_LIMIT for p in endless) and " ".join(endless).split() == ["word"] * 2000
    assert all(len(p) <= 100 for p in split_text("x" * 1000, limit=100))


def test_an_answer_longer_than_50_blocks_is_cut_with_a_note_and_keeps_sources_and_buttons():
    text = "\n\n".join("y " * 1400 for _ in range(80))
    reply = _reply(text, citations=[Citation(1, "Doc", "", "https://d.example", "d")], actions=list(ACTION_LABELS))  # every button under an answer
    blocks = render_reply(reply)["blocks"]
    assert len(blocks) == BLOCK_LIMIT
    assert "cut here" in blocks[-3]["text"]["text"]
    assert blocks[-2]["text"]["text"].startswith("*Sources*") and blocks[-1]["type"] == "actions"


def test_markdown_becomes_slack_mrkdwn():
    assert to_mrkdwn("**Pro** is [our plan](https://x.example/p) for teams < 10") == (
        "*Pro* is <https://x.example/p|our plan> for teams &lt; 10"
    )


def test_two_chunks_of_one_section_are_one_sources_line_and_other_sections_are_named():
    page = "https://help.example/password"
    reply = _reply("Quotes [1] [2] [3].", citations=[
        Citation(1, "Password reset", "Reset your password", page, "password.md"),
        Citation(2, "Password reset", "Reset your password", page, "password.md"),
        Citation(3, "Password reset", "Two-factor > Backup codes", page, "password.md"),
    ])
    sources = render_reply(reply)["blocks"][-1]["text"]["text"]
    assert sources.splitlines() == [
        "*Sources*",
        f"[1][2] <{page}|Password reset> · Reset your password",
        f"[3] <{page}|Password reset> · Two-factor &gt; Backup codes",
    ]
