"""Reading published snapshots: open by date or 'latest', list, verify against the manifest, datasets."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from graph.schema import SCHEMA_VERSION
from graph.snapshot.errors import SnapshotIntegrityError, SnapshotNotFoundError
from graph.snapshot.latest import read_latest
from graph.snapshot.manifest import MANIFEST_NAME, FileEntry, Manifest, ManifestError, TableEntry
from graph.snapshot.storage import PARTITION_PREFIX, check_date, file_sha256, resolve_root
from graph.snapshot.validate import table_spec
from graph.snapshot.zipstream import stream_zip


@dataclasses.dataclass(frozen=True)
class Snapshot:
    fs: pafs.FileSystem
    base: str
    manifest: Manifest

    @property
    def date(self) -> str:
        return self.manifest.snapshot_date

    @property
    def path(self) -> str:
        return f"{self.base}/{PARTITION_PREFIX}{self.date}"

    def verify(self) -> None:
        """Raise SnapshotIntegrityError when a file is missing, extra, or differs from the manifest."""
        if self.manifest.schema_version != SCHEMA_VERSION:
            raise SnapshotIntegrityError(
                f"{self.path}/{MANIFEST_NAME}",
                f"schema version {self.manifest.schema_version}, this code reads {SCHEMA_VERSION}",
            )
        expected = {f.path: f for f in self.manifest.files()}
        selector = pafs.FileSelector(self.path, recursive=True)
        present = {
            info.path[len(self.path) + 1 :]
            for info in self.fs.get_file_info(selector)
            if info.type == pafs.FileType.File
        }
        present.discard(MANIFEST_NAME)
        for extra in sorted(present - set(expected)):
            raise SnapshotIntegrityError(f"{self.path}/{extra}", "file not in the manifest")
        for relative, entry in expected.items():
            path = f"{self.path}/{relative}"
            if relative not in present:
                raise SnapshotIntegrityError(path, "file listed in the manifest is missing")
            sha256, size = file_sha256(self.fs, path)
            if size != entry.size:
                raise SnapshotIntegrityError(path, f"size {size} bytes, manifest says {entry.size}")
            if sha256 != entry.sha256:
                raise SnapshotIntegrityError(path, f"sha256 {sha256}, manifest says {entry.sha256}")

    def dataset(self, table_name: str) -> ds.Dataset:
        spec = table_spec(table_name)
        entry = self.manifest.tables.get(table_name)
        if entry is None:
            raise SnapshotNotFoundError(f"snapshot {self.date} has no table {table_name!r}")
        paths = [f"{self.path}/{f.path}" for f in entry.files]
        return ds.dataset(paths, schema=spec.schema, format="parquet", filesystem=self.fs)

    def read_table(self, table_name: str, columns: list[str] | None = None) -> pa.Table:
        return self.dataset(table_name).to_table(columns=columns)

    def iter_batches(self, table_name: str, batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
        yield from self.dataset(table_name).to_batches(batch_size=batch_size)

    def file_entry(self, relative: str) -> FileEntry:
        """The manifest entry of a file; SnapshotNotFoundError for anything the manifest does not list."""
        for entry in self.manifest.files():
            if entry.path == relative:
                return entry
        raise SnapshotNotFoundError(f"snapshot {self.date} has no file {relative!r}")

    def iter_file(self, relative: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        entry = self.file_entry(relative)
        with self.fs.open_input_stream(f"{self.path}/{entry.path}") as stream:
            while chunk := stream.read(chunk_size):
                yield chunk

    def iter_zip(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """A zip of the snapshot (manifest + every file), streamed chunk by chunk; Parquet is stored as is."""
        return stream_zip(
            f"{PARTITION_PREFIX}{self.date}",
            (MANIFEST_NAME, self.manifest.to_json()),
            [entry.path for entry in self.manifest.files()],
            lambda relative: self.iter_file(relative, chunk_size),
        )


def _read_manifest(fs: pafs.FileSystem, base: str, snapshot_date: str) -> Manifest:
    path = f"{base}/{PARTITION_PREFIX}{snapshot_date}/{MANIFEST_NAME}"
    if fs.get_file_info(path).type != pafs.FileType.File:
        raise SnapshotNotFoundError(f"no snapshot {snapshot_date} under {base} ({path} not found)")
    with fs.open_input_stream(path) as stream:
        text = stream.read().decode("utf-8")
    try:
        manifest = Manifest.from_json(text, path)
    except ManifestError as exc:
        raise SnapshotIntegrityError(exc.path, exc.reason) from exc
    if manifest.snapshot_date != snapshot_date:
        raise SnapshotIntegrityError(
            path, f"manifest is for {manifest.snapshot_date}, folder is {snapshot_date}"
        )
    return manifest


def _snapshot_dates(fs: pafs.FileSystem, base: str) -> list[str]:
    if fs.get_file_info(base).type != pafs.FileType.Directory:
        return []
    dates = []
    for info in fs.get_file_info(pafs.FileSelector(base)):
        name = info.base_name
        if info.type == pafs.FileType.Directory and name.startswith(PARTITION_PREFIX):
            candidate = name[len(PARTITION_PREFIX) :]
            with contextlib.suppress(SnapshotNotFoundError):
                dates.append(check_date(candidate))
    return sorted(dates)


def open_snapshot(root: str | os.PathLike[str], snapshot_date: str | date = "latest") -> Snapshot:
    """A published snapshot by date, or 'latest' (the `_latest` pointer, else the newest date)."""
    fs, base = resolve_root(root)
    if snapshot_date == "latest":
        latest = read_latest(fs, base)
        if latest is None:
            dates = _snapshot_dates(fs, base)
            if not dates:
                raise SnapshotNotFoundError(f"no snapshot under {os.fspath(root)}")
            latest = dates[-1]
        snapshot_date = latest
    text = check_date(snapshot_date)
    return Snapshot(fs=fs, base=base, manifest=_read_manifest(fs, base, text))


def list_snapshots(root: str | os.PathLike[str]) -> list[Snapshot]:
    """Every published snapshot under the root, oldest first (temporary folders are ignored)."""
    fs, base = resolve_root(root)
    snapshots = []
    for snapshot_date in _snapshot_dates(fs, base):
        with contextlib.suppress(SnapshotNotFoundError):
            snapshots.append(Snapshot(fs=fs, base=base, manifest=_read_manifest(fs, base, snapshot_date)))
    return snapshots


def table_dataset(root: str | os.PathLike[str], table_name: str) -> ds.Dataset:
    """One table across every snapshot date, as a hive-partitioned dataset with a `dt` (date) column."""
    spec = table_spec(table_name)
    fs, base = resolve_root(root)
    paths = [
        f"{snapshot.path}/{entry.path}"
        for snapshot in list_snapshots(root)
        for entry in snapshot.manifest.tables.get(table_name, TableEntry(0, ())).files
    ]
    partitioning = ds.partitioning(pa.schema([("dt", pa.date32())]), flavor="hive")
    schema = pa.unify_schemas([spec.schema, pa.schema([("dt", pa.date32())])])
    return ds.dataset(
        paths,
        schema=schema,
        format="parquet",
        filesystem=fs,
        partitioning=partitioning,
        partition_base_dir=base,
    )


def snapshot_summary(snapshot: Snapshot) -> dict[str, Any]:
    """What the download page and `snapshot list` show for one snapshot."""
    manifest = snapshot.manifest
    return {
        "date": manifest.snapshot_date,
        "run_id": manifest.run_id,
        "schema_version": manifest.schema_version,
        "rows": manifest.rows,
        "size": manifest.size,
        "tables": {
            name: {"rows": t.rows, "size": t.size, "files": [f.path for f in t.files]}
            for name, t in manifest.tables.items()
        },
    }
