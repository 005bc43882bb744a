"""Search index backends behind one interface (`SearchIndex`)."""

from knowledge.stores.base import IndexCorruptedError, SearchIndex, chunk_from_document, chunk_to_document

__all__ = ["IndexCorruptedError", "SearchIndex", "chunk_from_document", "chunk_to_document"]
