"""Parse archived responses and saved pages into one deduplicated list of PaperRecords.

Files are parsed one at a time and streamed into the dedupe index; a file that does not parse is
quarantined (copied with its reason under `<archive_root>/quarantine/`) and the run goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extract.archive import Archive, read_sidecar
from extract.dedupe import Deduper, Order, dedupe
from extract.errors import ParseError
from extract.jsonl import read_records_jsonl, write_records_jsonl
from extract.parsers import detect_format, parse_body
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


@dataclass(slots=True)
class FileCount:
    path: str
    format: str
    records: int
    error: str | None = None


@dataclass(slots=True)
class Quarantined:
    path: str
    reason: str
    copy: str | None = None  # where the file was copied, when an archive root was given


@dataclass
class ParseResult:
    records: list[PaperRecord]  # one per paper, after dedupe
    files: list[FileCount] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    parsed: int = 0  # records before dedupe
    duplicates: int = 0  # records merged into another

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "parsed": self.parsed,
            "papers": len(self.records),
            "duplicates": self.duplicates,
            "quarantined": len(self.quarantined),
        }


def parse_file(path: Path, *, unescape_latex: bool = False) -> list[PaperRecord]:
    """The records of one archived body or saved page; raises ParseError."""
    parsed = _parse_one(path, unescape_latex)[1]
    if isinstance(parsed, ParseError):
        raise parsed
    return parsed


def _parse_one(path: Path, unescape_latex: bool) -> tuple[str, list[PaperRecord] | ParseError]:
    try:
        body = path.read_bytes()
    except OSError as exc:
        return "?", ParseError(str(path), f"cannot read: {exc.strerror or exc}")
    meta = read_sidecar(path)
    fmt = (meta.format if meta else None) or detect_format(body)
    try:
        records = parse_body(
            body,
            meta.url if meta else str(path),
            fmt=fmt,
            source=meta.kind if meta else "dump",
            fetched_at=meta.fetched_at if meta else None,
            unescape_latex=unescape_latex,
        )
    except ParseError as exc:
        return fmt, exc
    return fmt, records


def iter_parsed_files(
    paths: Iterable[Path], *, unescape_latex: bool = False
) -> Iterator[tuple[FileCount, list[PaperRecord]]]:
    """Per file: its count line and its records (empty with `error` set when it does not parse)."""
    for path in paths:
        fmt, parsed = _parse_one(path, unescape_latex)
        if isinstance(parsed, ParseError):
            yield FileCount(str(path), fmt, 0, parsed.reason), []
        else:
            yield FileCount(str(path), fmt, len(parsed)), parsed


def parse_archived(
    paths: Iterable[PathLike],
    *,
    archive_root: PathLike | None = None,
    order: Order = "paper_id",
    unescape_latex: bool = False,
) -> ParseResult:
    """Parse archived bodies (e.g. FetchReport.paths): deduplicated records, quarantine, per-file counts.

    Pages that do not parse are copied to `<archive_root>/quarantine/` (archive_root defaults to the
    folder above `raw/` in the body's path).
    """
    return _collect((Path(p) for p in paths), archive_root, order, unescape_latex)


def parse_paths(
    paths: Iterable[PathLike],
    *,
    quarantine_root: PathLike | None = None,
    order: Order = "first_seen",
    unescape_latex: bool = False,
) -> ParseResult:
    """Parse saved pages: files or folders (searched recursively for supported files) of any format."""
    files = (file for path in paths for file in saved_pages(Path(path)))
    return _collect(files, quarantine_root, order, unescape_latex, derive_root=False)


def _collect(
    files: Iterable[Path],
    quarantine_root: PathLike | None,
    order: Order,
    unescape_latex: bool,
    derive_root: bool = True,
) -> ParseResult:
    deduper = Deduper()
    result = ParseResult(records=[])
    for count, records in iter_parsed_files(files, unescape_latex=unescape_latex):
        result.files.append(count)
        if count.error is not None:
            result.quarantined.append(
                _quarantine(Path(count.path), count.error, quarantine_root, derive_root)
            )
        for record in records:
            deduper.add(record)
    result.records = deduper.records(order)
    result.parsed, result.duplicates = deduper.added, deduper.duplicates
    return result


def _quarantine(path: Path, reason: str, root: PathLike | None, derive_root: bool) -> Quarantined:
    if root is None and derive_root:
        root = next((p.parent for p in path.resolve().parents if p.name == "raw"), None)
    if root is None:
        return Quarantined(str(path), reason)
    return Quarantined(str(path), reason, str(Archive(root).quarantine(path, reason)))
