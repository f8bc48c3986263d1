"""Saved pages: a file or folder of text dumps and saved .json/.html/.xml responses, archived as they are."""

from __future__ import annotations

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
    if path.is_file():
        yield path
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
        for file in saved_pages(location):
            body = file.read_bytes()
            content_type = _CONTENT_TYPES.get(file.suffix.lower(), "text/plain; charset=utf-8")
            meta = ArchivedResponse(
                path=folder / file.name,
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
            yield Outcome(archived=ctx.archive.store_bytes(body, meta))
