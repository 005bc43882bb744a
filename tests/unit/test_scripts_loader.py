"""Loading script files: the bundled examples, and every kind of mistake a support team can
make, each reported with its file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strategies.scripts import ScriptProblem, load_scripts
from strategies.scripts.model import SLOT_TYPES

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SCRIPTS = REPO / "examples" / "scripts"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def good_script(script_id: str) -> str:
    return f"""
        id: {script_id}
        title: A good script
        examples:
          - please help with {script_id}
        steps:
          - id: only
            say: Here you go.
            end: resolved
        """


def only_problem(folder: Path) -> ScriptProblem:
    result = load_scripts(folder)
    assert len(result.problems) == 1, result.problems
    assert not result.scripts
    return result.problems[0]


# --- the bundled examples ---------------------------------------------------------------


def test_bundled_examples_load_without_problems():
    result = load_scripts(EXAMPLE_SCRIPTS)
    assert result.problems == []
    assert result.ok
    assert len(result.scripts) >= 12
    for script_id, script in result.scripts.items():
        assert len(script.examples) >= 15, script_id
        assert script.id == script_id
        # each script comes from <id>.yaml, as README.md asks
        file, _, line = result.files[script_id].rpartition(":")
        assert file == str(EXAMPLE_SCRIPTS / f"{script_id}.yaml")
        assert int(line) >= 1
    assert result.files["reset_password"].endswith("reset_password.yaml:3")  # after two comment lines


def test_bundled_examples_use_every_end_and_a_choice_and_a_pattern():
    scripts = load_scripts(EXAMPLE_SCRIPTS).scripts
    ends = {step.end for script in scripts.values() for step in script.steps if step.end}
    assert {str(e) for e in ends} == {"resolved", "retrieval", "escalate"}
    types = {slot.type for script in scripts.values() for slot in script.slots.values()}
    assert {"yes_no", "choice", "pattern", "email", "text", "number"} <= types


def test_bundled_example_utterances_are_unique_across_scripts():
    scripts = load_scripts(EXAMPLE_SCRIPTS).scripts
    seen: dict[str, str] = {}
    for script_id, script in scripts.items():
        for example in script.examples:
            key = example.strip().lower()
            assert key not in seen or seen[key] == script_id, (example, seen.get(key), script_id)
            seen[key] = script_id


def test_files_records_the_file_and_line_of_each_script(tmp_path):
    path = write(tmp_path, "reset.yaml", good_script("reset"))
    result = load_scripts(tmp_path)
    assert result.ok
    assert result.files == {"reset": f"{path}:1"}
    assert result.scripts["reset"].title == "A good script"


def test_yml_suffix_and_subfolders_are_loaded_and_other_files_ignored(tmp_path):
    write(tmp_path, "a.yml", good_script("alpha"))
    write(tmp_path, "billing/b.YAML", good_script("beta"))
    write(tmp_path, "notes.txt", "id: not_a_script\n")
    write(tmp_path, "README.md", "# readme\n")
    result = load_scripts(tmp_path)
    assert result.problems == []
    assert set(result.scripts) == {"alpha", "beta"}


# --- folder-level problems --------------------------------------------------------------


def test_a_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "nope"
    result = load_scripts(missing)
    assert result.scripts == {}
    assert result.problems == [ScriptProblem(str(missing), None, "the scripts folder does not exist")]
    assert not result.ok


def test_an_empty_folder(tmp_path):
    result = load_scripts(tmp_path)
    assert len(result.problems) == 1
    assert result.problems[0].path == str(tmp_path)
    assert "no script files" in result.problems[0].message


def test_problem_str_has_file_and_line():
    assert str(ScriptProblem("s/a.yaml", 7, "boom")) == "s/a.yaml:7: boom"
    assert str(ScriptProblem("s", None, "boom")) == "s: boom"


# --- problems in a file -----------------------------------------------------------------


def test_duplicate_script_id_across_two_files_names_both(tmp_path):
    first = write(tmp_path, "a_first.yaml", good_script("refund"))
    second = write(
        tmp_path,
        "b_second.yaml",
        """
        # the same id again
        id: refund
        title: Another
        examples:
          - refund me
        steps:
          - id: only
            say: Sure.
            end: escalate
        """,
    )
    result = load_scripts(tmp_path)
    assert list(result.scripts) == ["refund"]
    assert result.scripts["refund"].title == "A good script"  # the first one wins
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.path == str(second)
    assert problem.line == 2
    assert "duplicate script id 'refund'" in problem.message
    assert str(first) in problem.message


def test_unknown_slot_type_lists_the_valid_ones(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """
        id: phone
        title: T
        examples:
          - call me
        steps:
          - id: ask_phone
            say: What's your number?
            ask:
              slot: phone
              type: phone_number
          - id: bye
            say: Thanks.
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.path == str(path)
    assert problem.line == 10
    assert "unknown slot type 'phone_number'" in problem.message
    for slot_type in SLOT_TYPES:
        assert slot_type in problem.message


def test_next_to_a_missing_step(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Hi
            next: nowhere
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert (problem.path, problem.line) == (str(path), 8)
    assert "'nowhere' does not exist" in problem.message
    assert "script 's'" in problem.message


def test_branch_to_a_missing_step(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Did it work?
            ask:
              slot: worked
              type: yes_no
            branches:
              "yes": last
              "no": gone
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 13
    assert "branch target 'gone' does not exist" in problem.message


def test_a_script_without_examples(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        # no examples at all
        id: s
        title: T
        steps:
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 2  # the script itself, where the field is missing
    assert problem.message == "examples: required field is missing"


def test_a_script_with_an_empty_examples_list(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples: []
        steps:
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 3
    assert "at least one example" in problem.message


def test_unknown_field_is_named_with_its_line(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Hi
            colour: red
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 8
    assert problem.message == "steps.0.colour: unknown field"


def test_unknown_field_in_the_only_step_is_the_only_problem(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: last
            say: Bye
            colour: red
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)  # today: a second, misleading problem at line 5
    assert (problem.line, problem.message) == (8, "steps.0.colour: unknown field")


def test_invalid_yaml_syntax(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
          bad: indent
        steps: []
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.path == str(path)
    assert problem.line == 5
    assert problem.message.startswith("not valid YAML:")


def test_unterminated_quote_points_at_its_line(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: last
            say: "Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.message.startswith("not valid YAML:")
    assert problem.line == 7  # today: 9, in an 8-line file


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: cafe\ntitle: Caf\u00e9\n".encode("latin-1"))
    write(tmp_path, "z_good.yaml", good_script("good"))
    result = load_scripts(tmp_path)
    assert list(result.scripts) == ["good"]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.path == str(path)
    assert "not UTF-8" in problem.message
    assert "byte 19" in problem.message


def test_a_file_that_is_not_utf8_names_the_line(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("id: cafe\ntitle: Caf\u00e9\n".encode("latin-1"))
    problem = only_problem(tmp_path)
    assert problem.line == 2


def test_an_empty_file(tmp_path):
    path = write(tmp_path, "empty.yaml", "")
    problem = only_problem(tmp_path)
    assert (problem.path, problem.line) == (str(path), 1)
    assert "must be a mapping" in problem.message


def test_a_file_that_is_just_a_string(tmp_path):
    (tmp_path / "s.yaml").write_text("# a comment\n\nhello there\n", encoding="utf-8")
    problem = only_problem(tmp_path)
    assert problem.line == 3
    assert "must be a mapping" in problem.message


def test_placeholder_that_is_not_a_slot(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: ask_email
            say: Your email?
            ask:
              slot: email
              type: email
          - id: last
            say: We'll write to {email} about {order_id} and {ticket}.
            end: resolved
        """,
    )
    result = load_scripts(tmp_path)
    assert not result.scripts
    assert [(p.path, p.line, p.message) for p in result.problems] == [
        (str(path), 12, "script 's': {order_id} is not a slot of this script"),
        (str(path), 12, "script 's': {ticket} is not a slot of this script"),
    ]


def test_placeholder_in_retry_points_at_the_retry_line(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: ask_email
            say: Your email?
            ask:
              slot: email
              type: email
              retry: I need it for {ticket}.
          - id: last
            say: Thanks.
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.message == "script 's': {ticket} is not a slot of this script"
    assert problem.line == 11  # today: 6, the step's `id`


def test_escaped_braces_are_not_placeholders(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: last
            say: Type {{name}} literally.
            end: resolved
        """,
    )
    assert load_scripts(tmp_path).problems == []


def test_a_single_brace_is_a_bad_placeholder(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: last
            say: "Use a { in the name"
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 7
    assert "bad {placeholder}" in problem.message


def test_branch_on_a_text_slot(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: What happened?
            ask:
              slot: details
              type: text
            branches:
              crash: last
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 11
    assert "branches need a yes_no or choice slot, not text" in problem.message


def test_branches_without_a_question(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Hi
            branches:
              "yes": last
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 8
    assert "branches need a yes_no or choice question" in problem.message


def test_branch_key_that_is_not_a_choice(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Red or blue?
            ask:
              slot: colour
              type: choice
              choices: [Red, Blue]
            branches:
              RED: last
              green: last
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)  # RED matches Red regardless of case; green does not exist
    assert problem.line == 14
    assert "'green' is not an answer to this question (blue, red)" in problem.message


def test_unquoted_yes_no_branch_keys_are_reported_at_the_branches(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: OK?
            ask:
              slot: ok
              type: yes_no
            branches:
              yes: last
              no: last
          - id: last
            say: Bye
            end: resolved
        """,
    )
    result = load_scripts(tmp_path)  # YAML reads yes/no as booleans
    assert not result.scripts
    assert result.problems
    assert {p.line for p in result.problems} == {11}


def test_choice_slot_with_fewer_than_two_choices(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Pick one
            ask:
              slot: plan
              type: choice
              choices:
                - Pro
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 11
    assert "at least two choices" in problem.message


def test_choices_on_a_slot_that_is_not_a_choice(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: OK?
            ask:
              slot: ok
              type: yes_no
              choices: [Red, Blue]
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 11
    assert "choices only apply to type choice, not yes_no" in problem.message


def test_pattern_slot_without_a_pattern(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Invoice number?
            ask:
              slot: invoice
              type: pattern
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 8  # the `ask` of that step
    assert "a pattern slot needs a `pattern`" in problem.message


def test_pattern_slot_with_an_invalid_pattern(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        r"""
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Invoice number?
            ask:
              slot: invoice
              type: pattern
              pattern: INV-(\d+
          - id: last
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 11
    assert "not a valid regular expression" in problem.message


def test_last_step_without_an_end(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: first
            say: Hi
          - id: last
            say: Bye
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 8
    assert "the last step must say how the script ends" in problem.message


def test_last_step_whose_branches_do_not_cover_every_answer(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: intro
            say: Hi
            next: ask_worked
          - id: try_again
            say: Let's try again.
            next: ask_worked
          - id: ask_worked
            say: Did it work?
            ask:
              slot: worked
              type: yes_no
            branches:
              "no": try_again
        """,
    )
    problem = only_problem(tmp_path)  # "yes" has nowhere to go
    assert problem.line == 12  # the step ask_worked


def test_a_step_that_ends_and_also_asks(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: last
            say: Anything else?
            ask:
              slot: more
              type: text
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 11  # the `end`
    assert "cannot also ask, branch or go on" in problem.message


def test_a_step_id_used_twice(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        id: s
        title: T
        examples:
          - x
        steps:
          - id: same
            say: Hi
          - id: same
            say: Bye
            end: resolved
        """,
    )
    problem = only_problem(tmp_path)
    assert problem.line == 8
    assert "step id 'same' is used twice" in problem.message


def test_a_bad_script_id(tmp_path):
    write(tmp_path, "s.yaml", good_script("x").replace("id: x", "id: Reset-Password", 1))
    problem = only_problem(tmp_path)
    assert problem.line == 1
    assert "'Reset-Password' must be lower-case letters" in problem.message


def test_a_list_of_scripts_in_one_file(tmp_path):
    path = write(
        tmp_path,
        "many.yaml",
        """
        - id: first_script
          title: One
          examples:
            - one
          steps:
            - id: only
              say: One.
              end: resolved
        - id: broken
          title: Two
          examples:
            - two
          steps:
            - id: ask
              say: What?
              ask:
                slot: what
                type: text
              next: missing
            - id: only
              say: Two.
              end: resolved
        - id: second_script
          title: Three
          examples:
            - three
          steps:
            - id: only
              say: "Three, {nope}."
              end: resolved
        - id: first_script
          title: Again
          examples:
            - again
          steps:
            - id: only
              say: Again.
              end: resolved
        """,
    )
    result = load_scripts(tmp_path)
    assert list(result.scripts) == ["first_script"]
    assert result.files["first_script"] == f"{path}:1"
    assert [(p.path, p.line) for p in result.problems] == [(str(path), 19), (str(path), 29), (str(path), 31)]
    assert "next step 'missing' does not exist" in result.problems[0].message
    assert "{nope} is not a slot" in result.problems[1].message
    assert "duplicate script id 'first_script'" in result.problems[2].message
    assert f"{path}:1" in result.problems[2].message


def test_a_list_of_scripts_where_both_load(tmp_path):
    path = write(
        tmp_path,
        "two.yaml",
        """
        - id: one
          title: One
          examples: [one]
          steps:
            - id: only
              say: One.
              end: resolved

        - id: two
          title: Two
          examples: [two]
          steps:
            - id: only
              say: Two.
              end: retrieval
        """,
    )
    result = load_scripts(tmp_path)
    assert result.problems == []
    assert result.files == {"one": f"{path}:1", "two": f"{path}:9"}
    assert str(result.scripts["two"].steps[0].end) == "retrieval"


def test_a_non_mapping_item_in_a_list(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        """
        - id: one
          title: One
          examples: [one]
          steps:
            - id: only
              say: One.
              end: resolved
        - just a string
        """,
    )
    result = load_scripts(tmp_path)
    assert list(result.scripts) == ["one"]
    assert [(p.line, "must be a mapping" in p.message) for p in result.problems] == [(8, True)]


def test_one_bad_file_does_not_stop_the_good_ones(tmp_path):
    write(tmp_path, "a_good.yaml", good_script("alpha"))
    bad = write(tmp_path, "b_bad.yaml", "id: broken\ntitle: [unclosed\n")
    write(tmp_path, "c_good.yaml", good_script("gamma"))
    result = load_scripts(tmp_path)
    assert set(result.scripts) == {"alpha", "gamma"}
    assert [p.path for p in result.problems] == [str(bad)]
    assert not result.ok
