"""Parquet snapshots: `<root>/dt=YYYY-MM-DD/<table>/part-NNNNN.parquet` + `_manifest.json` per date.

The root is a local path or any URI pyarrow understands (file://, s3://, gs://); the application takes
it from its config (`paper_graph.config`). Modules: `writer` (spilling writer, atomic publish),
`reader` (open, list, verify, datasets), `validate` (rows vs the schema), `order` (row order),
`manifest`, `latest` (the `_latest` pointer), `storage` (root, dates, digests), `zipstream`.
"""

from graph.snapshot.errors import (
    SchemaValidationError,
    SnapshotError,
    SnapshotIntegrityError,
    SnapshotNotFoundError,
)
from graph.snapshot.latest import LATEST_NAME
from graph.snapshot.manifest import MANIFEST_NAME, Manifest
from graph.snapshot.reader import Snapshot, list_snapshots, open_snapshot, snapshot_summary, table_dataset
from graph.snapshot.storage import check_date
from graph.snapshot.validate import conform, rows_to_arrow
from graph.snapshot.writer import SnapshotWriter, write_snapshot

__all__ = [
    "LATEST_NAME",
    "MANIFEST_NAME",
    "Manifest",
    "SchemaValidationError",
    "Snapshot",
    "SnapshotError",
    "SnapshotIntegrityError",
    "SnapshotNotFoundError",
    "SnapshotWriter",
    "check_date",
    "conform",
    "list_snapshots",
    "open_snapshot",
    "rows_to_arrow",
    "snapshot_summary",
    "table_dataset",
    "write_snapshot",
]
