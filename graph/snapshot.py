"""Parquet snapshots: `<root>/dt=YYYY-MM-DD/<table>/part-NNNNN.parquet` + `_manifest.json` per date.

Writing (`SnapshotWriter`) streams batches into uncompressed Arrow IPC spill files, one per table; at
commit each table in turn is memory-mapped, ordered by its sort keys (then every other column, so ties
cannot depend on input order) and written as zstd Parquet with fixed row-group and file sizes. Same
input -> byte-identical files. Everything is written into a hidden temporary folder next to the
snapshot and renamed into place, so readers never see a partial snapshot.

The root is a local path or any URI pyarrow understands (file://, s3://, gs://).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import hashlib
import itertools
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from graph.manifest import MANIFEST_NAME, FileEntry, Manifest, ManifestError, TableEntry
from graph.schema import SCHEMA_VERSION, TABLES, Table

LATEST_NAME = "_latest"  # '_' prefix: pyarrow/DuckDB dataset discovery skips it, like _manifest.json
DEFAULT_ROOT_ENV = "PAPER_GRAPH_SNAPSHOTS"
DEFAULT_ROOT = "var/snapshots"
PARTITION_PREFIX = "dt="
ROWS_PER_FILE = 1_000_000
ROWS_PER_ROW_GROUP = 100_000
SPILL_ROWS = 50_000
ZSTD_LEVEL = 3
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SnapshotError(Exception):
    """Base of every snapshot error."""


class SnapshotNotFoundError(SnapshotError, LookupError):
    """No snapshot (or file of a snapshot) by that name; also raised for names that are not valid."""


class SnapshotIntegrityError(SnapshotError):
    """A snapshot's files do not match its manifest (names the file and the reason)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SchemaValidationError(SnapshotError, ValueError):
    """Rows that do not fit a table's schema (names the table and the column)."""

    def __init__(self, table: str, column: str | None, reason: str) -> None:
        where = f"{table}.{column}" if column else table
        super().__init__(f"table {where}: {reason}")
        self.table = table
        self.column = column
        self.reason = reason


def default_root() -> str:
    return os.environ.get(DEFAULT_ROOT_ENV) or DEFAULT_ROOT


def writer_version() -> str:
    try:
        own = version("paper-graph")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        own = "unknown"
    return f"paper-graph {own}; pyarrow {pa.__version__}"


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


def table_spec(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise SnapshotNotFoundError(f"unknown table {name!r}; tables: {', '.join(TABLES)}") from None


# --- validation -------------------------------------------------------------------------------------

Rows = Iterable[Mapping[str, Any] | Any]
Data = pa.Table | pa.RecordBatch | Rows


def _value_getter(row: Any) -> Callable[[str], Any]:
    if isinstance(row, Mapping):
        return row.get
    if dataclasses.is_dataclass(row):
        return lambda name: getattr(row, name, None)
    raise TypeError(f"a row must be a mapping or a dataclass, got {type(row).__name__}")


def _check_nulls(table_name: str, field: pa.Field, column: pa.Array | pa.ChunkedArray) -> None:
    if not field.nullable and column.null_count:
        raise SchemaValidationError(
            table_name, field.name, f"{column.null_count} null value(s) in a required column"
        )


def rows_to_arrow(table_name: str, rows: list[Any]) -> pa.Table:
    """Rows (mappings or dataclasses) -> a table of exactly the table's schema, or SchemaValidationError."""
    schema = table_spec(table_name).schema
    known = set(schema.names)
    for row in rows:
        if isinstance(row, Mapping) and not known.issuperset(row):
            extra = sorted(set(row) - known)
            raise SchemaValidationError(table_name, extra[0], "column not in the schema")
    getters = [_value_getter(row) for row in rows]
    arrays = []
    for field in schema:
        values = [get(field.name) for get in getters]
        try:
            array = pa.array(values, type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
            raise SchemaValidationError(table_name, field.name, f"expected {field.type}: {exc}") from exc
        _check_nulls(table_name, field, array)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def conform(table_name: str, data: pa.Table | pa.RecordBatch) -> pa.Table:
    """An Arrow table/batch cast to the table's schema or SchemaValidationError SchemaValidationError."""
    schema = table_spec(table_name).schema
    table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
    missing = [name for name in schema.names if name not in table.column_names]
    extra = [name for name in table.column_names if name not in schema.names]
    if missing:
        raise SchemaValidationError(table_name, missing[0], "column missing")
    if extra:
        raise SchemaValidationError(table_name, extra[0], "column not in the schema")
    columns = []
    for field in schema:
        column = table.column(field.name)
        if column.type != field.type:
            try:
                column = column.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise SchemaValidationError(
                    table_name,
                    field.name,
                    f"expected {field.type}, got {table.column(field.name).type}: {exc}",
                ) from exc
        _check_nulls(table_name, field, column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --- ordering ---------------------------------------------------------------------------------------


def _order_keys(table: Table, data: pa.Table) -> tuple[pa.Table, list[tuple[str, str]]]:
    """Columns to sort by: the sort keys, then every other column, so equal keys still sort the same way."""
    columns: dict[str, pa.ChunkedArray] = {}
    for name in (*table.sort_keys, *(n for n in table.schema.names if n not in table.sort_keys)):
        column = data.column(name)
        if pa.types.is_list(column.type):
            if not pa.types.is_string(column.type.value_type):
                continue
            column = pc.binary_join(column, "\x1f")
        columns[name] = column
    return pa.table(columns), [(name, "ascending") for name in columns]


def sorted_indices(table: Table, data: pa.Table) -> pa.Array:
    keys, sort_keys = _order_keys(table, data)
    if keys.num_rows == 0:
        return pa.array([], pa.uint64())
    return pc.sort_indices(keys, sort_keys=sort_keys)  # nulls last


# --- writing ----------------------------------------------------------------------------------------


def _file_schema(table: Table) -> pa.Schema:
    metadata = {**(table.schema.metadata or {}), b"paper_graph.table": table.name.encode()}
    metadata[b"paper_graph.schema_version"] = SCHEMA_VERSION.encode()
    return table.schema.with_metadata(metadata)


def _sha256(fs: pafs.FileSystem, path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with fs.open_input_stream(path) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _exchange_dirs(a: str, b: str) -> bool:
    """Atomically swap two local directories (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


class SnapshotWriter:
    """Writes one snapshot date. Feed it batches, then `commit()`; leaving the block uncommitted aborts.

    >>> with SnapshotWriter(root, "2024-08-01", run_id) as writer:
    ...     writer.write("papers", paper_rows)
    ...     manifest = writer.commit()
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        snapshot_date: str | date,
        run_id: str,
        *,
        rows_per_file: int = ROWS_PER_FILE,
        rows_per_row_group: int = ROWS_PER_ROW_GROUP,
        spill_rows: int = SPILL_ROWS,
        on_table_written: Callable[[str, TableEntry], None] | None = None,
    ) -> None:
        self.root = os.fspath(root)
        self.fs, self.base = resolve_root(root)
        self.snapshot_date = check_date(snapshot_date)
        self.run_id = run_id
        self.rows_per_file = rows_per_file
        self.rows_per_row_group = min(rows_per_row_group, rows_per_file)
        self.spill_rows = spill_rows
        self.on_table_written = on_table_written
        token = secrets.token_hex(6)  # only in folder names, never inside a file
        self.final_dir = f"{self.base}/{PARTITION_PREFIX}{self.snapshot_date}"
        self.tmp_dir = f"{self.base}/.tmp-{PARTITION_PREFIX}{self.snapshot_date}-{token}"
        self._spill_dir: Path | None = None
        self._spill_writers: dict[str, pa.ipc.RecordBatchFileWriter] = {}
        self._spill_sinks: dict[str, pa.NativeFile] = {}
        self._buffers: dict[str, list[pa.Table]] = {}
        self._buffered_rows: dict[str, int] = {}
        self._state = "new"

    # context manager: an exception or a missing commit() removes everything written so far
    def __enter__(self) -> SnapshotWriter:
        self.fs.create_dir(self.tmp_dir, recursive=True)
        if isinstance(self.fs, pafs.LocalFileSystem):
            self._spill_dir = Path(self.tmp_dir) / ".spill"
            self._spill_dir.mkdir()
        else:  # spill files are memory-mapped: keep them on a local disk
            self._spill_dir = Path(tempfile.mkdtemp(prefix="paper-graph-spill-"))
        self._state = "open"
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._state != "committed":
            self.abort()

    def write(self, table_name: str, data: Data) -> int:
        """Validate and buffer rows for a table (rows, a pa.Table or a RecordBatch); returns the row count."""
        if self._state != "open":
            raise SnapshotError(f"writer for {self.snapshot_date} is {self._state}, not open")
        table_spec(table_name)
        if isinstance(data, pa.Table | pa.RecordBatch):
            return self._buffer(table_name, conform(table_name, data))
        return sum(
            self._buffer(table_name, rows_to_arrow(table_name, chunk)) for chunk in _batched(data, 10_000)
        )

    def _buffer(self, table_name: str, table: pa.Table) -> int:
        self._buffers.setdefault(table_name, []).append(table)
        self._buffered_rows[table_name] = self._buffered_rows.get(table_name, 0) + table.num_rows
        if self._buffered_rows[table_name] >= self.spill_rows:
            self._spill(table_name)
        return table.num_rows

    def _spill(self, table_name: str) -> None:
        buffered = self._buffers.pop(table_name, [])
        self._buffered_rows[table_name] = 0
        if not buffered:
            return
        if table_name not in self._spill_writers:
            assert self._spill_dir is not None
            sink = pa.OSFile(str(self._spill_dir / f"{table_name}.arrow"), "wb")
            self._spill_sinks[table_name] = sink
            self._spill_writers[table_name] = pa.ipc.new_file(sink, table_spec(table_name).schema)
        self._spill_writers[table_name].write_table(pa.concat_tables(buffered))

    def commit(self) -> Manifest:
        """Sort and write each table in turn, then the manifest; rename into place; move `_latest`."""
        if self._state != "open":
            raise SnapshotError(f"writer for {self.snapshot_date} is {self._state}, not open")
        for name in TABLES:
            self._spill(name)
        for writer in self._spill_writers.values():
            writer.close()
        for sink in self._spill_sinks.values():
            sink.close()
        tables: dict[str, TableEntry] = {}
        for name, spec in TABLES.items():
            tables[name] = self._write_table(spec)
            if self.on_table_written:
                self.on_table_written(name, tables[name])
        self._remove_spill()
        manifest = Manifest(
            snapshot_date=self.snapshot_date,
            schema_version=SCHEMA_VERSION,
            run_id=self.run_id,
            writer_version=writer_version(),
            tables=tables,
        )
        with self.fs.open_output_stream(f"{self.tmp_dir}/{MANIFEST_NAME}") as out:
            out.write(manifest.to_json().encode())
        self._publish()
        self._state = "committed"
        _update_latest(self.fs, self.base, self.snapshot_date)
        return manifest

    def _read_spill(self, spec: Table) -> pa.Table:
        assert self._spill_dir is not None
        path = self._spill_dir / f"{spec.name}.arrow"
        if not path.exists():
            return spec.schema.empty_table()
        # memory-mapped: the rows stay in the page cache, only the sorted chunk being written is copied
        return pa.ipc.open_file(pa.memory_map(str(path))).read_all()

    def _write_table(self, spec: Table) -> TableEntry:
        data = self._read_spill(spec)
        order = sorted_indices(spec, data)
        self.fs.create_dir(f"{self.tmp_dir}/{spec.name}", recursive=True)
        files = []
        starts = range(0, data.num_rows, self.rows_per_file) if data.num_rows else [0]
        for part, start in enumerate(starts):
            relative = f"{spec.name}/part-{part:05d}.parquet"
            path = f"{self.tmp_dir}/{relative}"
            stop = min(start + self.rows_per_file, data.num_rows)
            with pq.ParquetWriter(
                path,
                _file_schema(spec),
                filesystem=self.fs,
                compression="zstd",
                compression_level=ZSTD_LEVEL,
                use_dictionary=True,
                write_statistics=True,
            ) as writer:
                for chunk_start in range(start, stop, self.rows_per_row_group):
                    chunk_stop = min(chunk_start + self.rows_per_row_group, stop)
                    chunk = data.take(order[chunk_start:chunk_stop])
                    writer.write_table(chunk, row_group_size=self.rows_per_row_group)
            sha256, size = _sha256(self.fs, path)
            files.append(FileEntry(path=relative, rows=stop - start, size=size, sha256=sha256))
        return TableEntry(rows=data.num_rows, files=tuple(files))

    def _remove_spill(self) -> None:
        if self._spill_dir is not None and self._spill_dir.exists():
            shutil.rmtree(self._spill_dir)
        self._spill_dir = None

    def _publish(self) -> None:
        """Rename the finished folder into place, replacing an older snapshot of the same date."""
        exists = self.fs.get_file_info(self.final_dir).type == pafs.FileType.Directory
        if not exists:
            self.fs.move(self.tmp_dir, self.final_dir)
            return
        local = isinstance(self.fs, pafs.LocalFileSystem)
        if local and _exchange_dirs(self.tmp_dir, self.final_dir):
            self.fs.delete_dir(self.tmp_dir)  # now holds the replaced snapshot
            return
        # Fallback: two renames (a moment with no snapshot of this date, never a partial one). On object
        # stores (s3://, gs://) a "rename" is a copy + delete per object and is not atomic at all: readers
        # must go through _manifest.json (written last) and verify().
        old_dir = self.tmp_dir.replace("/.tmp-", "/.old-", 1)
        self.fs.move(self.final_dir, old_dir)
        self.fs.move(self.tmp_dir, self.final_dir)
        self.fs.delete_dir(old_dir)

    def abort(self) -> None:
        """Drop everything written by this writer; the published snapshots are untouched."""
        for writer in self._spill_writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        for sink in self._spill_sinks.values():
            with contextlib.suppress(Exception):
                sink.close()
        self._remove_spill()
        if self.fs.get_file_info(self.tmp_dir).type == pafs.FileType.Directory:
            self.fs.delete_dir(self.tmp_dir)
        self._state = "aborted"


def _update_latest(fs: pafs.FileSystem, base: str, snapshot_date: str) -> None:
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


def write_snapshot(
    root: str | os.PathLike[str], snapshot_date: str | date, run_id: str, tables: Mapping[str, Data]
) -> Manifest:
    """One-shot helper: write every given table and commit."""
    with SnapshotWriter(root, snapshot_date, run_id) as writer:
        for name, data in tables.items():
            writer.write(name, data)
        return writer.commit()


# --- reading ----------------------------------------------------------------------------------------


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
            sha256, size = _sha256(self.fs, path)
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
        sink = _ChunkSink()
        folder = f"{PARTITION_PREFIX}{self.date}"
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            archive.writestr(_zip_info(f"{folder}/{MANIFEST_NAME}"), self.manifest.to_json())
            yield sink.drain()
            for entry in self.manifest.files():
                with archive.open(_zip_info(f"{folder}/{entry.path}"), "w", force_zip64=True) as member:
                    for chunk in self.iter_file(entry.path, chunk_size):
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


__all__ = [
    "LATEST_NAME",
    "Manifest",
    "SchemaValidationError",
    "Snapshot",
    "SnapshotError",
    "SnapshotIntegrityError",
    "SnapshotNotFoundError",
    "SnapshotWriter",
    "check_date",
    "conform",
    "default_root",
    "list_snapshots",
    "open_snapshot",
    "rows_to_arrow",
    "snapshot_summary",
    "table_dataset",
    "write_snapshot",
]
