"""Which script changes the active model has not learnt (bot.model_freshness)."""

from __future__ import annotations

import json

from bot.db.models import ScriptModelVersion
from bot.model_freshness import model_freshness
from strategies.script_model import FORMAT_VERSION
from strategies.scripts import load_scripts
from tests.unit.script_files import good_script, write


def trained(tmp_path, labels, script_examples=None) -> ScriptModelVersion:
    manifest = {"format_version": FORMAT_VERSION, "version": "v3", "class_labels": labels, "thresholds": {},
                "max_length": 64, "logit_scale": 20.0}
    if script_examples is not None:
        manifest["script_examples"] = script_examples
    directory = tmp_path / "model"
    directory.mkdir()
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return ScriptModelVersion(version="v3", path=str(directory), labels=labels)


def test_an_example_reworded_is_a_change_but_its_case_punctuation_and_order_are_not(tmp_path):
    write(tmp_path / "s", "a.yaml", good_script("alpha"))
    model = trained(tmp_path, ["alpha"], load_scripts(tmp_path / "s").examples_fingerprints())
    write(tmp_path / "s", "a.yaml", good_script("alpha").replace("please help with alpha", "Please help with ALPHA!"))
    assert model_freshness(load_scripts(tmp_path / "s"), model).current

    write(tmp_path / "s", "a.yaml", good_script("alpha").replace("please help with alpha", "please fix alpha"))
    freshness = model_freshness(load_scripts(tmp_path / "s"), model)
    assert freshness.changed == ["alpha"] and not freshness.new and not freshness.removed
    assert "examples changed in: alpha" in freshness.describe()


def test_a_model_that_predates_examples_fingerprints_is_checked_by_its_scripts_only(tmp_path):
    write(tmp_path / "s", "a.yaml", good_script("alpha"))
    write(tmp_path / "s", "b.yaml", good_script("beta"))
    freshness = model_freshness(load_scripts(tmp_path / "s"), trained(tmp_path, ["alpha", "gone"]))
    assert (freshness.new, freshness.removed, freshness.changed) == (["beta"], ["gone"], [])
    assert not freshness.examples_known


def test_a_model_directory_that_is_gone_still_gets_its_scripts_compared(tmp_path):
    write(tmp_path / "s", "a.yaml", good_script("alpha"))
    model = ScriptModelVersion(version="v3", path=str(tmp_path / "missing"), labels=["alpha"])
    freshness = model_freshness(load_scripts(tmp_path / "s"), model)
    assert freshness.current and "edits to them are not checked" in freshness.describe()
