"""Reading a slot's value out of what the user wrote."""

from __future__ import annotations

import pytest

from strategies.scripts.model import SlotSpec
from strategies.scripts.slot_values import read_slot

EMAIL = SlotSpec(slot="email", type="email")
NUMBER = SlotSpec(slot="amount", type="number")
YES_NO = SlotSpec(slot="ok", type="yes_no")
TEXT = SlotSpec(slot="details", type="text")
REASON = SlotSpec(slot="reason", type="choice", choices=("Too expensive", "Missing features", "Other"))
PLAN = SlotSpec(slot="plan", type="choice", choices=("Pro", "Business"))
INVOICE = SlotSpec(slot="invoice", type="pattern", pattern=r"INV-\d{4,6}")


@pytest.mark.parametrize("spec", [EMAIL, NUMBER, YES_NO, TEXT, REASON, INVOICE])
def test_empty_or_blank_answer_is_none(spec):
    assert read_slot(spec, "") is None
    assert read_slot(spec, "   \n") is None


def test_text_is_kept_as_written_without_outer_whitespace():
    assert read_slot(TEXT, "  The PDF export button does nothing.\n") == "The PDF export button does nothing."


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("anna@acme.example", "anna@acme.example"),
        ("it's Anna.Smith@Acme.Example, thanks", "anna.smith@acme.example"),
        ("send it to BOB+billing@mail.co.uk.", "bob+billing@mail.co.uk"),
        ("<ops-team@my-company.example>", "ops-team@my-company.example"),
    ],
)
def test_email_found_and_lowercased(text, value):
    assert read_slot(EMAIL, text) == value


@pytest.mark.parametrize("text", ["anna at acme dot com", "anna@acme", "@acme.example", "I don't remember"])
def test_not_an_email(text):
    assert read_slot(EMAIL, text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("60", "60"),
        ("about 60 people", "60"),
        ("$144", "144"),
        ("1,5", "1.5"),
        ("it was 49,99 EUR", "49.99"),
        ("12.50", "12.50"),
        ("-3", "-3"),
    ],
)
def test_number(text, value):
    assert read_slot(NUMBER, text) == value


def test_not_a_number():
    assert read_slot(NUMBER, "twelve dollars") is None


@pytest.mark.parametrize(("text", "value"), [("$1,200", "1200"), ("we have 12,000 invoices", "12000")])
def test_number_with_thousands_separator(text, value):
    assert read_slot(NUMBER, text) == value


@pytest.mark.parametrize(
    "text",
    ["yes", "Yes.", "y", "yeah", "Yep!", "sure", "OK", "okay", "correct", "right", "yes please", "Yes, please!", "please do",
     "yes I did", "yeah sure"],
)
def test_yes(text):
    assert read_slot(YES_NO, text) == "yes"


@pytest.mark.parametrize(
    "text", ["no", "No.", "n", "nope", "nah", "not really", "no thanks", "No thanks!", "no, I lost them", "Nope, nothing"]
)
def test_no(text):
    assert read_slot(YES_NO, text) == "no"


@pytest.mark.parametrize(
    "text",
    ["maybe", "I'm not sure", "yes and no", "yes no", "sure, no", "I don't know", "what do you mean?", "it depends", "not"],
)
def test_ambiguous_yes_no_is_none(text):
    assert read_slot(YES_NO, text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Too expensive", "Too expensive"),
        ("TOO EXPENSIVE.", "Too expensive"),
        ("other!", "Other"),
        ("2", "Missing features"),
        ("3.", "Other"),
        ("honestly it's too expensive for us", "Too expensive"),
        ("some missing features", "Missing features"),
    ],
)
def test_choice(text, value):
    assert read_slot(REASON, text) == value


@pytest.mark.parametrize(
    "text",
    [
        "too expensive and missing features",  # two choices: ambiguous
        "pro or business?",
        "0",
        "4",
        "expensive",  # only part of a choice
        "Professional",  # "pro" only as part of a word
    ],
)
def test_choice_not_understood(text):
    spec = PLAN if "pro" in text.lower() else REASON
    assert read_slot(spec, text) is None


def test_choice_by_name_in_a_sentence():
    assert read_slot(PLAN, "the business plan please") == "Business"
    assert read_slot(PLAN, "Pro") == "Pro"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("INV-0042", "INV-0042"),
        ("inv-0042", "inv-0042"),  # case is ignored, the value kept as typed
        ("it's INV-20931 thanks", "INV-20931"),
        ("my invoice is INV-0042.", "INV-0042"),
    ],
)
def test_pattern(text, value):
    assert read_slot(INVOICE, text) == value


@pytest.mark.parametrize("text", ["INV-12", "invoice 20931", "the last one"])
def test_pattern_not_found(text):
    assert read_slot(INVOICE, text) is None


def test_pattern_does_not_take_part_of_a_longer_value():
    assert read_slot(INVOICE, "it's INV-1234567") is None
