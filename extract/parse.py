"""Parse archived responses and saved pages into one deduplicated list of PaperRecords.

Files are parsed one at a time and streamed into the dedupe index; a file that does not parse is
quarantined (copied with its reason under `<archive_root>/quarantine/`) and the run goes on. A page
some of whose entries are unusable (an item without a title) keeps its good entries: the page is
copied to the quarantine too, its reason file listing the entries left out. Files are never read
past `max_bytes` (the fetcher's cap, `[fetch] max_bytes`): a larger one is refused unread.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.archive import Archive, read_sidecar
from extract.dedupe import Deduper, Order, dedupe
from extract.errors import ParseError
from extract.fetch import FetchSettings
from extract.jsonl import read_records_jsonl, write_records_jsonl
from extract.parsers import Page, detect_format, parse_page
from extract.records import PaperRecord
from extract.sources.dump import saved_pages

__all__ = [
    "FileCount",
    "ParseError",
    "ParseResult",
    "Quarantined",
    "dedupe",
    "iter_parsed_files",
    "parse_archived",
    "parse_file",
    "parse_paths",
    "read_records_jsonl",
    "write_records_jsonl",
]

PathLike = str | os.PathLike[str]
DEFAULT_MAX_BYTES = FetchSettings.max_bytes


class UnreadFile(ParseError):
    """A file refused before reading it (not a regular file, or over the size cap): not copied."""


@dataclass(slots=True)
class FileCount:
    path: str
    format: str
    records: int
    error: str | None = None
    left_out: list[str] = field(default_factory=list)  # entries of the page that were not kept, why
    warnings: list[str] = field(default_factory=list)  # values dropped from kept records
    origin: str = ""  # the URL or saved file the body came from (path is its archived copy)


@dataclass(slots=True)
class Quarantined:
    path: str
    reason: str
    copy: str | None = None  # where the file was copied, when an archive root was given
    entries: int = 0  # > 0: only this many entries were left out, the page's other records were kept
    origin: str = ""  # the URL or saved file, when `path` is its archived copy


@dataclass
class ParseResult:
    records: list[PaperRecord]  # one per paper, after dedupe
    files: list[FileCount] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)  # whole pages: nothing of them kept
    partial: list[Quarantined] = field(default_factory=list)  # pages with some entries left out
    warnings: list[str] = field(default_factory=list)  # "<file>: <item> (<paper>): <value dropped>"
    parsed: int = 0  # records before dedupe
    duplicates: int = 0  # records merged into another

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "parsed": self.parsed,
            "papers": len(self.records),
            "duplicates": self.duplicates,
            "quarantined": len(self.quarantined),
            "quarantined_entries": sum(q.entries for q in self.partial),
            "warnings": len(self.warnings),
        }

    def quarantine_report(self) -> dict[str, Any]:
        """Everything left out, as JSON: whole pages, partly kept pages (with their entries), warnings."""
        return {
            "quarantined": len(self.quarantined),
            "quarantined_entries": sum(q.entries for q in self.partial),
            "pages": [dataclasses.asdict(q) for q in self.quarantined],
            "partial_pages": [dataclasses.asdict(q) for q in self.partial],
            "warnings": self.warnings,
        }

    def quarantine_lines(self, limit: int | None = None) -> list[str]:
        """One line per quarantined page or partly kept page (the first `limit`), with reason and copy."""
        lines = []
        left_out = sorted([*self.quarantined, *self.partial], key=lambda q: q.origin or q.path)
        for q in left_out[:limit]:
            what = (
                "" if q.entries else "page quarantined: "
            )  # a partial reason says "2 of 9 entries left out"
            where = f" (copy: {q.copy})" if q.copy else ""
            lines.append(f"{q.origin or q.path}: {what}{q.reason}{where}")
        return lines


def parse_file(
    path: Path, *, unescape_latex: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[PaperRecord]:
    """The records of one archived body or saved page; raises ParseError."""
    parsed = _parse_one(path, unescape_latex, max_bytes)[2]
    if isinstance(parsed, ParseError):
        raise parsed
    return parsed.records


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; raises UnreadFile before reading otherwise."""
    try:
        info = path.stat()
    except OSError as exc:
        raise UnreadFile(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise UnreadFile(str(path), f"not a regular file ({_file_kind(info.st_mode)})")
    if info.st_size > max_bytes:
        raise UnreadFile(str(path), f"file of {info.st_size} bytes exceeds the {max_bytes}-byte limit")
    try:
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadFile(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if len(body) > max_bytes:  # grew since stat
        raise UnreadFile(str(path), f"file exceeds the {max_bytes}-byte limit")
    return body


def _file_kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a character device"}
    return next((name for test, name in kinds.items() if test(mode)), "a special file")


def _parse_one(path: Path, unescape_latex: bool, max_bytes: int) -> tuple[str, str, Page | ParseError]:
    """(format, origin: the URL or saved file the body came from, the page or why it failed)."""
    meta = read_sidecar(path)
    origin = meta.url if meta else str(path)
    try:
        body = read_capped(path, max_bytes)
    except UnreadFile as exc:
        return "?", origin, exc
    fmt = (meta.format if meta else None) or detect_format(body)
    try:
        page = parse_page(
            body,
            origin,
            fmt=fmt,
            source=meta.kind if meta else "dump",
            fetched_at=meta.fetched_at if meta else None,
            unescape_latex=unescape_latex,
        )
    except ParseError as exc:
        return fmt, origin, exc
    return fmt, origin, page


def iter_parsed_files(
    paths: Iterable[Path], *, unescape_latex: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[FileCount, list[PaperRecord]]]:
    """Per file: its count line and its records (empty with `error` set when it does not parse)."""
    for path in paths:
        fmt, origin, parsed = _parse_one(path, unescape_latex, max_bytes)
        if isinstance(parsed, ParseError):
            yield FileCount(str(path), fmt, 0, parsed.reason, origin=origin), []
        else:
            count = FileCount(
                str(path), fmt, len(parsed.records), None, parsed.rejected, parsed.warnings, origin
            )
            yield count, parsed.records


def parse_archived(
    paths: Iterable[PathLike],
    *,
    archive_root: PathLike | None = None,
    order: Order = "paper_id",
    unescape_latex: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParseResult:
    """Parse archived bodies (e.g. FetchReport.paths): deduplicated records, quarantine, per-file counts.

    Pages that do not parse are copied to `<archive_root>/quarantine/` (archive_root defaults to the
    folder above `raw/` in the body's path).
    """
    return _collect((Path(p) for p in paths), archive_root, order, unescape_latex, max_bytes)


def parse_paths(
    paths: Iterable[PathLike],
    *,
    quarantine_root: PathLike | None = None,
    order: Order = "first_seen",
    unescape_latex: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParseResult:
    """Parse saved pages: files or folders (searched recursively for supported files) of any format."""
    files = (file for path in paths for file in saved_pages(Path(path)))
    return _collect(files, quarantine_root, order, unescape_latex, max_bytes, derive_root=False)


def _collect(
    files: Iterable[Path],
    quarantine_root: PathLike | None,
    order: Order,
    unescape_latex: bool,
    max_bytes: int,
    derive_root: bool = True,
) -> ParseResult:
    deduper = Deduper()
    result = ParseResult(records=[])
    for count, records in iter_parsed_files(files, unescape_latex=unescape_latex, max_bytes=max_bytes):
        result.files.append(count)
        path = Path(count.path)
        if count.error is not None:
            copy = not (path.is_file() and path.stat().st_size > max_bytes)
            quarantined = _quarantine(path, count.error, quarantine_root, derive_root, copy=copy)
            quarantined.origin = count.origin if count.origin != count.path else ""
            result.quarantined.append(quarantined)
        elif count.left_out:
            shown = "; ".join(count.left_out[:3]) + ("; ..." if len(count.left_out) > 3 else "")
            total = len(count.left_out) + count.records
            reason = f"{len(count.left_out)} of {total} entries left out: {shown}"
            quarantined = _quarantine(path, reason, quarantine_root, derive_root, entries=count.left_out)
            quarantined.entries = len(count.left_out)
            quarantined.origin = count.origin if count.origin != count.path else ""
            result.partial.append(quarantined)
        result.warnings += [f"{count.origin or count.path}: {warning}" for warning in count.warnings]
        for record in records:
            deduper.add(record)
    result.records = deduper.records(order)
    result.parsed, result.duplicates = deduper.added, deduper.duplicates
    return result


def _quarantine(
    path: Path,
    reason: str,
    root: PathLike | None,
    derive_root: bool,
    *,
    copy: bool = True,
    entries: list[str] | None = None,
) -> Quarantined:
    if root is None and derive_root:
        root = next((p.parent for p in path.resolve().parents if p.name == "raw"), None)
    if root is None:
        return Quarantined(str(path), reason)
    stored = Archive(root).quarantine(path, reason, copy=copy, entries=entries)
    return Quarantined(str(path), reason, str(stored))
