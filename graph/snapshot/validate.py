"""Rows and Arrow data checked and cast against the table schemas of `graph.schema`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyarrow as pa

from graph.schema import TABLES, Table
from graph.snapshot.errors import SchemaValidationError, SnapshotNotFoundError


def table_spec(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise SnapshotNotFoundError(f"unknown table {name!r}; tables: {', '.join(TABLES)}") from None


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
