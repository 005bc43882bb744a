"""One contract for every SearchIndex backend: the embedded in-memory store always, and
Elasticsearch whenever SUPPORTBOT_ELASTICSEARCH_URL points at a server."""

from __future__ import annotations

import copy
import hashlib
import os
import uuid
from pathlib import Path

import pytest
from haystack import Document

from knowledge.documents import Chunk, chunk_id
from knowledge.indexing import Indexer
from knowledge.retrieval import HybridRetriever
from knowledge.stores.base import IndexCorruptedError, SearchIndex, chunk_from_document
from knowledge.stores.in_memory import InMemoryIndex

ELASTICSEARCH_URL = os.environ.get("SUPPORTBOT_ELASTICSEARCH_URL")
HELP, FAQ = "help-center", "faq"


def make_chunks(source: str, key: str, title: str, sections: list[tuple[str, str]], url: str | None) -> list[Chunk]:
    """The chunks of one document version; ids depend on (source, key, content hash, ordinal)."""
    content_hash = hashlib.sha256("\n".join(f"{s}\n{t}" for s, t in sections).encode()).hexdigest()
    return [
        Chunk(
            id=chunk_id(source, key, content_hash, ordinal),
            document_key=key,
            content_hash=content_hash,
            ordinal=ordinal,
            title=title,
            section=section,
            text=text,
            url=url,
            source=source,
        )
        for ordinal, (section, text) in enumerate(sections)
    ]


BILLING_V1 = make_chunks(
    HELP, "billing.md", "Plans and billing",
    [
        ("Prices", "Pro costs $15 per month and Business costs $39 per month, billed per workspace."),
        ("Refunds", "Refunds are pro-rated when you ask within 14 days of a charge."),
    ],
    "https://help.example/billing",
)
BILLING_V2 = make_chunks(
    HELP, "billing.md", "Plans and billing",
    [("Prices", "Pro costs $18 per month from March; Business stays at $39 per month.")],
    "https://help.example/billing",
)
PASSWORD = make_chunks(
    HELP, "password.md", "Password reset",
    [("Forgot your password?", "To reset a forgotten password, click Forgot password on the sign-in page "
      "and follow the link we email you. The link expires after one hour.")],
    "https://help.example/password",
)
BANK = make_chunks(
    HELP, "bank.md", "Connecting your bank",
    [("", "Connect a bank account under Settings, Bank connections; transactions import every few hours.")],
    None,  # no public URL: must come back as None, not ""
)
FAQ_BILLING = make_chunks(  # the same document key as BILLING_* but in another source
    FAQ, "billing.md", "Can I get a refund?",
    [("", "Yes: within 14 days of a charge we refund the unused part of the billing period.")],
    "https://help.example/faq#refund",
)
FIRST_VERSIONS = [*BILLING_V1, *PASSWORD, *BANK, *FAQ_BILLING]
ALL_CHUNKS = [*FIRST_VERSIONS, *BILLING_V2]


@pytest.fixture(scope="module")
def embedded() -> dict[str, Document]:
    """Every test chunk embedded once with the packaged encoder, by chunk id."""
    indexer = Indexer(InMemoryIndex())
    return {d.id: d for d in indexer.embed(ALL_CHUNKS)}


@pytest.fixture
def docs(embedded):
    def build(chunks: list[Chunk]) -> list[Document]:
        return [copy.deepcopy(embedded[c.id]) for c in chunks]

    return build


@pytest.fixture(params=["in-memory", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def index(request, tmp_path) -> SearchIndex:
    if request.param == "in-memory":
        yield InMemoryIndex(tmp_path / "idx.json")
        return
    if not ELASTICSEARCH_URL:
        pytest.skip(
            "SUPPORTBOT_ELASTICSEARCH_URL is unset: no Elasticsearch server on this machine; "
            "the in-memory backend runs the same contract"
        )
    from knowledge.stores.elasticsearch import ElasticsearchIndex

    name = f"supportbot-test-{uuid.uuid4().hex}"
    backend = ElasticsearchIndex(ELASTICSEARCH_URL, index=name)
    try:
        yield backend
    finally:
        backend.document_store.client.indices.delete(index=name, ignore_unavailable=True)


def ids_of(index: SearchIndex, source: str | None = None, key: str | None = None) -> set[str]:
    return {
        d.id
        for d in index.document_store.filter_documents()
        if (source is None or d.meta["source"] == source) and (key is None or d.meta["document_key"] == key)
    }


def ids(chunks: list[Chunk]) -> set[str]:
    return {c.id for c in chunks}


# -- the contract ------------------------------------------------------------------------------


def test_write_then_count(index, docs):
    assert index.count() == 0
    index.write(docs(FIRST_VERSIONS))
    index.save()
    assert index.count() == len(FIRST_VERSIONS)
    assert ids_of(index) == ids(FIRST_VERSIONS)


def test_writing_the_same_chunks_twice_does_not_duplicate(index, docs):
    index.write(docs(FIRST_VERSIONS))
    index.write(docs(FIRST_VERSIONS))
    index.write(docs(PASSWORD))
    index.save()
    assert index.count() == len(FIRST_VERSIONS)
    assert ids_of(index) == ids(FIRST_VERSIONS)


def test_replace_document_swaps_in_the_new_version_and_leaves_nothing_of_the_old(index, docs):
    index.write(docs(FIRST_VERSIONS))
    faq_before = {d.id: (d.content, d.meta) for d in index.document_store.filter_documents() if d.meta["source"] == FAQ}

    index.replace_document(HELP, "billing.md", docs(BILLING_V2))
    index.save()

    assert ids_of(index, HELP, "billing.md") == ids(BILLING_V2)
    assert not ids(BILLING_V1) & ids_of(index), "no chunk of the old version is left"
    assert ids_of(index, HELP, "password.md") == ids(PASSWORD)
    assert ids_of(index, HELP, "bank.md") == ids(BANK)
    faq_after = {d.id: (d.content, d.meta) for d in index.document_store.filter_documents() if d.meta["source"] == FAQ}
    assert faq_after == faq_before, "the same key in another source is untouched"
    assert index.count() == len(FIRST_VERSIONS) - len(BILLING_V1) + len(BILLING_V2)


def test_replace_document_with_the_same_version_keeps_it(index, docs):
    index.write(docs(FIRST_VERSIONS))
    index.replace_document(HELP, "billing.md", docs(BILLING_V1))
    index.save()
    assert ids_of(index, HELP, "billing.md") == ids(BILLING_V1)
    assert index.count() == len(FIRST_VERSIONS)


def test_replace_document_adds_a_document_the_index_did_not_have(index, docs):
    index.write(docs(PASSWORD))
    index.replace_document(HELP, "billing.md", docs(BILLING_V1))
    index.save()
    assert ids_of(index) == ids(PASSWORD) | ids(BILLING_V1)


def test_remove_document_removes_only_that_document(index, docs):
    index.write(docs(FIRST_VERSIONS))

    index.remove_document(HELP, "billing.md")
    index.remove_document(HELP, "never-indexed.md")  # unknown keys are a no-op
    index.save()

    assert ids_of(index, HELP, "billing.md") == set()
    assert ids_of(index) == ids(PASSWORD) | ids(BANK) | ids(FAQ_BILLING)


def test_clear_empties_the_index(index, docs):
    index.write(docs(FIRST_VERSIONS))
    index.clear()
    index.save()
    assert index.count() == 0
    assert HybridRetriever(index).retrieve("reset my password") == []
    index.clear()  # clearing an empty index is fine
    assert index.count() == 0


def test_hybrid_retrieval_ranks_the_relevant_chunk_first_with_its_scores(index, docs):
    index.write(docs(FIRST_VERSIONS))
    index.save()
    retriever = HybridRetriever(index, top_k=3)

    hits = retriever.retrieve("How do I reset my password?")

    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert 1 < len(hits) <= 3
    top = hits[0]
    assert top.chunk == PASSWORD[0]
    assert top.bm25_score is not None and top.bm25_score > 0, "BM25 found the chunk"
    assert top.embedding_score is not None, "the embedding retriever found the chunk"
    assert top.similarity == max(h.similarity for h in hits)
    assert 0.3 < top.similarity <= 1.0
    assert all(-1.0 <= h.similarity <= 1.0 for h in hits)
    fused = [h.fused_score for h in hits]
    assert fused == sorted(fused, reverse=True)

    billing = retriever.retrieve("How much is the Pro plan per month?")[0]
    assert billing.chunk == BILLING_V1[0]


def test_chunk_from_document_round_trips_every_field(index, docs):
    index.write(docs(FIRST_VERSIONS))
    index.save()
    stored = {d.id: chunk_from_document(d) for d in index.document_store.filter_documents()}
    for chunk in FIRST_VERSIONS:
        back = stored[chunk.id]
        assert (back.title, back.section, back.text, back.url, back.source, back.content_hash) == (
            chunk.title, chunk.section, chunk.text, chunk.url, chunk.source, chunk.content_hash,
        )
        assert (back.document_key, back.ordinal) == (chunk.document_key, chunk.ordinal)
    assert stored[BANK[0].id].url is None


# -- the embedded store's file -----------------------------------------------------------------


def test_in_memory_index_saves_and_loads_the_same_documents(tmp_path, docs):
    path = tmp_path / "index" / "idx.json"
    index = InMemoryIndex(path)
    index.write(docs(FIRST_VERSIONS))
    index.save()

    loaded = InMemoryIndex(path)

    assert loaded.count() == len(FIRST_VERSIONS)
    before = {d.id: (d.content, d.meta, d.embedding) for d in index.document_store.filter_documents()}
    after = {d.id: (d.content, d.meta, d.embedding) for d in loaded.document_store.filter_documents()}
    assert after == before
    assert HybridRetriever(loaded, top_k=3).retrieve("forgot my password")[0].chunk == PASSWORD[0]


def test_two_in_memory_indexes_do_not_share_documents(tmp_path, docs):
    first, second = InMemoryIndex(tmp_path / "a.json"), InMemoryIndex(tmp_path / "b.json")
    first.write(docs(PASSWORD))
    assert second.count() == 0


def test_a_corrupted_index_file_raises_index_corrupted_error_naming_the_path(tmp_path):
    path = tmp_path / "idx.json"
    path.write_bytes(b"\x00\xff{not json at all")

    with pytest.raises(IndexCorruptedError) as caught:
        InMemoryIndex(path)

    assert str(path) in str(caught.value)


def test_save_is_atomic_and_leaves_no_partial_file(tmp_path, docs):
    path = tmp_path / "idx.json"
    index = InMemoryIndex(path)
    index.write(docs(PASSWORD))
    index.save()
    index.write(docs(BANK))
    index.save()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx.json"], "no .partial file left behind"
    assert InMemoryIndex(path).count() == len(PASSWORD) + len(BANK)


def test_a_save_that_fails_midway_leaves_the_previous_file_intact(tmp_path, docs, monkeypatch):
    path = tmp_path / "idx.json"
    index = InMemoryIndex(path)
    index.write(docs(PASSWORD))
    index.save()
    saved = path.read_bytes()

    def crash(self, target: str) -> None:
        Path(target).write_bytes(b'{"half": ')  # dies halfway through writing
        raise OSError("disk full")

    index.write(docs(BANK))
    monkeypatch.setattr(type(index.document_store), "save_to_disk", crash)
    with pytest.raises(OSError):
        index.save()

    assert path.read_bytes() == saved
    assert ids_of(InMemoryIndex(path)) == ids(PASSWORD)
