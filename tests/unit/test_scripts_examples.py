"""The bundled example scripts, and problems with the scripts folder as a whole."""

from __future__ import annotations


from strategies.scripts import load_scripts
from strategies.scripts import ScriptProblem
from tests.unit.script_files import EXAMPLE_SCRIPTS, good_script, write


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
