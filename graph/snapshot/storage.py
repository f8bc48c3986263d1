"""Where snapshots live: a storage root (local path or URI), date-named partitions, file digests."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date

import pyarrow.fs as pafs

from graph.snapshot.errors import SnapshotNotFoundError

PARTITION_PREFIX = "dt="
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def resolve_root(root: str | os.PathLike[str]) -> tuple[pafs.FileSystem, str]:
    """(filesystem, path inside it) of a storage root: a local path or a URI (file://, s3://, gs://)."""
    text = os.fspath(root)
    if "://" in text:
        return pafs.FileSystem.from_uri(text)
    return pafs.LocalFileSystem(), os.path.abspath(text)


def check_date(snapshot_date: str | date) -> str:
    """The ISO date string, or SnapshotNotFoundError for anything else (e.g. '../x')."""
    text = snapshot_date.isoformat() if isinstance(snapshot_date, date) else str(snapshot_date)
    if not _DATE_RE.match(text):
        raise SnapshotNotFoundError(f"not a snapshot date (YYYY-MM-DD): {text!r}")
    try:
        date.fromisoformat(text)
    except ValueError as exc:
        raise SnapshotNotFoundError(f"not a snapshot date: {text!r}") from exc
    return text


def file_sha256(fs: pafs.FileSystem, path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with fs.open_input_stream(path) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
