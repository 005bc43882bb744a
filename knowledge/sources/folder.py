"""A folder of Markdown, HTML and text pages; the relative path is each page's stable key."""

from __future__ import annotations

from pathlib import Path

from knowledge.documents import LoadProblem, SourceDocument
from knowledge.parsing import PARSERS, ParseError, decode_utf8
from knowledge.sources.base import LoadResult, SourceError

MAX_FILE_BYTES = 5 * 1024 * 1024


def load_folder(folder: Path, base_url: str | None = None) -> LoadResult:
    if not folder.exists():
        raise SourceError(f"folder {folder} does not exist")
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder")
    result = LoadResult()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        parser = PARSERS.get(path.suffix.lower())
        if parser is None:
            result.problems.append(
                LoadProblem(str(path), f"unsupported file type {path.suffix or '(none)'}", key=relative)
            )
            continue
        content_type, parse = parser
        try:
            raw = path.read_bytes()
            if len(raw) > MAX_FILE_BYTES:
                raise ParseError(f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")
            title, sections = parse(decode_utf8(raw), fallback_title=_title_from_name(path))
        except (ParseError, OSError) as exc:
            result.problems.append(LoadProblem(str(path), str(exc), key=relative))
            continue
        url = f"{base_url.rstrip('/')}/{path.relative_to(folder).with_suffix('').as_posix()}" if base_url else None
        result.documents.append(
            SourceDocument(key=relative, title=title, sections=sections, url=url, content_type=content_type)
        )
    return result


def _title_from_name(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
