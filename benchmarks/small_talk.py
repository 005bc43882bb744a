"""Small-talk recognition benchmark: how often `strategies.small_talk` spots a social turn, and
how often it takes a real request for one (the costly mistake: that request gets "You're
welcome!" instead of an answer).

    python benchmarks/small_talk.py [--clinc150 FILE] [--banking77 FILE] [--repeat N]

Sets:
- CLINC150 (train and val, reported apart): the intents greeting, goodbye, thank_you,
  are_you_a_bot, what_can_i_ask_you, yes and no are social turns; every other intent and the
  out-of-scope messages are not. The phrase lists were written looking at CLINC's `train`
  messages, so `val` is the held-out figure.
- BANKING77 `train`: every message is a banking request, none is small talk.
- The bundled Tallyo set: every script example and every question of examples/eval/tallyo.jsonl
  that is not labelled small talk.
Baseline in the same run: an exact match of the whole message (lower-cased, punctuation
removed) against the 16 commonest words and phrases. Prints a table; the last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench_env import DATA, REPO_ROOT

from strategies.scripts import load_scripts
from strategies.small_talk import small_talk_in

SOCIAL_INTENTS = ("greeting", "goodbye", "thank_you", "are_you_a_bot", "what_can_i_ask_you", "yes", "no")
PLAIN_WORDS = {
    "hi", "hello", "hey", "thanks", "thank you", "thx", "bye", "goodbye", "ok", "okay", "yes", "no", "help",
    "good morning", "cheers", "great",
}


def plain_lookup(text: str) -> bool:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split()) in PLAIN_WORDS


def supportbot(text: str) -> bool:
    return small_talk_in(text) is not None


METHODS: dict[str, Callable[[str], bool]] = {"plain_lookup": plain_lookup, "supportbot": supportbot}


def clinc_split(data: dict, split: str, method: Callable[[str], bool]) -> dict:
    social = [(text, label) for text, label in data[split] if label in SOCIAL_INTENTS]
    other = [text for text, label in data[split] if label not in SOCIAL_INTENTS] + [t for t, _ in data[f"oos_{split}"]]
    per_intent = {intent: _share([method(t) for t, label in social if label == intent]) for intent in SOCIAL_INTENTS}
    return {
        "social_recall": _share([method(t) for t, _ in social]),
        "per_intent_recall": per_intent,
        "false_positives": sum(method(t) for t in other),
        "other_messages": len(other),
    }


def requests_only(texts: list[str], method: Callable[[str], bool]) -> dict:
    wrong = [t for t in texts if method(t)]
    return {"false_positives": len(wrong), "messages": len(texts), "examples": wrong[:5]}


def latency_us(texts: list[str], method: Callable[[str], bool], repeat: int) -> dict:
    timings = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            method(text)
            timings.append((time.perf_counter() - started) * 1e6)
    timings.sort()
    return {"p50_us": round(statistics.median(timings), 1), "p95_us": round(timings[int(len(timings) * 0.95)], 1)}


def tallyo_texts() -> list[str]:
    scripts = load_scripts(REPO_ROOT / "examples" / "scripts")
    examples = [e for script in scripts.scripts.values() for e in script.examples]
    lines = (REPO_ROOT / "examples" / "eval" / "tallyo.jsonl").read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    return examples + [case["question"] for case in cases if not case.get("expected_small_talk")]


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinc150", type=Path, default=DATA / "clinc150" / "data_full_trainval.json")
    parser.add_argument("--banking77", type=Path, default=DATA / "banking77" / "train.csv")
    parser.add_argument("--repeat", type=int, default=3, help="Latency: passes over the CLINC150 val messages")
    args = parser.parse_args()

    clinc = json.loads(args.clinc150.read_text(encoding="utf-8"))
    with args.banking77.open(newline="", encoding="utf-8") as handle:
        banking = [row["text"] for row in csv.DictReader(handle)]
    tallyo = tallyo_texts()
    val_texts = [t for t, _ in clinc["val"]] + [t for t, _ in clinc["oos_val"]]

    figures = {}
    for name, method in METHODS.items():
        figures[name] = {
            "clinc150_train": clinc_split(clinc, "train", method),
            "clinc150_val": clinc_split(clinc, "val", method),
            "banking77": requests_only(banking, method),
            "tallyo": requests_only(tallyo, method),
            "latency": latency_us(val_texts, method, args.repeat),
        }

    print(f"{'method':<14}{'split':<16}{'social recall':>14}{'false positives':>22}")
    for name, result in figures.items():
        for split in ("clinc150_train", "clinc150_val"):
            r = result[split]
            print(f"{name:<14}{split:<16}{r['social_recall']:>14.1%}{r['false_positives']:>12} of {r['other_messages']:<7}")
        for split in ("banking77", "tallyo"):
            r = result[split]
            print(f"{name:<14}{split:<16}{'':>14}{r['false_positives']:>12} of {r['messages']:<7}")
        print(f"{name:<14}latency p50 {result['latency']['p50_us']} us, p95 {result['latency']['p95_us']} us")
    print("per intent (val):", {n: r["clinc150_val"]["per_intent_recall"] for n, r in figures.items()})
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
