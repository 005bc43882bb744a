"""The Teams Adaptive Card for an answer, plain notes, and escalation notices, within Teams' size limit."""

import json

import pytest

from bot.db.models.feedback import DISPUTE_REASONS
from bot.escalations import EscalationNotice, EvidenceLink
from bot.messages import Action, Citation, Outcome, Reply
from bot.teams.notices import notice_text
from bot.teams.render import ADAPTIVE_CARD, MAX_MESSAGE_BYTES, SHORTENED, answer_card, reply_activity, text_activity
from tests.chat_drivers.teams import parse_message

TRACE = "a" * 32


ANSWERED = (Action.HELPFUL, Action.NOT_RIGHT, Action.TALK_TO_HUMAN)


def _answer(text="The Pro plan costs $29 per month [1].", citations=None, actions=ANSWERED) -> Reply:
    citations = citations if citations is not None else [
        Citation(1, "Pricing", "Pro plan", "https://help.tallyo.example/pricing", "pricing.md"),
        Citation(2, "Billing [FAQ]", "Billing [FAQ]", None, "faq"),
    ]
    return Reply(text=text, outcome=Outcome.ANSWERED, trace_id=TRACE, citations=citations, actions=list(actions))


def test_an_answer_is_an_adaptive_card_with_text_sources_and_three_actions():
    activity = reply_activity(_answer())
    [attachment] = activity.attachments
    assert attachment.content_type == ADAPTIVE_CARD
    card = attachment.content
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    text, sources = card["body"]
    assert text == {"type": "TextBlock", "text": "The Pro plan costs $29 per month [1].", "wrap": True}
    assert sources["id"] == "sources"
    assert [item["text"] for item in sources["items"]] == [
        "Sources",
        "1. [Pricing](https://help.tallyo.example/pricing) · Pro plan",
        "2. Billing \\[FAQ\\]",
    ]
    helpful, not_right, human = card["actions"]
    assert helpful == {"type": "Action.Submit", "title": "Helpful", "data": {"action": "helpful", "trace_id": TRACE}}
    assert human == {"type": "Action.Submit", "title": "Talk to a human", "data": {"action": "talk_to_human", "trace_id": TRACE}}
    assert (not_right["type"], not_right["title"]) == ("Action.ShowCard", "Not right")


def test_just_asking_is_a_plain_submit_the_driver_can_press():
    reply = _answer(actions=(Action.JUST_ASKING, *ANSWERED))
    just_asking = answer_card(reply)["actions"][0]
    assert just_asking == {"type": "Action.Submit", "title": "Just asking", "data": {"action": "just_asking", "trace_id": TRACE}}
    assert parse_message(reply_activity(reply).serialize()).actions == ["just_asking", "helpful", "not_right", "talk_to_human"]


def test_a_scripts_question_offers_its_answers_as_submits_under_the_text():
    reply = Reply(text="Did the reset email arrive?", outcome=Outcome.ANSWERED, trace_id=TRACE, actions=list(ANSWERED),
                  choices=["Yes", "No"])
    text, answers = answer_card(reply)["body"]
    assert answers["type"] == "ActionSet" and [a["data"] for a in answers["actions"]] == [
        {"action": "answer", "trace_id": TRACE, "answer": "Yes"}, {"action": "answer", "trace_id": TRACE, "answer": "No"}]
    message = parse_message(reply_activity(reply).serialize())
    assert (message.choices, message.text, message.actions) == (["Yes", "No"], "Did the reset email arrive?", list(ANSWERED))


def test_not_right_asks_for_a_reason_and_details_before_it_submits():
    not_right = answer_card(_answer())["actions"][1]
    reason, details = not_right["card"]["body"]
    assert (reason["type"], reason["id"]) == ("Input.ChoiceSet", "reason")
    assert [choice["value"] for choice in reason["choices"]] == list(DISPUTE_REASONS)
    assert (details["type"], details["id"], details["isMultiline"]) == ("Input.Text", "details", True)
    [submit] = not_right["card"]["actions"]
    assert submit["type"] == "Action.Submit" and submit["data"] == {"action": "not_right", "trace_id": TRACE}


def test_the_driver_reads_back_what_the_renderer_wrote():
    message = parse_message(reply_activity(_answer()).serialize())
    assert message.text == "The Pro plan costs $29 per month [1]."
    assert message.sources == [("Pricing", "https://help.tallyo.example/pricing"), ("Billing [FAQ]", None)]
    assert (message.actions, message.trace_id) == (["helpful", "not_right", "talk_to_human"], TRACE)


def test_two_chunks_of_one_section_are_one_sources_line_the_driver_reads_once():
    page = "https://help.tallyo.example/password"
    reply = _answer(citations=[
        Citation(1, "Password reset", "Reset your password", page, "password.md"),
        Citation(2, "Password reset", "Reset your password", page, "password.md"),
        Citation(3, "Password reset", "Password reset", page, "password.md"),
    ])
    [_, sources] = answer_card(reply)["body"]
    assert [item["text"] for item in sources["items"][1:]] == [
        f"1, 2. [Password reset]({page}) · Reset your password",
        f"3. [Password reset]({page})",
    ]
    assert parse_message(reply_activity(reply).serialize()).sources == [("Password reset", page)] * 2


def test_an_escalated_reply_offers_only_what_the_service_offers():
    card = answer_card(_answer(citations=[], actions=[Action.TALK_TO_HUMAN]))
    assert [a["data"]["action"] for a in card["actions"]] == ["talk_to_human"]
    assert len(card["body"]) == 1  # no sources section without sources


@pytest.mark.parametrize("text", ["word " * 20_000, "日本語の回答" * 5_000, "\"quoted\"\n" * 5_000])
def test_a_long_answer_is_shortened_to_fit_teams_message_limit(text):
    card = answer_card(_answer(text=text))
    assert len(json.dumps(card)) <= MAX_MESSAGE_BYTES
    shown = card["body"][0]["text"]
    assert shown.endswith(SHORTENED) and text.startswith(shown[: -len(SHORTENED)])
    assert len(shown) > len(text) / 20  # shortened, not emptied
    assert len(card["actions"]) == 3 and card["body"][1]["id"] == "sources"


def test_a_short_answer_is_not_touched():
    assert answer_card(_answer(text="Short."))["body"][0]["text"] == "Short."


def test_notes_are_plain_text_without_buttons_and_a_silent_reply_posts_nothing():
    rejected = reply_activity(Reply(text="Your message is 100,000 characters long.", outcome=Outcome.REJECTED))
    assert (rejected.text, rejected.attachments) == ("Your message is 100,000 characters long.", None)
    assert reply_activity(Reply(text="", outcome=Outcome.WITH_HUMAN)) is None
    assert len(json.dumps(text_activity("é" * 50_000).text)) <= MAX_MESSAGE_BYTES


def _notice(**overrides) -> EscalationNotice:
    fields = dict(
        escalation_id=7, reason="user_request", channel="teams:t/a:1", conversation_key="a:1",
        requested_by="teams:alice", question="How do I connect my bank account?", answer="Go to Settings.",
        trace_id=TRACE, evidence=[EvidenceLink("Bank feeds", "https://help.tallyo.example/bank"), EvidenceLink("FAQ", None)],
    )
    return EscalationNotice(**{**fields, **overrides})


def test_a_notice_has_the_question_answer_evidence_and_reason():
    text = notice_text(_notice())
    for part in ("How do I connect my bank account?", "Go to Settings.", "[Bank feeds](https://help.tallyo.example/bank)",
                 "- FAQ", "the user asked for a person", TRACE, "teams:alice"):
        assert part in text


def test_a_huge_notice_keeps_question_and_evidence_when_shortened():
    text = text_activity(notice_text(_notice(answer="blah " * 20_000))).text
    assert len(json.dumps(text)) <= MAX_MESSAGE_BYTES
    assert "How do I connect my bank account?" in text and "Bank feeds" in text and text.endswith(SHORTENED)
