"""The spilling snapshot writer with its atomic publish.

Batches stream into uncompressed Arrow IPC spill files, one per table; at commit each table in turn is
memory-mapped, ordered (`graph.snapshot.order`) and written as zstd Parquet with fixed row-group and
file sizes. Same input -> byte-identical files. Everything is written into a hidden temporary folder
next to the snapshot and renamed into place, so readers never see a partial snapshot.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import itertools
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from graph.schema import SCHEMA_VERSION, TABLES, Table
from graph.snapshot.errors import SnapshotError
from graph.snapshot.latest import update_latest
from graph.snapshot.manifest import MANIFEST_NAME, FileEntry, Manifest, TableEntry
from graph.snapshot.order import sorted_indices
from graph.snapshot.storage import PARTITION_PREFIX, check_date, file_sha256, resolve_root
from graph.snapshot.validate import Data, conform, rows_to_arrow, table_spec

ROWS_PER_FILE = 1_000_000
ROWS_PER_ROW_GROUP = 100_000
SPILL_ROWS = 50_000
ZSTD_LEVEL = 3
WRITER_THREADS = 4  # tables written at once at commit (at most the machine's cores)


def writer_version() -> str:
    try:
        own = version("paper-graph")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        own = "unknown"
    return f"paper-graph {own}; pyarrow {pa.__version__}"


def _batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _file_schema(table: Table) -> pa.Schema:
    metadata = {**(table.schema.metadata or {}), b"paper_graph.table": table.name.encode()}
    metadata[b"paper_graph.schema_version"] = SCHEMA_VERSION.encode()
    return table.schema.with_metadata(metadata)


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
        # one table per thread (sorting, encoding, compression and hashing run in Arrow, without the
        # GIL); each file's bytes are the same whichever thread writes it
        with ThreadPoolExecutor(max_workers=min(WRITER_THREADS, os.cpu_count() or 1)) as pool:
            written = {name: pool.submit(self._write_table, spec) for name, spec in TABLES.items()}
            for name, future in written.items():
                tables[name] = future.result()
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
        update_latest(self.fs, self.base, self.snapshot_date)
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
            sha256, size = file_sha256(self.fs, path)
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


def write_snapshot(
    root: str | os.PathLike[str], snapshot_date: str | date, run_id: str, tables: Mapping[str, Data]
) -> Manifest:
    """One-shot helper: write every given table and commit."""
    with SnapshotWriter(root, snapshot_date, run_id) as writer:
        for name, data in tables.items():
            writer.write(name, data)
        return writer.commit()
