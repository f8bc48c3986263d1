"""The `_latest` pointer: a small file naming the newest snapshot date, replaced by a rename."""

from __future__ import annotations

import secrets

import pyarrow.fs as pafs

LATEST_NAME = "_latest"  # '_' prefix: pyarrow/DuckDB dataset discovery skips it, like _manifest.json


def update_latest(fs: pafs.FileSystem, base: str, snapshot_date: str) -> None:
    """Point `_latest` at the newest date (write a temporary file, then rename over the pointer)."""
    current = read_latest(fs, base)
    if current is not None and current > snapshot_date:
        return
    tmp = f"{base}/.latest-{secrets.token_hex(6)}"
    with fs.open_output_stream(tmp) as out:
        out.write(f"{snapshot_date}\n".encode())
    fs.move(tmp, f"{base}/{LATEST_NAME}")


def read_latest(fs: pafs.FileSystem, base: str) -> str | None:
    path = f"{base}/{LATEST_NAME}"
    if fs.get_file_info(path).type != pafs.FileType.File:
        return None
    with fs.open_input_stream(path) as stream:
        return stream.read().decode().strip() or None
