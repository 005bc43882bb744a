"""Elasticsearch swaps a document's chunks in one bulk request (the contract suite runs the
real thing when SUPPORTBOT_ELASTICSEARCH_URL is set); here the request itself is checked."""

from __future__ import annotations

import pytest
from haystack import Document
from haystack.document_stores.errors import DocumentStoreError

from knowledge.stores import elasticsearch as es_backend
from knowledge.stores.elasticsearch import ElasticsearchIndex


def _chunk(chunk_id: str, embedding=None) -> Document:
    meta = {"document_key": "refunds", "source": "docs"}
    return Document(id=chunk_id, content="text", embedding=embedding, meta=meta)


@pytest.fixture
def index(monkeypatch):
    built = ElasticsearchIndex(url="http://127.0.0.1:9", index="chunks")
    # No server: the store's client is never connected (bulk is captured, the old chunks are given).
    monkeypatch.setattr(type(built.document_store), "client", property(lambda store: "es-client"))
    monkeypatch.setattr(built, "_chunks_of", lambda source, key: [_chunk("old-1"), _chunk("kept")])
    return built


def test_new_chunks_and_stale_deletions_go_in_one_bulk_request(index, monkeypatch):
    requests = []
    def bulk(client, actions, **options):
        requests.append((actions, options))
        return len(actions), []

    monkeypatch.setattr(es_backend.helpers, "bulk", bulk)
    index.replace_document("docs", "refunds", [_chunk("kept", [0.1, 0.2]), _chunk("new-1", [0.3, 0.4])])
    ((actions, options),) = requests
    operations = [(a["_op_type"], a["_id"]) for a in actions]
    assert operations == [("index", "kept"), ("index", "new-1"), ("delete", "old-1")]
    source = actions[1]["_source"]
    assert source["document_key"] == "refunds" and source["embedding"] == [0.3, 0.4]
    assert "sparse_embedding" not in source
    assert options["index"] == "chunks" and options["refresh"] == "wait_for"


def test_a_refused_write_is_an_error_but_an_already_deleted_chunk_is_not(index, monkeypatch):
    gone = {"delete": {"_id": "old-1", "status": 404}}
    monkeypatch.setattr(es_backend.helpers, "bulk", lambda client, actions, **kw: (2, [gone]))
    index.replace_document("docs", "refunds", [_chunk("kept", [0.1, 0.2])])
    refused = {"index": {"_id": "kept", "status": 400, "error": {"type": "mapper_parsing_exception"}}}
    monkeypatch.setattr(es_backend.helpers, "bulk", lambda client, actions, **kw: (1, [refused, gone]))
    with pytest.raises(DocumentStoreError, match="refused 1 of 2"):
        index.replace_document("docs", "refunds", [_chunk("kept", [0.1, 0.2])])
