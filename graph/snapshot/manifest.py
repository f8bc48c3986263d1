"""`_manifest.json`: what a snapshot holds (row counts, schema version, sha256 and size of every file).

The manifest names the run that wrote it (`run_id`, which for an Airflow run contains the time the
run was created) and carries no other wall-clock time. Rerunning a date on the same input therefore
gives byte-identical Parquet files and a manifest that differs only in `run_id`; `content_sha256`
is the sha256 of the manifest without `run_id` (and without itself), so it is identical across
reruns and changes exactly when the data, the schema version or the writer version change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

MANIFEST_NAME = "_manifest.json"
MANIFEST_FORMAT = "paper-graph-snapshot/1"
RUN_FIELDS = frozenset({"run_id"})  # the only fields that differ between reruns of the same data


class ManifestError(ValueError):
    """A manifest that cannot be parsed (names the file and the reason)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the snapshot folder, e.g. "papers/part-00000.parquet"
    rows: int
    size: int
    sha256: str


@dataclass(frozen=True)
class TableEntry:
    rows: int
    files: tuple[FileEntry, ...]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class Manifest:
    snapshot_date: str
    schema_version: str
    run_id: str
    writer_version: str
    tables: dict[str, TableEntry] = field(default_factory=dict)
    format: str = MANIFEST_FORMAT

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def size(self) -> int:
        return sum(t.size for t in self.tables.values())

    def files(self) -> list[FileEntry]:
        return [f for table in self.tables.values() for f in table.files]

    @property
    def content_sha256(self) -> str:
        """sha256 of the manifest's content without `run_id`: the same for every rerun of the same data."""
        content = {k: v for k, v in asdict(self).items() if k not in RUN_FIELDS}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "content_sha256": self.content_sha256}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, path: str) -> Manifest:
        try:
            data = json.loads(text)
            if data.get("format") != MANIFEST_FORMAT:
                raise ManifestError(path, f"unknown manifest format {data.get('format')!r}")
            tables = {
                name: TableEntry(rows=int(t["rows"]), files=tuple(FileEntry(**f) for f in t["files"]))
                for name, t in data["tables"].items()
            }
            manifest = cls(
                snapshot_date=data["snapshot_date"],
                schema_version=data["schema_version"],
                run_id=data["run_id"],
                writer_version=data["writer_version"],
                tables=tables,
            )
            declared = data.get("content_sha256")  # absent in manifests written before it existed
            if declared is not None and declared != manifest.content_sha256:
                raise ManifestError(path, "content_sha256 does not match the manifest's content")
            return manifest
        except ManifestError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(path, f"invalid manifest: {exc!r}") from exc
