import json

import pytest

from knowledge.sources import SourceError, load_source


def test_csv_yaml_and_json_give_the_same_entries(tmp_path):
    (tmp_path / "faq.csv").write_text('question,answer\n"Can I get a refund?","Yes, within 14 days."\n')
    (tmp_path / "faq.yaml").write_text("- question: Can I get a refund?\n  answer: Yes, within 14 days.\n")
    (tmp_path / "faq.json").write_text(json.dumps({"faqs": [{"question": "Can I get a refund?", "answer": "Yes, within 14 days."}]}))
    loaded = [load_source("faq", str(tmp_path / name)) for name in ("faq.csv", "faq.yaml", "faq.json")]
    keys = {(r.documents[0].key, r.documents[0].title, r.documents[0].text) for r in loaded}
    assert keys == {("faq/can-i-get-a-refund", "Can I get a refund?", "Yes, within 14 days.")}


def test_a_bad_row_is_reported_with_its_line_and_the_rest_loads(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text("question,answer\nFirst?,One.\nSecond?,\nThird?,Three.,extra\nFourth?,Four.\n")
    result = load_source("faq", str(path))
    assert [d.title for d in result.documents] == ["First?", "Fourth?"]
    assert [(p.path, p.reason) for p in result.problems] == [
        (f"{path}:line 3", "entry has no answer"),
        (f"{path}:line 4", "row has more fields than the header"),
    ]


def test_malformed_yaml_is_one_problem_not_a_crash(tmp_path):
    path = tmp_path / "faq.yaml"
    path.write_text("- question: [unclosed\n  answer: x\n")
    result = load_source("faq", str(path))
    assert result.documents == [] and len(result.problems) == 1 and result.problems[0].key is None


def test_csv_without_the_right_header_is_reported(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text("q,a\nx,y\n")
    result = load_source("faq", str(path))
    assert "header must name the columns question and answer" in result.problems[0].reason


def test_missing_file_raises_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        load_source("faq", str(tmp_path / "nope.yaml"))


def test_missing_folder_raises_a_source_error(tmp_path):
    with pytest.raises(SourceError, match=f"folder {tmp_path / 'nope'} does not exist"):
        load_source("folder", str(tmp_path / "nope"))


def test_folder_reports_bad_files_and_loads_the_rest(tmp_path):
    (tmp_path / "good.md").write_text("# Good\n\nFine page.")
    (tmp_path / "latin1.md").write_bytes("# Café\n\nPrix: 15 EUR".encode("latin-1"))
    (tmp_path / "empty.md").write_text("\n\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    result = load_source("folder", str(tmp_path), base_url="https://help.example")
    assert [(d.key, d.url) for d in result.documents] == [("good.md", "https://help.example/good")]
    reasons = {p.key: p.reason for p in result.problems}
    assert reasons["latin1.md"].startswith("not valid UTF-8")
    assert reasons["empty.md"] == "page has no text"
    assert reasons["image.png"] == "unsupported file type .png"
