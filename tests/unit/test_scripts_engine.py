"""Following a script across turns: branches, slots, retries, and scripts that never ask."""

from __future__ import annotations

from strategies.scripts import EndOutcome, Script, ScriptEngine, ScriptState
from strategies.scripts.engine import GIVING_UP, MAX_STEPS_PER_TURN, NOT_UNDERSTOOD
from tests.unit.script_files import load_one

# --- reset_password, both branches ----------------------------------------------------


def test_start_says_the_first_step_and_waits_for_its_answer(engine):
    turn = engine.start("reset_password", opening="I forgot my password")
    assert turn.script_id == "reset_password"
    assert turn.text.startswith("No problem, let's get you back in.")
    assert turn.text.endswith("single sign-on?")
    assert turn.steps == ("check_sso",)
    assert turn.end is None
    assert turn.filled is None
    assert not turn.not_understood
    assert turn.state == ScriptState("reset_password", "check_sso", {}, 0, "I forgot my password")


def test_reset_password_sso_branch_resolves(engine):
    turn = engine.answer(engine.start("reset_password").state, "yes, we use Google")
    assert turn.filled == ("uses_sso", "yes")
    assert turn.steps == ("no_password",)
    assert turn.end is EndOutcome.RESOLVED
    assert turn.state is None
    assert "**Continue with Google**" in turn.text


def test_reset_password_link_branch_then_no_email_escalates(engine):
    turn = engine.answer(engine.start("reset_password", opening="forgot pw").state, "No")
    # send_link has no question, so the engine goes on to `arrived` in the same turn
    assert turn.steps == ("send_link", "arrived")
    assert turn.text.startswith("Go to the sign-in page")
    assert turn.text.endswith("\n\nDid the reset email arrive?")
    assert turn.state == ScriptState("reset_password", "arrived", {"uses_sso": "no"}, 0, "forgot pw")
    assert turn.end is None

    last = engine.answer(turn.state, "nope, nothing")
    assert last.filled == ("email_arrived", "no")
    assert last.steps == ("no_email",)
    assert last.end is EndOutcome.ESCALATE
    assert last.state is None
    assert "spam folder" in last.text


def test_reset_password_link_branch_then_email_arrived_resolves(engine):
    state = engine.answer(engine.start("reset_password").state, "no").state
    last = engine.answer(state, "yep")
    assert last.steps == ("done",)
    assert last.end is EndOutcome.RESOLVED
    assert last.text.startswith("Great!")


# --- slots and placeholders -----------------------------------------------------------


def _invoice_until_how_sent(engine):
    turn = engine.start("client_did_not_receive_invoice")
    turn = engine.answer(turn.state, "it's INV-20931 thanks")
    assert turn.filled == ("invoice_number", "INV-20931")
    turn = engine.answer(turn.state, "They use Accounts@Client.Example")
    assert turn.filled == ("client_email", "accounts@client.example")
    return turn


def test_slots_fill_and_render_into_later_steps(engine):
    turn = _invoice_until_how_sent(engine)
    assert turn.state.slots == {"invoice_number": "INV-20931", "client_email": "accounts@client.example"}
    assert turn.text.startswith("Did you send INV-20931 from Tallyo")
    assert "{" not in turn.text

    end = engine.answer(turn.state, "no, I downloaded the PDF")
    assert end.end is EndOutcome.RESOLVED
    assert "Open INV-20931 and click **Review and" in end.text
    assert "email it to accounts@client.example" in end.text


def test_slots_render_across_several_steps_to_the_hand_off(engine):
    turn = engine.answer(_invoice_until_how_sent(engine).state, "yes")
    assert turn.steps == ("check_spam", "ask_solved")
    assert "double-check that accounts@client.example is the address" in turn.text
    end = engine.answer(turn.state, "no")
    assert end.end is EndOutcome.ESCALATE
    assert "I'm passing INV-20931 and accounts@client.example to our support team" in end.text


def test_a_slot_not_collected_on_the_way_shows_as_not_given(tmp_path):
    scripts = load_one(
        tmp_path,
        """
        id: s
        title: T
        examples: [x]
        steps:
          - id: ask_has_email
            say: Do you have an email?
            ask:
              slot: has_email
              type: yes_no
            branches:
              "no": summary
          - id: ask_email
            say: Which one?
            ask:
              slot: email
              type: email
          - id: summary
            say: "Email: {email}; has one: {has_email}."
            end: resolved
        """,
    )
    engine = ScriptEngine(scripts)
    turn = engine.answer(engine.start("s").state, "no")
    assert turn.text == "Email: (not given); has one: no."


def test_number_slot_renders_in_later_step(engine):
    state = engine.answer(engine.start("duplicate_charge").state, "no").state
    turn = engine.answer(state, "it was $49,50 I think")
    assert turn.filled == ("charge_amount", "49.50")
    end = engine.answer(turn.state, "owner@acme.example")
    assert end.end is EndOutcome.ESCALATE
    assert "I'm passing the $49.50 charge to our billing team" in end.text
    assert "reply to owner@acme.example." in end.text


# --- answers that do not fit ----------------------------------------------------------


def test_invalid_answer_gets_the_scripts_retry_and_counts_attempts(engine):
    state = engine.start("client_did_not_receive_invoice").state
    turn = engine.answer(state, "I don't know it")
    assert turn.not_understood
    assert turn.filled is None
    assert turn.end is None
    assert turn.text.startswith("I need the invoice number as it's shown on the invoice, like INV-0042.")
    assert turn.state.step_id == "ask_invoice"
    assert turn.state.attempts == 1
    turn = engine.answer(turn.state, "no idea")
    assert turn.state.attempts == 2


def test_invalid_yes_no_answer_gets_the_default_hint(engine):
    turn = engine.answer(engine.start("reset_password").state, "hmm, what do you mean")
    assert turn.text == f"{NOT_UNDERSTOOD} Could you answer yes or no?"
    assert turn.steps == ("check_sso",)
    assert turn.state.attempts == 1


def test_invalid_choice_answer_lists_the_choices(engine):
    turn = engine.start("change_plan")
    turn = engine.answer(turn.state, "upgrade")
    retry = engine.answer(turn.state, "the cheapest one")
    assert retry.text == f"{NOT_UNDERSTOOD} Please pick one of: 1. Pro, 2. Business."


def test_invalid_email_answer_gets_the_email_hint(tmp_path):
    scripts = load_one(
        tmp_path,
        """
        id: s
        title: T
        examples: [x]
        steps:
          - id: ask_email
            say: Your email?
            ask:
              slot: email
              type: email
          - id: bye
            say: Thanks {email}.
            end: resolved
        """,
    )
    engine = ScriptEngine(scripts)
    turn = engine.answer(engine.start("s").state, "my usual one")
    assert turn.text == f"{NOT_UNDERSTOOD} Could you give me the email address, like name@example.com?"
    assert engine.answer(turn.state, "a@b.example").text == "Thanks a@b.example."


def test_third_invalid_answer_escalates(engine):
    state = engine.start("reset_password").state
    first = engine.answer(state, "what?")
    second = engine.answer(first.state, "I'm not sure")
    assert (first.state.attempts, second.state.attempts) == (1, 2)
    third = engine.answer(second.state, "maybe")
    assert third.end is EndOutcome.ESCALATE
    assert third.state is None
    assert third.not_understood
    assert third.text == GIVING_UP


def test_a_valid_answer_resets_the_attempts(engine):
    state = engine.start("client_did_not_receive_invoice").state
    state = engine.answer(state, "dunno").state
    state = engine.answer(state, "wait, INV-0042").state
    assert state.step_id == "ask_client_email"
    assert state.attempts == 0
    # two more misses on the new question are fine: the count started again
    state = engine.answer(state, "hm").state
    assert engine.answer(state, "hm").state.attempts == 2


def test_max_attempts_is_configurable(scripts):
    engine = ScriptEngine(scripts, max_attempts=1)
    turn = engine.answer(engine.start("reset_password").state, "banana")
    assert turn.end is EndOutcome.ESCALATE


# --- fits / waits_for_free_text -------------------------------------------------------


def test_fits(engine):
    state = engine.start("reset_password").state
    assert engine.fits(state, "yes please")
    assert engine.fits(state, "No")
    assert not engine.fits(state, "how do I export my invoices?")
    assert not engine.fits(state, "")

    invoice = engine.start("client_did_not_receive_invoice").state
    assert engine.fits(invoice, "INV-0042")
    assert not engine.fits(invoice, "I want to cancel my subscription")


def test_waits_for_free_text(engine):
    bug = engine.start("report_a_bug").state
    assert engine.waits_for_free_text(bug)
    assert engine.fits(bug, "the PDF export button does nothing")
    assert not engine.waits_for_free_text(engine.start("reset_password").state)
    assert not engine.waits_for_free_text(engine.start("client_did_not_receive_invoice").state)


# --- scripts that never ask -----------------------------------------------------------


def test_a_script_without_questions_ends_in_one_turn():
    engine = ScriptEngine(
        {
            "info": Script.model_validate(
                {
                    "id": "info",
                    "title": "Info",
                    "examples": ["x"],
                    "steps": [{"id": "a", "say": "One."}, {"id": "b", "say": "Two.", "end": "retrieval"}],
                }
            )
        }
    )
    turn = engine.start("info")
    assert turn.text == "One.\n\nTwo."
    assert turn.steps == ("a", "b")
    assert turn.end is EndOutcome.RETRIEVAL
    assert turn.state is None


def test_a_next_cycle_without_questions_escalates_instead_of_hanging(tmp_path):
    scripts = load_one(  # valid: every step says where to go
        tmp_path,
        """
        id: loop
        title: Loop
        examples: [x]
        steps:
          - id: one
            say: One.
            next: two
          - id: two
            say: Two.
            next: one
        """,
    )
    turn = ScriptEngine(scripts).start("loop")
    assert turn.end is EndOutcome.ESCALATE
    assert turn.state is None
    assert turn.text == GIVING_UP
    assert len(turn.steps) == MAX_STEPS_PER_TURN
    assert turn.steps[:3] == ("one", "two", "one")


def test_a_next_cycle_after_an_answer_escalates(tmp_path):
    scripts = load_one(
        tmp_path,
        """
        id: loop
        title: Loop
        examples: [x]
        steps:
          - id: ask
            say: Go?
            ask:
              slot: go
              type: yes_no
            next: one
          - id: one
            say: One.
            next: two
          - id: two
            say: Two.
            next: one
        """,
    )
    engine = ScriptEngine(scripts)
    turn = engine.answer(engine.start("loop").state, "yes")
    assert turn.end is EndOutcome.ESCALATE
    assert turn.filled == ("go", "yes")
    assert len(turn.steps) == MAX_STEPS_PER_TURN
