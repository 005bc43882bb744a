"""Syncs a benchmark corpus through the bot's own sync service and hands out its retriever.

Each corpus gets its own supportbot home (SQLite database and embedded index) in a temp dir,
a folder source, a first sync and an unchanged re-sync, exactly as `supportbot sync` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from haystack import Document

from benchmarks.retrieval_data import Corpus
from bot.container import Container
from bot.settings import Settings

SOURCE = "bench"


@dataclass
class SyncedCorpus:
    home: Path
    container: Container
    figures: dict

    def chunk_documents(self) -> list[Document]:
        """The indexed chunks, without embeddings (for a keyword-only baseline)."""
        stored = self.container.index.document_store.filter_documents()
        return [Document(id=d.id, content=d.content, meta=d.meta) for d in stored]


def sync_corpus(corpus: Corpus, workdir: Path, **settings) -> SyncedCorpus:
    """`settings` override the defaults, e.g. `retrieval_top_k` (enough fused chunks per
    question to rank ten distinct pages)."""
    folder = corpus.write(workdir / "pages")
    home = workdir / "home"
    container = Container(Settings(home=home, **settings))
    container.init_db()
    container.sources.add(SOURCE, kind="folder", location=str(folder))
    container.indexer.warm_up()  # loading the model is start-up cost, not sync throughput
    figures: dict = {"documents": len(corpus.pages)}
    for run in ("first", "resync"):
        report = container.sync_service.sync(SOURCE)
        if report.status != "succeeded" or report.failed:
            raise RuntimeError(f"sync of {corpus.name} failed: {report.error or report.problems[:3]}")
        figures[run] = {
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "seconds": round(report.seconds, 2),
            "docs_per_s": round(len(corpus.pages) / max(report.seconds, 1e-6), 1),
        }
    figures["chunks"] = container.index.count()
    container.retriever.warm_up()
    return SyncedCorpus(home=home, container=container, figures=figures)
