"""The evaluation set format: what it reads, and bad input that names its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strategies.evaluation import EvalCase, EvalSetError, HistoryItem, dump_case, load_eval_set, parse_case

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path, *lines) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(l if isinstance(l, str) else json.dumps(l) for l in lines) + "\n", encoding="utf-8")
    return path


def case(**overrides) -> dict:
    return {"id": "c1", "question": "How much does Pro cost?", "expected_script": None, **overrides}


def test_a_full_case_round_trips(tmp_path):
    original = EvalCase(
        id="c1", question="and Business?", expected_script=None,
        history=(HistoryItem("user", "How much does Pro cost?"), HistoryItem("bot", "$15 a month.")),
        expected_sources=("plans-and-billing.md",), expected_facts=("$39",), should_escalate=False, note="hand-written",
    )
    path = write(tmp_path, "# a comment", "", dump_case(original))
    loaded = load_eval_set(path).cases
    assert [(c.id, c.question, c.history, c.expected_sources, c.expected_facts, c.note) for c in loaded] == [
        (original.id, original.question, original.history, original.expected_sources, original.expected_facts, original.note)
    ]
    assert loaded[0].line == 3


def test_agent_turns_in_history_are_the_bots():
    parsed = parse_case(case(history=[{"role": "agent", "text": "hi"}]))
    assert parsed.history == (HistoryItem("bot", "hi"),)


def test_expected_route_follows_the_labels():
    assert parse_case(case(expected_script="reset_password")).expected_route == "script"
    assert parse_case(case()).expected_route == "retrieval"
    assert parse_case(case(should_escalate=True)).expected_route == "escalate"
    greeting = parse_case(case(question="hi", expected_small_talk=True))
    assert greeting.expected_route == "small_talk" and greeting.to_dict()["expected_small_talk"] is True
    assert "expected_small_talk" not in parse_case(case()).to_dict()


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "not valid JSON"),
        (json.dumps(case(expected_scirpt="x")), "unknown key(s) 'expected_scirpt'"),
        (json.dumps({"id": "c1", "question": "q"}), "missing key(s) 'expected_script'"),
        (json.dumps(case(question="  ")), "'question' must be a non-empty string"),
        (json.dumps(case(should_escalate="yes")), "'should_escalate' must be true or false"),
        (json.dumps(case(expected_small_talk="yes")), "'expected_small_talk' must be true or false"),
        (json.dumps(case(expected_small_talk=True, expected_script="reset_password")), "cannot go with an expected script"),
        (json.dumps(case(expected_sources="plans.md")), "'expected_sources' must be a list"),
        (json.dumps(case(history=[{"role": "system", "text": "x"}])), "history item 1"),
        (json.dumps(["c1"]), "expected a JSON object"),
    ],
)
def test_bad_lines_are_named(tmp_path, line, message):
    path = write(tmp_path, case(id="ok"), line)
    with pytest.raises(EvalSetError) as raised:
        load_eval_set(path)
    assert f"{path}:2:" in str(raised.value)
    assert message in str(raised.value)


def test_duplicate_ids_name_both_lines(tmp_path):
    path = write(tmp_path, case(), case(id="c2"), case())
    with pytest.raises(EvalSetError, match=r"set.jsonl:3: duplicate id 'c1' \(first on line 1\)"):
        load_eval_set(path)


def test_empty_and_missing_sets_are_errors(tmp_path):
    with pytest.raises(EvalSetError, match="the set is empty"):
        load_eval_set(write(tmp_path, "# only a comment"))
    with pytest.raises(EvalSetError, match="file not found"):
        load_eval_set(tmp_path / "nope.jsonl")


def test_unknown_scripts_and_documents_name_the_line(tmp_path):
    path = write(tmp_path, case(expected_sources=["plans.md"]), case(id="c2", expected_script="reset_pasword"))
    with pytest.raises(EvalSetError, match=r":2: case c2: unknown script 'reset_pasword' \(known: reset_password\)"):
        load_eval_set(path, known_scripts={"reset_password"}, known_documents={"plans.md"})
    with pytest.raises(EvalSetError, match=r":1: case c1: unknown document\(s\) 'plans.md'"):
        load_eval_set(path, known_scripts={"reset_password", "reset_pasword"}, known_documents={"Plans"})


def test_the_bundled_example_set_reads():
    cases = load_eval_set(REPO / "examples" / "eval" / "tallyo.jsonl").cases
    scripts = {p.stem for p in (REPO / "examples" / "scripts").glob("*.yaml")}
    assert {c.expected_script for c in cases if c.expected_script} <= scripts
    assert {c.expected_route for c in cases} == {"script", "retrieval", "escalate", "small_talk"}
