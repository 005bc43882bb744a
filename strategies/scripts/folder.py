"""The scripts a running bot follows, as their files say now. Each look compares the folder's
files (names and contents: a dozen small files) with the last load and loads the folder again
when one changed, so an edited message, a new script or a removed one takes effect without a restart.

An edit that gives a file serving scripts a problem it did not have (a half-saved file, a step
that points nowhere), or that leaves no script at all, is not taken: the scripts in force stay
as they were, and the problem is logged once, until the file is fixed."""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from strategies.scripts.loader import ScriptSet, load_scripts, script_files

log = logging.getLogger(__name__)


def folder_fingerprint(folder: Path) -> str:
    """Changes whenever a script file under `folder` is added, removed or changed."""
    digest = hashlib.sha256()
    try:
        files = script_files(folder) if folder.is_dir() else []
        for path in files:
            digest.update(f"{path.relative_to(folder)}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError as exc:  # a file removed while we looked: the next look sees the folder settled
        digest.update(f"unreadable: {exc}".encode())
    return digest.hexdigest()[:16]


class ScriptFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._loaded_from: str | None = None  # the fingerprint last looked at, taken or not
        self._scripts = ScriptSet()

    def fingerprint(self) -> str:
        return folder_fingerprint(self.folder)

    def current(self) -> ScriptSet:
        fingerprint = self.fingerprint()
        with self._lock:
            if fingerprint != self._loaded_from:
                first = self._loaded_from is None
                self._take(load_scripts(self.folder), first)
                self._loaded_from = fingerprint
            return self._scripts

    def _take(self, loaded: ScriptSet, first: bool) -> None:
        if first:
            for problem in loaded.problems:
                log.warning("script problem: %s", problem)
            self._scripts = loaded
            return
        broken = _newly_broken(self._scripts, loaded)
        if broken:
            problems = "; ".join(str(p) for p in loaded.problems if p.path in broken)
            log.error("script files changed, but %s now have problems, so the scripts in force stay as they were "
                      "until they are fixed: %s", ", ".join(sorted(broken)), problems)
            return
        for problem in loaded.problems:
            log.warning("script problem: %s", problem)
        log.info("script files changed: now following %d scripts (%s)", len(loaded.scripts), ", ".join(sorted(loaded.scripts)))
        self._scripts = loaded


def _newly_broken(serving: ScriptSet, loaded: ScriptSet) -> set[str]:
    """Files that serve scripts now and have a problem in `loaded` they did not have before (or the
    folder, when it has no scripts left at all: moved away or emptied mid-deploy)."""
    if serving.scripts and not loaded.scripts:
        return {p.path for p in loaded.problems} or {"the scripts folder"}
    serving_files = {where.rsplit(":", 1)[0] for where in serving.files.values()}
    known = {p.path for p in serving.problems}
    return {p.path for p in loaded.problems if p.path in serving_files and p.path not in known}
