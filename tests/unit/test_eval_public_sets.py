"""Evaluation cases from the doc2dial and CLINC150 file formats (tiny files in the same shape)."""

from __future__ import annotations

import json

import pytest

from strategies.evaluation import EvalSetError
from strategies.evaluation.public_sets import clinc150_cases, doc2dial_cases, doc2dial_key, doc2dial_pages, write_pages

TWIN_TEXT = "Social Security credits and benefit eligibility."


@pytest.fixture
def doc2dial(tmp_path):
    docs = [
        {"doc_id": "Top 5 DMV Mistakes#3_0", "domain": "dmv", "text": "Bring two proofs of identity."},
        {"doc_id": "Benefits Planner | Credits#1_0", "domain": "ssa", "text": TWIN_TEXT},
        {"doc_id": "Benefits Planner | Credits#2_0", "domain": "ssa", "text": TWIN_TEXT},
    ]
    questions = [
        {"id": "d1_1", "doc_id": "Top 5 DMV Mistakes#3_0", "question": "what do I bring?", "history": []},
        {"id": "d1_3", "doc_id": "Top 5 DMV Mistakes#3_0", "question": "and then?",
         "history": [{"role": "user", "text": "what do I bring?"}, {"role": "agent", "text": "Two proofs."}]},
        {"id": "d2_1", "doc_id": "Benefits Planner | Credits#2_0", "question": "how do credits work?", "history": []},
    ]
    (tmp_path / "documents.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    (tmp_path / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions))
    return tmp_path


def test_doc2dial_cases_expect_the_gold_page_or_its_twin(doc2dial):
    cases = {c.id: c for c in doc2dial_cases(doc2dial / "documents.jsonl", doc2dial / "questions.jsonl", 10, 10)}
    assert set(cases) == {"doc2dial-d1_1", "doc2dial-d1_3", "doc2dial-d2_1"}
    assert cases["doc2dial-d1_1"].expected_sources == (doc2dial_key("Top 5 DMV Mistakes#3_0"),)
    assert len(cases["doc2dial-d2_1"].expected_sources) == 2
    assert [h.role for h in cases["doc2dial-d1_3"].history] == ["user", "bot"]
    assert all(c.expected_script is None and not c.should_escalate for c in cases.values())


def test_doc2dial_pages_are_written_under_their_keys(doc2dial, tmp_path):
    pages = doc2dial_pages(doc2dial / "documents.jsonl")
    folder = write_pages(pages, tmp_path / "pages")
    key = doc2dial_key("Top 5 DMV Mistakes#3_0")
    assert (folder / key).read_text().startswith("Top 5 DMV Mistakes\n\nBring two proofs")


def test_sampling_is_seeded_and_counts_hold(doc2dial):
    args = (doc2dial / "documents.jsonl", doc2dial / "questions.jsonl", 1, 1)
    assert [c.id for c in doc2dial_cases(*args)] == [c.id for c in doc2dial_cases(*args)]
    assert len(doc2dial_cases(*args)) == 2


def test_clinc150_spreads_in_scope_over_intents_and_adds_out_of_scope(tmp_path):
    data = {
        "val": [[f"balance {i}", "balance"] for i in range(5)] + [[f"translate {i}", "translate"] for i in range(5)],
        "oos_val": [[f"weather {i}", "oos"] for i in range(4)],
    }
    path = tmp_path / "clinc.json"
    path.write_text(json.dumps(data))
    cases = clinc150_cases(path, in_scope=4, out_of_scope=3)
    scripted = [c for c in cases if c.expected_script]
    assert sorted(c.expected_script for c in scripted) == ["balance", "balance", "translate", "translate"]
    oos = [c for c in cases if not c.expected_script]
    assert len(oos) == 3 and all(c.should_escalate for c in oos)
    assert len({c.id for c in cases}) == len(cases)
    with pytest.raises(EvalSetError, match="no 'test'"):
        clinc150_cases(path, 1, 1, split="test")
