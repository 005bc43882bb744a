"""Incremental sync decided by content hash: what to add, re-version, skip and retire."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.documents import LoadProblem, SourceDocument


@dataclass
class SyncPlan:
    added: list[SourceDocument] = field(default_factory=list)
    changed: list[SourceDocument] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_despite_problems: list[str] = field(default_factory=list)


def plan_sync(
    current_hashes: dict[str, str],
    documents: list[SourceDocument],
    problems: list[LoadProblem],
    unchanged_keys: Iterable[str] = (),
) -> SyncPlan:
    """`current_hashes` maps each active document key to its current content hash.

    `unchanged_keys` are documents the source says did not change without sending them again
    (HTTP 304, not updated since the cursor): they count as unchanged, never as removed. Keys
    with no stored version are ignored: there is nothing to keep.

    A document that failed to load this time is never retired: its previous version keeps
    serving. A problem that cannot be tied to one document (say, a whole FAQ file that no
    longer parses) blocks every retirement in this run, for the same reason.
    """
    plan = SyncPlan()
    seen = set()
    for document in documents:
        seen.add(document.key)
        previous = current_hashes.get(document.key)
        if previous is None:
            plan.added.append(document)
        elif previous != document.content_hash:
            plan.changed.append(document)
        else:
            plan.unchanged.append(document.key)
    for key in unchanged_keys:
        if key in current_hashes and key not in seen:
            seen.add(key)
            plan.unchanged.append(key)
    problem_keys = {p.key for p in problems}
    retire_nothing = None in problem_keys
    for key in sorted(set(current_hashes) - seen):
        if retire_nothing or key in problem_keys:
            plan.kept_despite_problems.append(key)
        else:
            plan.removed.append(key)
    return plan
