"""Slot, step and multi-script problems, reported with their line; bad files do not stop good ones."""

from __future__ import annotations


from strategies.scripts import load_scripts
from tests.unit.script_files import good_script, only_problem, write


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
