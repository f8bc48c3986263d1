"""A snapshot as a zip, streamed chunk by chunk without a seekable file (for the download page)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def stream_zip(
    folder: str,
    manifest: tuple[str, str],
    files: Iterable[str],
    read: Callable[[str], Iterable[bytes]],
) -> Iterator[bytes]:
    """Zip `manifest` (name, text) and each relative file under `folder`; Parquet is stored as is."""
    sink = _ChunkSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(_zip_info(f"{folder}/{manifest[0]}"), manifest[1])
        yield sink.drain()
        for relative in files:
            with archive.open(_zip_info(f"{folder}/{relative}"), "w", force_zip64=True) as member:
                for chunk in read(relative):
                    member.write(chunk)
                    yield sink.drain()
    yield sink.drain()


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # no wall-clock time in the archive
    info.compress_type = zipfile.ZIP_STORED
    return info


class _ChunkSink:
    """A write-only, unseekable file for zipfile (no seek()) that hands over what was written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data
