"""The row order of a snapshot table: its sort keys, then every other column (no input-order ties)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from graph.schema import Table


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
