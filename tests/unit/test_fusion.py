import numpy as np
from haystack import Document

from knowledge.fusion import ScoreFusion, boost_by_document, document_numbers


def test_a_page_matching_in_several_chunks_overtakes_a_single_slightly_better_chunk():
    scores = np.array([0.80, 0.70, 0.82, 0.10])
    pages = np.array([0, 0, 1, 1])
    boosted = boost_by_document(scores, pages, 0.1)
    assert np.allclose(boosted, [0.80 + 0.07, 0.70 + 0.08, 0.82 + 0.01, 0.10 + 0.082])
    assert boosted[0] > boosted[2]
    assert boosted[0] > boosted[1]  # a page's own chunks keep their order


def test_no_boost_for_a_single_chunk_page_or_a_zero_weight():
    assert boost_by_document(np.array([0.5]), np.array([0]), 0.1).tolist() == [0.5]
    assert boost_by_document(np.array([0.5, 0.4]), np.array([0, 0]), 0.0).tolist() == [0.5, 0.4]


def test_pages_are_numbered_by_source_and_document_key():
    documents = [
        Document(content="a", meta={"source": "hc", "document_key": "a.md"}),
        Document(content="b", meta={"source": "faq", "document_key": "a.md"}),
        Document(content="c", meta={"source": "hc", "document_key": "a.md"}),
    ]
    assert document_numbers(documents).tolist() == [0, 1, 0]


def test_score_fusion_ranks_by_the_boosted_score():
    def doc(id_, key, score, embedding):
        return Document(id=id_, content=id_, score=score, embedding=embedding,
                        meta={"source": "hc", "document_key": key})

    keyword = [doc("a1", "a", 10.0, [1.0, 0.0]), doc("a2", "a", 9.0, [1.0, 0.0]), doc("b1", "b", 10.5, [1.0, 0.0])]
    result = ScoreFusion(keyword_weight=1.0, top_k=3, document_weight=0.1).run(
        keyword_documents=keyword, embedding_documents=[], query_embedding=[1.0, 0.0]
    )
    assert [d.id for d in result["documents"]] == ["a1", "b1", "a2"]


def test_score_fusion_adds_the_phrase_weight_for_the_chunk_with_most_question_word_pairs():
    def doc(id_, text):
        return Document(id=id_, content=text, score=5.0, embedding=[1.0, 0.0],
                        meta={"source": "hc", "document_key": id_})

    keyword = [doc("scattered", "menu screen, then learn"), doc("phrase", "learn menu screen")]
    result = ScoreFusion(keyword_weight=0.5, top_k=2, document_weight=0.0, phrase_weight=0.2).run(
        keyword_documents=keyword, embedding_documents=[], query_embedding=[1.0, 0.0],
        phrases=["learn menu", "menu screen"],
    )
    scores = dict(zip([d.id for d in result["documents"]], [d.score for d in result["documents"]]))
    assert [d.id for d in result["documents"]] == ["phrase", "scattered"]
    # "scattered" holds one of the two pairs ("menu screen"): half the phrase weight
    assert np.isclose(scores["phrase"] - scores["scattered"], 0.2 - 0.1)
