import numpy as np
from haystack import Document
from haystack.document_stores.in_memory import InMemoryDocumentStore

from knowledge.in_memory_search import InMemoryHybridRetriever
from knowledge.phrases import count_phrases, query_phrases


def test_pairs_of_two_function_words_are_left_out_and_pairs_with_a_content_word_kept():
    assert query_phrases("How do I turn off the Learn Menu Screen?") == [
        "do turn", "turn off", "off the", "the learn", "learn menu", "menu screen",
    ]


def test_a_question_of_one_word_or_only_function_words_has_no_pairs():
    assert query_phrases("Refunds?") == []
    assert query_phrases("What is it?") == []


def test_pairs_count_once_and_only_side_by_side():
    phrases = ["menu screen", "learn menu", "menu screen"]
    assert count_phrases(phrases, "Learn Menu Screen: learn the menu screen.") == 2
    assert count_phrases(phrases, "The screen shows a menu you can learn.") == 0


def _store(*texts: str) -> InMemoryDocumentStore:
    store = InMemoryDocumentStore(bm25_algorithm="BM25Okapi", embedding_similarity_function="cosine")
    store.write_documents([
        Document(id=str(i), content=text, embedding=[1.0, 0.0], meta={"document_key": str(i)})
        for i, text in enumerate(texts)
    ])
    return store


def test_the_chunk_naming_the_phrase_outranks_one_with_the_same_words_scattered():
    # same words, same length, same embedding: BM25 and cosine tie, the word pair decides
    store = _store("screen tips and the menu to learn", "learn menu screen and the tips to")
    retriever = InMemoryHybridRetriever(store, top_k=2)
    query = {"query": "learn menu screen", "query_embedding": [1.0, 0.0]}

    ranked = retriever.run(**query, phrases=query_phrases("What is Learn Menu Screen?"))["documents"]
    assert [d.id for d in ranked] == ["1", "0"]
    assert np.isclose(ranked[0].score - ranked[1].score, retriever.phrase_weight)

    without = InMemoryHybridRetriever(store, top_k=2, phrase_weight=0.0).run(**query, phrases=["learn menu"])
    assert without["documents"][0].score == without["documents"][1].score
