"""The scripts a running bot follows are the files as they are now (strategies.scripts.folder):
an edit takes effect at the next look, and an edit that breaks a file serving scripts does not."""

from __future__ import annotations

import logging
import shutil

from strategies.scripts import ScriptFolder
from tests.unit.script_files import EXAMPLE_SCRIPTS, good_script, write


def first_message(folder: ScriptFolder, script_id: str) -> str:
    return folder.current().scripts[script_id].steps[0].say


def test_an_edited_message_a_new_script_and_a_removed_one_take_effect_at_the_next_look(tmp_path):
    write(tmp_path, "a.yaml", good_script("alpha"))
    write(tmp_path, "b.yaml", good_script("beta"))
    folder = ScriptFolder(tmp_path)
    assert first_message(folder, "alpha") == "Here you go."

    write(tmp_path, "a.yaml", good_script("alpha").replace("Here you go.", "There you are."))
    assert first_message(folder, "alpha") == "There you are."

    write(tmp_path, "sub/c.yml", good_script("gamma"))
    (tmp_path / "b.yaml").unlink()
    assert set(folder.current().scripts) == {"alpha", "gamma"}


def test_a_file_broken_by_an_edit_leaves_the_scripts_as_they_were_until_it_is_fixed(tmp_path, caplog):
    write(tmp_path, "a.yaml", good_script("alpha"))
    write(tmp_path, "b.yaml", good_script("beta"))
    folder = ScriptFolder(tmp_path)
    serving = folder.current()

    write(tmp_path, "b.yaml", good_script("beta").replace("Here you go.", "Changed.") + "  - id: [unclosed\n")
    write(tmp_path, "a.yaml", good_script("alpha").replace("Here you go.", "Also changed."))
    with caplog.at_level(logging.ERROR, logger="strategies.scripts.folder"):
        assert folder.current() is serving
        assert folder.current() is serving
    refusals = [r for r in caplog.records if "stay as they were" in r.getMessage()]
    assert len(refusals) == 1, "logged once, not at every look"
    assert "b.yaml" in refusals[0].getMessage()
    assert first_message(folder, "beta") == "Here you go."

    write(tmp_path, "b.yaml", good_script("beta").replace("Here you go.", "Changed."))
    assert first_message(folder, "beta") == "Changed."
    assert first_message(folder, "alpha") == "Also changed.", "the other file's edit comes with the fix"


def test_a_new_file_with_a_problem_does_not_hold_back_the_other_edits(tmp_path):
    write(tmp_path, "a.yaml", good_script("alpha"))
    folder = ScriptFolder(tmp_path)
    folder.current()

    write(tmp_path, "draft.yaml", "id: draft\ntitle: Half written\n")
    write(tmp_path, "a.yaml", good_script("alpha").replace("Here you go.", "There you are."))
    loaded = folder.current()
    assert first_message(folder, "alpha") == "There you are."
    assert "draft" not in loaded.scripts
    assert any("draft.yaml" in p.path for p in loaded.problems)


def test_a_folder_emptied_or_moved_away_keeps_the_scripts_it_had(tmp_path):
    scripts = tmp_path / "scripts"
    shutil.copytree(EXAMPLE_SCRIPTS, scripts)
    folder = ScriptFolder(scripts)
    serving = folder.current()
    assert len(serving.scripts) >= 12

    shutil.rmtree(scripts)
    assert folder.current() is serving
    shutil.copytree(EXAMPLE_SCRIPTS, scripts)
    (scripts / "reset_password.yaml").unlink()
    assert "reset_password" not in folder.current().scripts


def test_a_folder_that_starts_with_problems_serves_what_loads(tmp_path):
    write(tmp_path, "a.yaml", good_script("alpha"))
    write(tmp_path, "b.yaml", "id: [unclosed\n")
    loaded = ScriptFolder(tmp_path).current()
    assert set(loaded.scripts) == {"alpha"}
    assert [p.path for p in loaded.problems] == [str(tmp_path / "b.yaml")]
