"""Problems in one script file (fields, YAML, encoding), each with its file and line."""

from __future__ import annotations


from strategies.scripts import load_scripts
from strategies.scripts.model import SLOT_TYPES
from tests.unit.script_files import good_script, only_problem, write


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


def test_the_same_example_in_two_scripts_names_both_places(tmp_path):
    write(tmp_path, "a_refund.yaml", good_script("refund").replace("please help with refund", "Cancel my plan!"))
    second = write(
        tmp_path,
        "b_cancel.yaml",
        """
        id: cancel
        title: Cancel
        examples:
          - stop my subscription
          - cancel my  plan
        steps:
          - id: only
            say: Sure.
            end: escalate
        """,
    )
    result = load_scripts(tmp_path)
    assert sorted(result.scripts) == ["cancel", "refund"], "both still load: the bot keeps serving"
    [problem] = result.problems
    assert (problem.path, problem.line) == (str(second), 5)
    assert "'cancel my  plan' is also an example of 'refund'" in problem.message
    assert f"{tmp_path / 'a_refund.yaml'}:4" in problem.message
