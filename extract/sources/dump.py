"""Saved pages: a file or folder of text dumps and saved .json/.html/.xml responses, archived as they are.

Each file is archived under a name unique to its path inside the folder (`a/dup.txt` and `b/dup.txt`
never overwrite each other) and the same on every run, so a rerun replaces, never duplicates. Files
are copied in chunks and never past the fetcher's `max_bytes`: a larger one is a failed item, named.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from extract.archive import SIDECAR_SUFFIX, ArchivedResponse
from extract.errors import FetchError
from extract.parsers import SUPPORTED_SUFFIXES
from extract.sources.base import FetchContext, Outcome

_CONTENT_TYPES = {
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
}


def saved_pages(path: Path) -> Iterator[Path]:
    """The supported files of a file or folder (recursively, sorted; hidden files and sidecars skipped)."""
    if path.exists() and not path.is_dir():
        yield path  # a single file (a FIFO or device too: the reader refuses it with its reason)
        return
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such file or folder of saved pages")
    for file in sorted(path.rglob("*")):
        if (
            file.is_file()
            and file.suffix.lower() in SUPPORTED_SUFFIXES
            and not file.name.startswith(".")
            and not file.name.endswith(SIDECAR_SUFFIX)
        ):
            yield file


class Dump:
    """Copies each saved page into the archive (status 200, url = the file path)."""

    kind = "dump"

    def fetch(self, ctx: FetchContext) -> Iterator[Outcome]:
        root = ctx.config.get("path")
        if not root:
            raise ValueError(f"source {ctx.config.name}: dump needs a `path`")
        folder = ctx.archive.partition(ctx.config.name, ctx.run_date)
        location = Path(root).expanduser().resolve()
        if not location.exists():
            raise FetchError(str(location), "no such file or folder of saved pages")
        cap = ctx.fetcher.settings.max_bytes
        for file in saved_pages(location):
            try:
                info = file.stat()
            except OSError as exc:
                yield Outcome(error=FetchError(str(file), f"cannot read: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(info.st_mode):
                yield Outcome(error=FetchError(str(file), "not a regular file"))
                continue
            if info.st_size > cap:
                reason = f"file of {info.st_size} bytes exceeds the {cap}-byte limit (fetch.max_bytes)"
                yield Outcome(error=FetchError(str(file), reason))
                continue
            content_type = _CONTENT_TYPES.get(file.suffix.lower(), "text/plain; charset=utf-8")
            meta = ArchivedResponse(
                path=folder / archive_name(file, location),
                source=ctx.config.name,
                kind=self.kind,
                url=str(file),
                status=200,
                fetched_at=datetime.fromtimestamp(file.stat().st_mtime, UTC),
                sha256="",
                size=0,
                content_type=content_type,
                format=None,  # detected from the content
            )
            try:
                yield Outcome(archived=ctx.archive.store_file(file, meta, max_bytes=cap))
            except OSError as exc:
                yield Outcome(error=FetchError(str(file), f"cannot read: {exc.strerror or exc}"))


def archive_name(file: Path, root: Path) -> str:
    """A name unique to the file's path under `root`: `<slug of the relative path>.<hash><suffix>`."""
    relative = file.name if file == root else file.relative_to(root).as_posix()
    slug = re.sub(r"[^A-Za-z0-9.=-]+", "_", relative[: -len(file.suffix) or None]).strip("_.")[:80]
    digest = hashlib.sha1(relative.encode("utf-8")).hexdigest()[:10]
    return f"{slug or 'page'}.{digest}{file.suffix}"
