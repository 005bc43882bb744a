from knowledge.chunking import chunk_document
from knowledge.documents import Section, SourceDocument


def _doc(text: str, key: str = "billing.md") -> SourceDocument:
    return SourceDocument(
        key=key, title="Plans and billing", sections=(Section(("Refunds",), text), Section((), "Other."))
    )


def test_every_chunk_carries_title_and_section():
    chunks = chunk_document(_doc("Refunds are pro-rated within 14 days."), source="hc")
    assert chunks[0].title == "Plans and billing" and chunks[0].section == "Refunds"
    assert chunks[0].indexed_text.startswith("Plans and billing — Refunds\n")
    assert chunks[1].section == ""


def test_long_sections_split_within_the_word_budget_and_never_across_sections():
    long_text = " ".join(f"Sentence number {i} is here." for i in range(200))
    chunks = chunk_document(_doc(long_text), source="hc", max_words=50)
    refunds = [c for c in chunks if c.section == "Refunds"]
    assert len(refunds) > 5
    assert all(len(c.text.split()) <= 50 for c in refunds)
    assert " ".join(c.text for c in refunds).split() == long_text.split()


def test_chunk_ids_are_deterministic_and_depend_on_content_and_source():
    first = chunk_document(_doc("A."), source="hc")
    again = chunk_document(_doc("A."), source="hc")
    changed = chunk_document(_doc("B."), source="hc")
    other_source = chunk_document(_doc("A."), source="faq")
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id != changed[0].id
    assert first[0].id != other_source[0].id


def test_overlapping_chunks_share_the_previous_chunks_last_sentences():
    text = " ".join(f"Sentence number {i} is here." for i in range(40))  # 5 words each
    chunks = chunk_document(_doc(text), source="hc", max_words=20, overlap_words=10)
    refunds = [c.text.split("\n") for c in chunks if c.section == "Refunds"]
    assert all(len(" ".join(c).split()) <= 20 for c in refunds)
    for previous, current in zip(refunds, refunds[1:]):
        assert current[:2] == previous[-2:]  # two 5-word sentences fit in 10 words of overlap
    assert refunds[-1][-1] == "Sentence number 39 is here."
    assert len(refunds) == 19  # 4 sentences a chunk, 2 new ones each time


def test_overlap_never_stalls_when_a_sentence_is_longer_than_the_overlap():
    text = " ".join(f"Sentence number {i} is a good deal longer than the overlap." for i in range(6))
    chunks = chunk_document(_doc(text), source="hc", max_words=24, overlap_words=5)
    refunds = [c for c in chunks if c.section == "Refunds"]
    assert " ".join(c.text for c in refunds).split() == text.split()
