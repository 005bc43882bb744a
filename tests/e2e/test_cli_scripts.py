"""`supportbot scripts validate`, `train`, `models`, `channels`, `traces label` and
`export training-data`, through the real Typer app against a fresh home."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest

from strategies.scripts import load_scripts
from tests.conftest import SCRIPTS
from tests.e2e.test_cli import cli, flat, isolate

pytestmark = pytest.mark.slow

LABELS = {
    "billing": ["how much will I pay", "what is my bill", "send me my invoice", "charge on my card",
                "billing question", "why was I charged", "price of my plan", "payment history"],
    "login": ["cannot sign in", "log in fails", "sign in problem", "login page error",
              "I can't log in", "locked out of my account", "signin broken", "access denied when logging in"],
}


def listed_versions() -> list[str]:
    return re.findall(r"^│[ *]*│ (v\d+-[0-9a-f]{8})", cli("models", "list").output, re.MULTILINE)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-scripts")
    data = root / "data.csv"
    with data.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([text, label] for label, texts in LABELS.items() for text in texts)
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        trained = cli("train", "--no-scripts", "--data", str(data), "--epochs", "1")
        yield root, data, trained


def test_validate_lists_the_bundled_scripts(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)
    result = cli("scripts", "validate", str(SCRIPTS))
    assert result.exit_code == 0, result.output
    assert f"{len(load_scripts(SCRIPTS).scripts)} scripts valid, 0 problems" in flat(result.output)


def test_validate_reports_each_problem_with_file_and_line(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)  # a wide console: a long temp path must not wrap "file:line"
    (tmp_path / "bad.yaml").write_text(
        "id: bad\ntitle: Bad\nexamples: [hi]\nsteps:\n  - id: a\n    say: Hi\n    ask: {slot: x, type: colour}\n"
    )
    result = cli("scripts", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert re.search(r"bad\.yaml:7: .*unknown slot type 'colour'", flat(result.output))


def test_validate_reports_out_of_scope_messages_train_would_refuse(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)
    scripts = tmp_path / "scripts"
    shutil.copytree(SCRIPTS, scripts)
    monkeypatch.setenv("SUPPORTBOT_SCRIPTS_DIR", str(scripts))
    marks = tmp_path / "var" / "console" / "out-of-scope.txt"
    marks.parent.mkdir(parents=True)
    marks.write_text("is there a refund policy for annual plans?\nI need to reset my password\n")
    result = cli("scripts", "validate")
    assert result.exit_code == 1
    assert re.search(r"train would refuse: .*out-of-scope\.txt: out-of-scope messages that are also script examples: "
                     r"line 2 'I need to reset my password' is an example of script 'reset_password'", flat(result.output))
    assert f"{len(load_scripts(SCRIPTS).scripts)} scripts valid, 1 problem" in flat(result.output)

    marks.write_text("is there a refund policy for annual plans?\n")
    with (scripts / "out_of_scope.txt").open("a") as bundled:
        bundled.write("password reset please\n")
    assert "scripts/out_of_scope.txt: out-of-scope messages that are also script examples" in flat(cli("scripts", "validate").output)


def test_train_on_a_dataset_file_saves_and_activates_a_version(home):
    _, _, trained = home
    assert trained.exit_code == 0, trained.output
    out = flat(trained.output)
    assert "Training on 16 examples of 2 labels" in out
    version = re.search(r"Model (v1-[0-9a-f]{8}) saved", out).group(1)
    listed = flat(cli("models", "list").output)
    assert f"* {version}" in listed


def test_train_refuses_labels_no_script_defines_and_keeps_the_active_model(home):
    root, data, trained = home
    result = cli("train", "--data", str(data))
    assert result.exit_code == 1
    assert "labels that no script defines: 'billing'" in flat(result.output)
    assert len(listed_versions()) == 1


def test_train_refuses_an_out_of_scope_message_that_is_a_script_example(home, tmp_path):
    script_id, example = next((s.id, e) for s in load_scripts(SCRIPTS).scripts.values() for e in s.examples if "'" not in e)
    out_of_scope = tmp_path / "more_out_of_scope.txt"
    out_of_scope.write_text(f"# near misses\nwhat's the weather\n{example.upper()}!\n")
    result = cli("train", "--out-of-scope", str(out_of_scope))
    assert result.exit_code == 1
    assert f"line 3 '{example.upper()}!' is an example of script '{script_id}'" in flat(result.output)
    assert len(listed_versions()) == 1, "nothing trained"


def test_train_reads_the_out_of_scope_messages_leads_added_in_the_review_console(home):
    root, _data, _trained = home
    script_id, example = next((s.id, e) for s in load_scripts(SCRIPTS).scripts.values() for e in s.examples if "'" not in e)
    judged = root / "var" / "console" / "out-of-scope.txt"
    judged.parent.mkdir(parents=True, exist_ok=True)
    judged.write_text(f"what's the weather\n{example}\n")  # a script example since: train must say where
    try:
        result = cli("train")
    finally:
        judged.unlink()
    assert result.exit_code == 1
    output = flat(result.output)
    assert f"review console ({judged})" in output
    assert f"line 2 '{example}' is an example of script '{script_id}'" in output
    assert len(listed_versions()) == 1, "nothing trained"


def test_train_reads_the_script_examples_leads_added_and_leaves_out_removed_scripts(home):
    root, _data, _trained = home
    script_id = sorted(load_scripts(SCRIPTS).scripts)[0]
    judged = root / "var" / "console" / "script-examples.jsonl"
    judged.parent.mkdir(parents=True, exist_ok=True)
    # the first also in the bundled out_of_scope.txt, so train must refuse: proof it read the file, without training
    judged.write_text(
        json.dumps({"text": "how do recurring invoices work?", "label": script_id}) + "\n"
        + json.dumps({"text": "old flow", "label": "a_script_removed_since"}) + "\n"
    )
    try:
        clash = flat(cli("train").output)
        judged.write_text("not json\n")
        malformed = cli("train")
    finally:
        judged.unlink()
    assert f"With 1 script examples leads added in the review console ({judged})" in clash
    assert "examples of scripts that no longer exist: a_script_removed_since" in clash
    assert "out_of_scope.txt: out-of-scope messages that are also script examples" in clash
    assert "'how do recurring invoices work?' is an example of script" in clash
    assert malformed.exit_code == 1 and str(judged) in flat(malformed.output)
    assert len(listed_versions()) == 1, "nothing trained"


def test_activating_an_unknown_version_keeps_serving_the_current_one(home):
    result = cli("models", "activate", "v99-deadbeef")
    assert result.exit_code == 1
    assert re.search(r"no model version 'v99-deadbeef'.*Still serving v1-", flat(result.output))


def test_channel_policies_are_set_and_listed(home):
    assert cli("channels", "set", "slack:T1/C2", "retrieval").exit_code == 0
    assert "slack:T1/C2 retrieval" in flat(cli("channels", "list").output)
    bad = cli("channels", "set", "web", "magic")
    assert bad.exit_code == 2 and "unknown policy 'magic'" in flat(bad.output)


def test_export_holds_script_examples_and_answers_labelled_correct(home, tmp_path):
    asked = cli("ask", "--json", "hello there")
    trace_id = json.loads(asked.stdout.strip().splitlines()[-1])["trace_id"]
    assert cli("traces", "label", trace_id, "correct", "--reviewer", "lead@example.com").exit_code == 0
    assert cli("traces", "label", trace_id, "brilliant").exit_code == 1

    out = tmp_path / "pairs.jsonl"
    result = cli("export", "training-data", "--format", "openai-chat", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    scripts = load_scripts(SCRIPTS).scripts
    assert len(rows) == sum(len(s.examples) for s in scripts.values()) + 1
    first = rows[0]["messages"]
    assert [m["role"] for m in first] == ["system", "user", "assistant"]
    assert rows[-1]["messages"][-2] == {"role": "user", "content": "hello there"}

    as_csv = cli("export", "training-data", "--format", "csv", "--no-scripts")
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["user"] for r in table] == ["hello there"] and table[0]["source"] == f"trace:{trace_id}"


def test_train_never_holds_out_the_corrections_leads_made(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)
    script_id = sorted(load_scripts(SCRIPTS).scripts)[0]
    console_dir = tmp_path / "var" / "console"
    console_dir.mkdir(parents=True)
    (console_dir / "out-of-scope.txt").write_text("is there a refund policy for annual plans?\nwhat's your DPA?\n")
    (console_dir / "script-examples.jsonl").write_text(json.dumps({"text": "halp with the thing", "label": script_id}))
    result = cli("train", "--epochs", "1")
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "plus 3 corrections by leads (none held out for calibration)" in output
    assert "train_corrections 3" in output
    [listed] = [line for line in cli("models", "list").output.splitlines() if line.lstrip("│ ").startswith("*")]
    assert listed.rstrip(" │").endswith("3"), "models list shows how many corrections the version keeps"


def test_validate_and_models_list_say_which_script_changes_the_active_model_has_not_learnt(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)
    scripts = tmp_path / "scripts"
    shutil.copytree(SCRIPTS, scripts)
    monkeypatch.setenv("SUPPORTBOT_SCRIPTS_DIR", str(scripts))
    assert cli("train", "--epochs", "1").exit_code == 0
    assert "was trained on these scripts." in flat(cli("scripts", "validate").output)

    reset = scripts / "reset_password.yaml"
    reset.write_text(reset.read_text().replace("  - I forgot my password\n", "  - I forgot my password again\n"))
    (scripts / "report_a_bug.yaml").rename(tmp_path / "report_a_bug.yaml")
    partners = (scripts / "talk_to_sales.yaml").read_text().replace("id: talk_to_sales", "id: talk_to_partners")
    examples, steps = partners.split("\nsteps:")
    (scripts / "talk_to_partners.yaml").write_text(re.sub(r"(?m)^  - ", "  - as a reseller partner, ", examples) + "\nsteps:" + steps)

    validated = cli("scripts", "validate")
    listed = cli("models", "list")
    assert validated.exit_code == 0, validated.output
    for output in (flat(validated.output), flat(listed.output)):
        assert "The scripts changed since the active script model v1-" in output
        assert ("new scripts it does not start yet: talk_to_partners; scripts it knows that are gone: report_a_bug; "
                "examples changed in: reset_password). Run `supportbot train`") in output
