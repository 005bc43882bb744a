"""Evaluation runs composed from the container: the strategies it serves with (thresholds in
force included), the scripts and documents a set may name, and the set file's fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from bot.container import Container
from bot.db.models import Document, DocumentVersion
from strategies.evaluation import EvalSet, Evaluation, load_eval_set


def known_scripts(container: Container) -> set[str]:
    """Script ids the bot can follow, and the labels the active model predicts."""
    names = set(container.scripts.scripts)
    strategy = container.script_strategy
    if strategy is not None:
        names |= set(getattr(strategy.model, "labels", ()) or ())
    return names


def known_documents(container: Container) -> set[str]:
    """Keys and current titles of every active document."""
    with container.sessions() as session:
        rows = session.execute(
            select(Document.key, DocumentVersion.title)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .where(Document.status == "active", DocumentVersion.content_hash == Document.current_hash)
        ).all()
    return {key for key, _ in rows} | {title for _, title in rows}


def load_set_for(container: Container, path: Path) -> EvalSet:
    return load_eval_set(path, known_scripts(container), known_documents(container))


def evaluation_for(container: Container, threads: int | None = 1) -> Evaluation:
    """Questions are answered one at a time, as in chat. `threads` caps torch's CPU threads: a
    short message gains little from more, and on a shared CPU several threads per model call
    wait on each other (measured: 6x slower on a loaded 2-core machine)."""
    if threads:
        import torch

        torch.set_num_threads(threads)
    container.retrieval_strategy.warm_up()
    return Evaluation(container.retrieval_strategy, container.script_strategy)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
