"""Import files for `neo4j-admin database import full`, streamed from a snapshot.

Each loader step that declares its writes (`Step.writes`, graph/db/writes.py) is turned into CSV
files with separate header files: the step's table is read in batches, each batch goes through the
step's own row function, and every row becomes the nodes and relationships it declares. Nothing is
held in memory but the keys seen so far (one mapping per node label, key -> node id), which give the
loader's MERGE and MATCH semantics: the first row of a key makes the node, a relationship is written
only when both its ends exist. The importer then needs no `--skip-duplicate-nodes` /
`--skip-bad-relationships`.

Node ids are the importer's `--id-type=actual`: each node gets the next global integer (0, 1, ...
across all node files) as it is written, its key is an ordinary string property column, and a
relationship's ends are written as those integers, so the importer keeps no id map of its own.

Header types are those of the values written (`string`, `long`, `double`, `boolean`, `date`,
`datetime` and their arrays), so the imported graph holds what the transactional loader writes.
Steps without declared writes are left to the transactional loader (see `deferred_steps`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from graph.db import model
from graph.db.loader import (
    ALL_STEPS,
    PAPER_LIST_PROPERTIES,
    SnapshotSource,
    Step,
    _rows,
    author_rows,
    batches,
    entity_rows,
    paper_rows,
    repository_rows,
    snapshot_load_id,
    snapshot_properties,
)
from graph.db.writes import NodeWrite, RelWrite

ARRAY_DELIMITER = "\x1f"  # the ASCII unit separator: never in names, aliases or categories
ARRAY_DELIMITER_OPTION = "U+001F"
DEFAULT_BATCH_SIZE = 20_000


class BulkPlanError(ValueError):
    """The step declarations cannot be imported (a relationship before the nodes it links)."""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return "string"


def _zone_id(value: datetime) -> str | None:
    """The tz database name of a datetime's zone (zoneinfo `key`, pytz `zone`); None for a fixed offset."""
    return getattr(value.tzinfo, "key", None) or getattr(value.tzinfo, "zone", None)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # the driver sends a named zone as a zone id (`...Z[UTC]` in Cypher), a fixed offset as an offset
        zone = _zone_id(value)
        return f"{value.isoformat()}[{zone}]" if zone else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def csv_field(value: Any) -> str:
    """None and an empty list are an empty, unquoted field (no property: an empty list is absent in
    the graph, see loader.PAPER_LIST_PROPERTIES); strings, arrays and datetimes are quoted, so an
    empty string stays an empty string (a datetime as Arrow's CSV writer writes its text)."""
    kind = type(value)
    if kind is str:  # most fields: tested first, by exact type (the call is per field, 6M times a corpus)
        return '"' + value.replace('"', '""') + '"'
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, list | tuple):
        if not value:
            return ""
        if all(type(v) is str for v in value):
            return _quoted(ARRAY_DELIMITER.join(value))
        return _quoted(ARRAY_DELIMITER.join(_scalar_text(v) for v in value))
    if isinstance(value, str | datetime):
        return _quoted(_scalar_text(value))
    return _scalar_text(value)


@dataclass
class _Columns:
    """Property columns of one file, with the type of the first non-null value seen in each."""

    names: tuple[str, ...]
    types: dict[str, str] = field(default_factory=dict)
    arrays: set[str] = field(default_factory=set)

    def observe(self, name: str, value: Any) -> None:
        if value is None or name in self.types:
            return
        if isinstance(value, list | tuple):
            if value:
                self.types[name] = _type_name(value[0]) + "[]"
            else:
                self.arrays.add(name)  # an array of a type not seen yet
        else:
            self.types[name] = _type_name(value)

    def observe_column(self, name: str, column: pa.Array) -> None:
        """`observe` for a whole column (its first non-null value, as the row path sees it)."""
        if name in self.types or column.null_count == len(column):
            return
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            if pc.any(pc.greater(pc.list_value_length(column), 0)).as_py():
                self.types[name] = f"{_type_key(column.type.value_type)}[]"
            else:
                self.arrays.add(name)
        else:
            self.types[name] = str(_type_key(column.type))

    def header(self, name: str) -> str:
        default = "string[]" if name in self.arrays else "string"
        return f"{name}:{self.types.get(name, default)}"


@dataclass
class FileGroup:
    """One `--nodes=` or `--relationships=` argument: a header file and a data file."""

    kind: str  # "nodes" or "relationships"
    name: str  # the label or relationship type
    header: Path
    data: Path
    records: int = 0
    multiline: bool = False

    def argument(self) -> str:
        return f"--{self.kind}={self.name}={self.header},{self.data}"


@dataclass
class ImportFiles:
    folder: Path
    load_id: str
    groups: list[FileGroup]
    deferred: list[str]  # steps the transactional loader runs after the import
    seconds: float
    step_rows: dict[str, int] = field(default_factory=dict)  # rows each step's row function gave

    @property
    def rows(self) -> int:
        """Rows read the way the transactional loader counts them (`StepReport.rows`)."""
        return sum(self.step_rows.values())

    @property
    def nodes(self) -> int:
        return sum(g.records for g in self.groups if g.kind == "nodes")

    @property
    def relationships(self) -> int:
        return sum(g.records for g in self.groups if g.kind == "relationships")

    def arguments(self, database: str = "neo4j") -> list[str]:
        """`database import full` arguments (the database name first, as 5.19+ requires)."""
        args = [
            database,
            f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
            "--id-type=actual",
            f"--report-file={self.folder / 'import.report'}",
            *(g.argument() for g in self.groups),
        ]
        multiline = [str(g.data) for g in self.groups if g.multiline]
        if multiline:
            args.append("--multiline-fields=true")  # v1: the v2 file list was not honoured (5.26.30)
        return args


def bulk_steps(steps: Iterable[Step] = ALL_STEPS) -> list[Step]:
    return [s for s in steps if s.writes and not s.prune]


def deferred_steps(steps: Iterable[Step] = ALL_STEPS) -> list[Step]:
    """Steps the importer does not write (prune steps have nothing to prune in a new database)."""
    return [s for s in steps if not s.writes and not s.prune]


def check_plan(steps: Iterable[Step]) -> None:
    """Every relationship's end labels get their nodes in the same or an earlier step."""
    written: set[model.Label] = {model.Label.SNAPSHOT}
    for step in steps:
        for write in step.writes:
            if isinstance(write, NodeWrite):
                written.add(write.label)
            else:
                for label in (write.spec.start, write.spec.end):
                    if _id_space(label) not in written:
                        raise BulkPlanError(
                            f"step {step.name}: {write.type} needs {label} nodes, written by no earlier step"
                        )


def _id_space(label: model.Label) -> model.Label:
    """The key label a relationship end is found by (an Entity relationship ends on :Entity)."""
    if label in model.NODE_KEYS:
        return label
    if label in model.ENTITY_TYPE_LABELS.values():
        return model.Label.ENTITY
    raise BulkPlanError(f"{label} has no key in model.NODE_KEYS")


def _flat(row: Mapping[str, Any], load_id: str) -> dict[str, Any]:
    flat = dict(row)
    nested = flat.pop("properties", None)
    if isinstance(nested, Mapping):
        flat = {**nested, **flat}
    flat[model.LOAD_STAMP] = load_id
    return flat


class _NodeIds:
    """The node ids given so far: one mapping key -> id per id space (a key label), the ids dense and
    global over all node files (`--id-type=actual`)."""

    def __init__(self) -> None:
        self.spaces: dict[model.Label, dict[str, int]] = {}
        self.count = 0

    def space(self, label: model.Label) -> dict[str, int]:
        return self.spaces.setdefault(label, {})

    def add(self, ids: dict[str, int], key: str) -> int:
        ids[key] = self.count
        self.count += 1
        return ids[key]


class _Writer:
    """One data file being streamed; the header is written at the end, when the types are known."""

    def __init__(
        self,
        folder: Path,
        stem: str,
        kind: str,
        name: str,
        columns: tuple[str, ...],
        *,
        labelled: bool = False,
    ) -> None:
        self.group = FileGroup(kind, name, folder / f"{stem}.header.csv", folder / f"{stem}.csv")
        self.columns = _Columns(columns)
        self.labelled = labelled  # nodes with a :LABEL column (their second label)
        self._file: IO[bytes] = self.group.data.open("wb")

    def write(self, leading: list[str], values: list[Any]) -> None:
        if len(self.columns.types) < len(self.columns.names):  # some column's type is not known yet
            for name, value in zip(self.columns.names, values, strict=True):
                self.columns.observe(name, value)
        line = ",".join([*leading, *map(csv_field, values)])
        if "\n" in line or "\r" in line:  # in any field: a key, a string, an array's item
            self.group.multiline = True
        self._file.write((line + "\n").encode("utf-8"))
        self.group.records += 1

    def write_table(self, leading: list[pa.Array], values: list[pa.Array]) -> None:
        """The rows of a batch at once, written by Arrow's CSV writer in the format `csv_field` gives
        (strings quoted with doubled quotes, null an empty unquoted field, `true`/`false`, ISO dates);
        `values` are the property columns as `_csv_ready` made them."""
        if len(self.columns.types) < len(self.columns.names):
            for name, column in zip(self.columns.names, values, strict=True):
                self.columns.observe_column(name, column)
        columns = [*leading, *(_csv_ready(c) for c in values)]
        if not self.group.multiline:
            self.group.multiline = any(_has_line_break(c) for c in columns)
        table = pa.Table.from_arrays(columns, names=[f"c{i}" for i in range(len(columns))])
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(table, sink, _CSV_OPTIONS)
        self._file.write(sink.getvalue())
        self.group.records += table.num_rows

    def close(self, leading_headers: list[str]) -> FileGroup:
        self._file.close()
        header = [*leading_headers, *map(self.columns.header, self.columns.names)]
        self.group.header.write_text(",".join(header) + "\n", encoding="utf-8")
        return self.group


def write_import_files(
    snapshot: SnapshotSource,
    folder: Path,
    *,
    steps: Iterable[Step] = ALL_STEPS,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportFiles:
    """Write the header and data files of every declared write of `steps` into `folder`."""
    started = time.perf_counter()
    steps = list(steps)
    planned = bulk_steps(steps)
    check_plan(planned)
    folder.mkdir(parents=True, exist_ok=True)
    load_id = snapshot_load_id(snapshot)
    node_ids = _NodeIds()
    groups: list[FileGroup] = []
    step_rows: dict[str, int] = {}

    snapshot_node = _Writer(folder, "Snapshot", "nodes", model.Label.SNAPSHOT.value, ())
    properties = snapshot_properties(snapshot.manifest)
    snapshot_node.columns = _Columns(tuple(properties))
    snapshot_id = node_ids.add(node_ids.space(model.Label.SNAPSHOT), load_id)
    snapshot_node.write([str(snapshot_id), csv_field(load_id)], list(properties.values()))
    groups.append(snapshot_node.close([":ID", f"{model.LOAD_STAMP}:string"]))

    for step in planned:
        writers: list[tuple[NodeWrite | RelWrite, _Writer]] = []
        for i, write in enumerate(step.writes):
            stem = f"{step.name}.{i}"
            if isinstance(write, NodeWrite):
                columns = tuple(p for p in write.properties if p != write.key)
                labelled = write.extra_label_field is not None
                writers.append(
                    (write, _Writer(folder, stem, "nodes", write.label.value, columns, labelled=labelled))
                )
            else:
                writers.append(
                    (write, _Writer(folder, stem, "relationships", write.type.value, write.properties))
                )
        step_rows[step.name] = 0
        emitters = [
            _node_emitter(write, writer, node_ids)
            if isinstance(write, NodeWrite)
            else _relationship_emitter(write, writer, node_ids)
            for write, writer in writers
        ]
        columnar = COLUMNS[step.to_rows] if _columnar_plan(step) else None
        for batch in _read_batches(snapshot, step, batch_size):
            if columnar is not None:
                table = columnar(batch)
                table = (
                    table.drop_columns([model.LOAD_STAMP])
                    if model.LOAD_STAMP in table.column_names
                    else table
                )
                table = table.append_column(
                    model.LOAD_STAMP, pa.array([load_id] * table.num_rows, pa.string())
                )
                if _emit_columns(table, writers, node_ids):
                    step_rows[step.name] += table.num_rows
                    continue
            rows = step.to_rows(batch)
            step_rows[step.name] += len(rows)
            for raw in rows:
                row = _flat(raw, load_id)
                for emit in emitters:
                    emit(row)
        for write, writer in writers:
            if isinstance(write, NodeWrite):
                leading = [":ID", f"{write.key}:string"]
                if writer.labelled:
                    leading.append(":LABEL")
            else:
                leading = [":START_ID", ":END_ID"]
            groups.append(writer.close(leading))
    return ImportFiles(
        folder,
        load_id,
        groups,
        [s.name for s in deferred_steps(steps)],
        time.perf_counter() - started,
        step_rows,
    )


# ---- the columnar path: a batch's rows as Arrow columns, written by Arrow's CSV writer ------------
#
# For the steps whose row function has a columnar twin below, a batch is turned into the same fields
# as columns (the test compares the two on the fixture snapshots); only the keys are read in Python,
# to keep the MERGE/MATCH semantics of the emitters below, and the values never become Python objects.
# A batch with a column the writer cannot render as `csv_field` does (a timestamp, a double, a list
# of non-strings) goes through the row path instead, into the same files.

_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def _type_key(arrow_type: pa.DataType) -> str | None:
    """The header type of a column of `arrow_type` the columnar path can write, else None."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "long"
    if pa.types.is_date32(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "datetime"
    return None


def _writable(column: pa.ChunkedArray | pa.Array) -> bool:
    kind = column.type
    if column.null_count == len(column):
        return not pa.types.is_nested(kind)  # all null: an empty field whatever the type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        items = pc.list_flatten(column)
        return _type_key(kind.value_type) == "string" and items.null_count == 0
    if pa.types.is_timestamp(kind):  # UTC or naive, years 1000-9999: the text `_timestamp_text` gives
        years = pc.min_max(pc.year(column)).as_py()
        return kind.unit == "us" and kind.tz in (None, "UTC") and 1000 <= years["min"] <= years["max"] <= 9999
    return _type_key(kind) is not None


def _timestamp_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """`_scalar_text` of each value of a UTC (or naive) microsecond timestamp column: ISO 8601, the
    fraction only when not zero, then the zone as Python's value of the first one gives it."""
    first = next(v for v in column.to_pylist() if v is not None)
    naive = first.replace(tzinfo=None).isoformat()
    suffix = _scalar_text(first)[len(naive) :]  # `+00:00[UTC]`, or nothing for a naive timestamp
    micros = pc.add(pc.multiply(pc.millisecond(column), 1000), pc.microsecond(column))
    fraction = pc.if_else(
        pc.equal(micros, 0),
        "",
        pc.binary_join_element_wise(".", pc.utf8_lpad(pc.cast(micros, pa.string()), 6, "0"), ""),
    )
    # %S carries the fraction too (as many digits as the unit has): the first 19 characters are the
    # seconds (4-digit years, see `_writable`)
    seconds = pc.utf8_slice_codeunits(pc.strftime(column, format="%Y-%m-%dT%H:%M:%S"), 0, 19)
    return pc.binary_join_element_wise(seconds, fraction, suffix, "")


def _csv_ready(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """An array as the text `csv_field` gives its values: a list joined by the array delimiter."""
    kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):  # an empty list: null (no property)
        return pc.binary_join(_empty_as_null(column), ARRAY_DELIMITER)
    if column.null_count == len(column) and _type_key(kind) in (None, "datetime"):
        return pa.nulls(len(column), pa.string())
    if pa.types.is_timestamp(kind):
        return _timestamp_text(column)
    return column


def _empty_as_null(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A list column with its empty lists made null (an empty list is absent in the graph)."""
    return pc.if_else(pc.equal(pc.list_value_length(column), 0), pa.scalar(None, column.type), column)


def _has_line_break(column: pa.ChunkedArray | pa.Array) -> bool:
    if _type_key(column.type) != "string" or column.null_count == len(column):
        return False
    return bool(
        pc.any(pc.match_substring(column, "\n")).as_py() or pc.any(pc.match_substring(column, "\r")).as_py()
    )


def _as_table(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    return pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch


def _paper_columns(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    """`paper_rows`, its `properties` flattened."""
    table = _as_table(batch)
    missing = pa.nulls(table.num_rows, pa.string())
    columns = {k: table.column(k) if k in table.column_names else missing for k in model.PAPER_PROPERTIES}
    for name in PAPER_LIST_PROPERTIES:
        if name in table.column_names:
            columns[name] = _empty_as_null(columns[name])
    columns["paper_id"] = table.column("paper_id")
    return pa.table(columns)


def _author_columns(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    """`author_rows`: the names are normalised in Python (`model.author_key`), nothing else is read."""
    table = _as_table(batch)
    names = table.column("name").to_pylist()
    keep = pa.array([bool(name.strip()) for name in names])
    kept = [name for name in names if name.strip()]
    return pa.table(
        {
            "paper_id": table.column("paper_id").filter(keep),
            "position": table.column("position").filter(keep),
            "key": pa.array([model.author_key(name) for name in kept], pa.string()),
            "name": pa.array([" ".join(name.split()) for name in kept], pa.string()),
        }
    )


def _entity_columns(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    table = _as_table(batch)
    aliases = _empty_as_null(table.column("aliases"))
    return pa.table(
        {
            "key": table.column("entity_key"),
            "label": pa.array(
                [model.entity_label(t).value for t in table.column("type").to_pylist()], pa.string()
            ),
            "type": table.column("type"),
            "name": table.column("name"),
            "aliases": aliases,
        }
    )


def _repository_columns(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    table = _as_table(batch)
    repos = table.column("github_repo").to_pylist()
    keep = pa.array([bool(repo) for repo in repos])
    return pa.table(
        {
            "paper_id": table.column("paper_id").filter(keep),
            "url": pa.array([model.repository_url(repo) for repo in repos if repo], pa.string()),
        }
    )


# the columnar twin of each row function (what `_flat` makes of its rows, but the load stamp)
COLUMNS: dict[Callable[..., Any], Callable[[pa.RecordBatch | pa.Table], pa.Table]] = {
    _rows: _as_table,
    paper_rows: _paper_columns,
    author_rows: _author_columns,
    entity_rows: _entity_columns,
    repository_rows: _repository_columns,
}
# the table columns a row function reads, when it reads few of them (repositories: not the abstracts)
READS: dict[Callable[..., Any], tuple[str, ...]] = {repository_rows: ("paper_id", "github_repo")}


def _read_batches(
    snapshot: SnapshotSource, step: Step, batch_size: int
) -> Iterator[pa.RecordBatch | pa.Table]:
    """`batches` of the step's table, only the columns its row function reads when it says so and
    the snapshot is a Parquet dataset (graph.snapshot.Snapshot)."""
    columns = READS.get(step.to_rows)
    dataset = getattr(snapshot, "dataset", None)
    if columns is None or dataset is None or step.table not in snapshot.manifest.tables:
        yield from batches(snapshot, step.table, batch_size)
        return
    for batch in dataset(step.table).to_batches(batch_size=batch_size, columns=list(columns)):
        if batch.num_rows:
            yield batch


def _columnar_plan(step: Step) -> bool:
    """The step's writes can be emitted a write at a time over a batch (the row path emits a row at
    a time): each relationship end made in the same step is that row's own node, made before."""
    if step.to_rows not in COLUMNS:
        return False
    made: dict[model.Label, str] = {}  # key label -> the row field its nodes are keyed by
    for write in step.writes:
        if isinstance(write, NodeWrite):
            if write.label in made:
                return False
            made[write.label] = write.source(write.key)
        else:
            ends = (
                (_id_space(write.spec.start), write.start_field),
                (_id_space(write.spec.end), write.end_field),
            )
            if any(label in made and made[label] != fieldname for label, fieldname in ends):
                return False
    return True


def _field_names(write: NodeWrite | RelWrite, names: tuple[str, ...]) -> list[str]:
    if isinstance(write, NodeWrite):
        fields = [write.source(write.key), *(write.source(p) for p in names if p not in write.constants)]
        return fields + ([write.extra_label_field] if write.extra_label_field else [])
    return [write.start_field, write.end_field, *(write.source(p) for p in names)] + (
        [write.where] if write.where else []
    )


def _emit_columns(
    table: pa.Table,
    writers: list[tuple[NodeWrite | RelWrite, _Writer]],
    node_ids: _NodeIds,
) -> bool:
    """Write a batch's columns through each write in turn; False (nothing written) when some column
    cannot be written this way (the caller takes the row path for the batch)."""
    n = table.num_rows
    missing = pa.nulls(n, pa.string())

    def column(name: str) -> pa.ChunkedArray | pa.Array:
        return table.column(name) if name in table.column_names else missing

    for write, writer in writers:
        for name in _field_names(write, writer.columns.names):
            if not _writable(column(name)):
                return False
    for write, writer in writers:
        names = writer.columns.names
        if isinstance(write, NodeWrite):
            keys = node_ids.space(write.label)
            key_column = column(write.source(write.key))
            first = next_id = node_ids.count
            mask = []
            for key in key_column.to_pylist():
                if key is None or key in keys:
                    mask.append(False)
                else:
                    keys[key] = next_id
                    next_id += 1
                    mask.append(True)
            node_ids.count = next_id
            keep = pa.array(mask, pa.bool_())
            kept_keys = key_column.filter(keep)
            m = len(kept_keys)
            values = [
                pa.array([write.constants[p]] * m)
                if p in write.constants
                else column(write.source(p)).filter(keep)
                for p in names
            ]
            leading = [pa.array(range(first, next_id), pa.int64()), kept_keys]
            if write.extra_label_field:  # the :LABEL column: the key label and the second one
                leading.append(
                    pc.binary_join_element_wise(
                        pa.array([write.label.value] * m, pa.string()),
                        column(write.extra_label_field).filter(keep),
                        ARRAY_DELIMITER,
                        null_handling="replace",
                        null_replacement="None",
                    )
                )
        else:
            spec = write.spec
            starts = node_ids.space(_id_space(spec.start))
            ends = node_ids.space(_id_space(spec.end))
            start_ids = pa.array([starts.get(s) for s in column(write.start_field).to_pylist()], pa.int64())
            end_ids = pa.array([ends.get(e) for e in column(write.end_field).to_pylist()], pa.int64())
            keep = pc.and_(pc.is_valid(start_ids), pc.is_valid(end_ids))  # MATCH: both ends exist
            if write.where is not None:
                keep = pc.and_(keep, pa.array([bool(w) for w in column(write.where).to_pylist()]))
            leading = [start_ids.filter(keep), end_ids.filter(keep)]
            values = [column(write.source(p)).filter(keep) for p in names]
        writer.write_table(leading, values)
    return True


_CONSTANT, _FIELD = True, False


def _node_emitter(write: NodeWrite, writer: _Writer, node_ids: _NodeIds) -> Callable[[dict[str, Any]], None]:
    """Writes a row's node unless its key was seen (MERGE: the first row of a key wins). What the
    declaration says is looked up once here, not per row."""
    keys = node_ids.space(write.label)
    key_field, extra, label = write.source(write.key), write.extra_label_field, write.label.value
    names = writer.columns.names
    sources = [
        (_CONSTANT, write.constants[p]) if p in write.constants else (_FIELD, write.source(p)) for p in names
    ]

    def emit(row: dict[str, Any]) -> None:
        key = row[key_field]
        if key is None or key in keys:
            return
        node_id = node_ids.add(keys, key)
        values = [source if constant else row.get(source) for constant, source in sources]
        leading = [str(node_id), csv_field(key)]
        if extra:
            leading.append(csv_field([label, row[extra]]))
        writer.write(leading, values)

    return emit


def _relationship_emitter(
    write: RelWrite, writer: _Writer, node_ids: _NodeIds
) -> Callable[[dict[str, Any]], None]:
    """Writes a row's relationship when both ends exist (MATCH) and its `where` field is true."""
    spec = write.spec
    starts = node_ids.space(_id_space(spec.start))  # the same mappings the node emitters fill
    ends = node_ids.space(_id_space(spec.end))
    start_field, end_field, where = write.start_field, write.end_field, write.where
    fields = [write.source(p) for p in writer.columns.names]

    def emit(row: dict[str, Any]) -> None:
        if where is not None and not row.get(where):
            return
        start, end = starts.get(row.get(start_field)), ends.get(row.get(end_field))
        if start is None or end is None:
            return
        writer.write([str(start), str(end)], [row.get(f) for f in fields])

    return emit
