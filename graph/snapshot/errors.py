"""The snapshot errors: not found, integrity (files vs manifest), schema validation."""

from __future__ import annotations


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
