"""What people read on the buttons, forms and notices of every chat, in one place so that Slack,
Teams and the web chat say the same thing."""

from __future__ import annotations

from bot.messages import Action

ACTION_LABELS = {
    Action.HELPFUL: "Helpful",
    Action.NOT_RIGHT: "Not right",
    Action.TALK_TO_HUMAN: "Talk to a human",
    Action.JUST_ASKING: "Just asking",
}

# keys: bot.db.models.feedback.DISPUTE_REASONS
DISPUTE_REASON_LABELS = {
    "wrong_fact": "A fact is wrong",
    "outdated_doc": "The documentation is out of date",
    "wrong_doc": "It used the wrong document",
    "should_follow_script": "It should have followed our usual steps",
    "tone": "The tone is off",
    "other": "Something else",
}

# keys: bot.db.models.feedback.ESCALATION_REASONS
ESCALATION_REASON_LABELS = {
    "user_request": "the user asked for a person",
    "low_confidence": "the bot was not confident",
    "out_of_scope": "the question is outside what the bot knows",
    "script": "a support script hands over here",
    "dispute": "a user disputed the answer",
    "error": "answering failed",
}
