"""Source connectors: each reads one kind of source into `SourceDocument`s plus the
problems it met. A missing source raises `SourceError`; a bad file is a `LoadProblem`."""

from knowledge.sources.base import LoadResult, SourceError, load_source

__all__ = ["LoadResult", "SourceError", "load_source"]
