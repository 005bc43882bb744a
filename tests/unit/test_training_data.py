"""What `supportbot train` gathers: scripts' examples, out-of-scope files, and the leads' corrections
from the review console, which the trainer never holds out."""

from __future__ import annotations

import pytest

from bot.training_data import TrainingDataError, gather_training_data
from strategies.script_model import OUT_OF_SCOPE, LabelledExample
from strategies.scripts import load_scripts
from tests.unit.script_files import good_script, write


@pytest.fixture
def scripts(tmp_path):
    folder = tmp_path / "scripts"
    write(folder, "refund.yaml", good_script("refund"))
    write(folder, "out_of_scope.txt", "# bundled\nwhat's the weather\n")
    return load_scripts(folder), folder


def test_leads_marks_and_judged_examples_are_corrections_not_ordinary_data(scripts, tmp_path):
    script_set, folder = scripts
    marked = write(tmp_path, "console/out-of-scope.txt", "how long do refunds take to show?\n\n# a comment\n")
    judged = [LabelledExample("my money back please", "refund")]
    data = gather_training_data(script_set, [], [], folder, judged, marked)
    assert data.examples == [LabelledExample("please help with refund", "refund")]
    assert data.out_of_scope == ["what's the weather"]
    assert data.corrections == [*judged, LabelledExample("how long do refunds take to show?", OUT_OF_SCOPE)]


def test_a_marked_question_that_is_a_script_example_is_refused_with_its_line(scripts, tmp_path):
    script_set, folder = scripts
    marked = write(tmp_path, "console/out-of-scope.txt", "fine\nPlease help with REFUND!\n")
    with pytest.raises(TrainingDataError, match=r"out-of-scope\.txt: .*line 2 'Please help with REFUND!' .*'refund'"):
        gather_training_data(script_set, [], [], folder, [], marked)


def test_an_out_of_scope_line_that_a_lead_judged_a_script_example_is_refused(scripts, tmp_path):
    script_set, folder = scripts
    judged = [LabelledExample("What's the weather", "refund")]
    with pytest.raises(TrainingDataError, match=r"out_of_scope\.txt: .*line 2 \"what's the weather\" .*'refund'"):
        gather_training_data(script_set, [], [], folder, judged)


def test_a_marks_file_that_is_not_utf8_names_the_file(scripts, tmp_path):
    script_set, folder = scripts
    marked = tmp_path / "out-of-scope.txt"
    marked.write_bytes(b"caf\xe9\n")
    with pytest.raises(TrainingDataError, match=r"out-of-scope\.txt: not UTF-8 text \(byte 3\)"):
        gather_training_data(script_set, [], [], folder, [], marked)
