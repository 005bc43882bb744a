"""Placeholders and branches that do not fit the script, reported with their line."""

from __future__ import annotations


from strategies.scripts import load_scripts
from tests.unit.script_files import only_problem, write


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
