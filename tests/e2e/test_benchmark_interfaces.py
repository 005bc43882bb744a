"""The benchmarks the issues ask for keep their command-line interface and their last-line JSON:
tiny runs on generated data (the public datasets live outside the checkout), in a subprocess
exactly as a person runs them."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

# Each label has words of its own, so a working pipeline gets these right.
TOPICS = {
    "card_arrival": ["my card has not arrived", "where is my new card", "card delivery is late", "still waiting for the card"],
    "exchange_rate": ["what exchange rate do you use", "the currency rate was bad", "rate for euro to dollar", "exchange fee rate"],
    "top_up_failed": ["my top up failed", "topping up did not work", "top up declined again", "cannot top up my balance"],
}
OUT_OF_SCOPE = ["what is the weather today", "tell me a joke", "play some music", "who won the match", "book a table for two",
                "set an alarm", "how tall is everest", "translate hello to french"]


def examples(copies: int) -> list[tuple[str, str]]:
    return [(f"{text} {extra}".strip(), label) for label, texts in TOPICS.items()
            for text in texts for extra in ["", "please", "today", "help"][:copies]]


def run_benchmark(name: str, *args: str, timeout_s: int = 600) -> dict:
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / f"{name}.py"), *args],
                          capture_output=True, text=True, timeout=timeout_s, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_script_model_benchmark_reports_both_datasets_and_both_baselines(tmp_path):
    train, test = tmp_path / "banking77-train.csv", tmp_path / "banking77-test.csv"
    for path, rows in ((train, examples(4)), (test, examples(1))):
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows([("text", "category"), *rows])
    clinc = tmp_path / "clinc150.json"
    rows = [[text, label] for text, label in examples(4)]
    clinc.write_text(json.dumps({"train": rows, "val": [[t, lbl] for t, lbl in examples(1)],
                                 "oos_train": [[t, "oos"] for t in OUT_OF_SCOPE[:4]], "oos_val": [[t, "oos"] for t in OUT_OF_SCOPE[4:]]}))

    figures = run_benchmark("script_model", "--banking77-train", str(train), "--banking77-test", str(test),
                            "--clinc150", str(clinc), "--epochs", "2", "--latency-samples", "10")

    assert set(figures) == {"banking77", "clinc150"}
    for dataset, keys in (("banking77", {"accuracy"}), ("clinc150", {"in_scope_accuracy", "oos_recall", "auroc"})):
        assert set(figures[dataset]) == {"tfidf_svm", "frozen_lr", "supportbot"}
        for method, result in figures[dataset].items():
            assert keys <= set(result), (dataset, method)
        assert {"train_s", "p50_ms", "p95_ms"} <= set(figures[dataset]["supportbot"])
    assert figures["banking77"]["tfidf_svm"]["accuracy"] == 1.0, "words unique to each label: every test message right"
    assert figures["banking77"]["supportbot"]["accuracy"] >= 0.75


def test_adapter_benchmark_answers_every_question_once_on_both_chats(example_script_model):
    figures = run_benchmark("adapters", "--concurrency", "2", "--levels", "1", "--requests", "4",
                            "--script-model", str(example_script_model))

    assert figures["concurrency"] == 2
    for chat in ("slack", "teams"):
        result = figures[chat]
        assert {"ack_p50_ms", "ack_p99_ms", "answer_p50_ms", "answer_p95_ms", "duplicates"} <= set(result)
        assert result["duplicates"] == 0, "each question is delivered three times and answered once"
        assert [level["answered"] for level in result["levels"]] == [4, 4]
    assert figures["baseline"]["healthz"]
    assert figures["script_model"] == "v-test", "the web app serves the model it was given, not one trained anew"


def test_adapter_benchmark_refuses_a_script_model_directory_that_holds_none(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "adapters.py"), "--script-model", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 2 and "--script-model:" in done.stderr, done.stderr[-2000:]


def test_small_talk_benchmark_reports_recall_and_false_positives_against_the_plain_lookup(tmp_path):
    social = [["hi", "greeting"], ["hello there team", "greeting"], ["thanks so much", "thank_you"], ["bye", "goodbye"],
              ["are you a bot?", "are_you_a_bot"], ["what can you help me with?", "what_can_i_ask_you"], ["yes", "yes"], ["nope", "no"]]
    requests = [[text, label] for text, label in examples(1)]
    clinc = tmp_path / "clinc150.json"
    clinc.write_text(json.dumps({"train": social + requests, "val": social + requests,
                                 "oos_train": [[t, "oos"] for t in OUT_OF_SCOPE], "oos_val": [[t, "oos"] for t in OUT_OF_SCOPE]}))
    banking = tmp_path / "banking77.csv"
    with banking.open("w", newline="") as handle:
        csv.writer(handle).writerows([("text", "category"), *examples(4)])

    figures = run_benchmark("small_talk", "--clinc150", str(clinc), "--banking77", str(banking), "--repeat", "1")

    assert set(figures) == {"plain_lookup", "supportbot"}
    ours, plain = figures["supportbot"], figures["plain_lookup"]
    assert ours["clinc150_val"]["social_recall"] == 1.0 and plain["clinc150_val"]["social_recall"] == 3 / 8  # hi, bye, yes
    assert ours["clinc150_val"]["false_positives"] == 0 and ours["clinc150_val"]["other_messages"] == len(requests) + 8
    assert ours["banking77"] == {"false_positives": 0, "messages": len(examples(4)), "examples": []}
    assert ours["tallyo"]["false_positives"] == 0 and ours["tallyo"]["messages"] > 500
    assert ours["latency"]["p50_us"] > 0


def test_topic_shift_benchmark_compares_the_new_topic_check_with_always_searching_the_thread(tmp_path):
    pages = {"bank": "Bank feeds refresh every four hours. Connect a bank under Banking, then Add account.",
             "price": "Pro costs fifteen dollars a month. Business costs thirty five dollars a month.",
             "trial": "Every new workspace gets a fourteen day free trial of Pro with no card needed."}
    docs = tmp_path / "documents.jsonl"
    docs.write_text("".join(json.dumps({"doc_id": key, "text": text}) + "\n" for key, text in pages.items()))
    questions = [("How do I connect a bank?", "bank", []), ("How much is Pro?", "price", []), ("Is there a free trial?", "trial", []),
                 ("How often does it refresh?", "bank", [("user", "How do I connect a bank?"), ("agent", pages["bank"])]),
                 ("And Business?", "price", [("user", "How much is Pro?"), ("agent", pages["price"])]),
                 ("Do I need a card for it?", "trial", [("user", "Is there a free trial?"), ("agent", pages["trial"])])]
    dev = tmp_path / "questions.jsonl"
    dev.write_text("".join(json.dumps({"id": f"q{n}", "question": q, "doc_id": d, "history": [{"role": r, "text": t} for r, t in h]}) + "\n"
                           for n, (q, d, h) in enumerate(questions)))
    clinc = tmp_path / "clinc150.json"
    clinc.write_text(json.dumps({"oos_train": [[t, "oos"] for t in OUT_OF_SCOPE[:4]], "oos_val": [[t, "oos"] for t in OUT_OF_SCOPE[4:]]}))

    figures = run_benchmark("topic_shift", "--doc2dial-docs", str(docs), "--doc2dial-questions", str(dev),
                            "--clinc150", str(clinc), "--split", "tune", "--thresholds", "0.15", "--workdir", str(tmp_path / "work"))

    assert figures["split"] == "tune" and set(figures["methods"]) == {"always_with_thread", "new_topic_below_0.15"}
    for method in figures["methods"].values():
        assert set(method) == {"followups", "off_topic", "new_questions", "p50_ms"}
        assert method["off_topic"]["n"] == 4 and method["followups"]["n"] >= 1
    assert figures["methods"]["always_with_thread"]["off_topic"]["searched_alone"] == 0.0
    assert figures["methods"]["new_topic_below_0.15"]["off_topic"]["searched_alone"] > 0.0
