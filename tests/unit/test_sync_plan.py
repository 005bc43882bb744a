from knowledge.documents import LoadProblem, Section, SourceDocument
from knowledge.sync_plan import plan_sync


def _doc(key: str, text: str) -> SourceDocument:
    return SourceDocument(key=key, title=key, sections=(Section((), text),))


def test_plan_by_content_hash():
    unchanged, changed, new = _doc("a", "same"), _doc("b", "new text"), _doc("c", "fresh")
    current = {"a": unchanged.content_hash, "b": _doc("b", "old text").content_hash, "gone": "h"}
    plan = plan_sync(current, [unchanged, changed, new], [])
    assert [d.key for d in plan.added] == ["c"]
    assert [d.key for d in plan.changed] == ["b"]
    assert plan.unchanged == ["a"]
    assert plan.removed == ["gone"]


def test_a_document_that_failed_to_load_is_kept_not_retired():
    plan = plan_sync({"a": "h1", "b": "h2"}, [], [LoadProblem("/x/a", "not valid UTF-8", key="a")])
    assert plan.removed == ["b"] and plan.kept_despite_problems == ["a"]


def test_a_problem_without_a_document_blocks_all_retirements():
    plan = plan_sync({"a": "h1", "b": "h2"}, [], [LoadProblem("/x/faq.csv", "malformed CSV")])
    assert plan.removed == [] and plan.kept_despite_problems == ["a", "b"]


def test_documents_reported_unchanged_without_being_sent_are_not_retired():
    plan = plan_sync({"a": "h1", "b": "h2", "c": "h3"}, [], [], unchanged_keys=["a", "b", "never-stored"])
    assert plan.unchanged == ["a", "b"] and plan.removed == ["c"]
