"""The one JSON-lines reader/writer of the pipeline's records: papers, mentions, entities, and the
enrichment rows (Citation, HubRepo, PaperHubLink: `write_rows_jsonl` / `read_rows_jsonl`).

One object per line with the schema's field names (dataclasses as their fields), dates in ISO form,
UTF-8 kept as is. Files are written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import json
import operator
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import pyarrow as pa
import pyarrow.json as pa_json

from extract.errors import ParseError
from extract.records import PaperRecord

_FIELDS = {f.name for f in dataclasses.fields(PaperRecord)}
Row = TypeVar("Row")


_LINES_PER_WRITE = 1_000  # lines joined into one write (the file is replaced whole at the end anyway)
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False), built once


@functools.cache
def _layout(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]], tuple[str, ...]]:
    """A dataclass's field names, a getter of their values (one tuple), and the date-typed fields."""
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    if len(names) > 1:
        getter = operator.attrgetter(*names)
    else:  # attrgetter of one name gives the value itself, not a tuple
        getter = lambda row: tuple(getattr(row, name) for name in names)  # noqa: E731
    dated = tuple(f.name for f in fields if "date" in str(f.type))  # date, datetime, "date | None"
    return names, getter, dated


def _fields_dict(row: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, its date-typed fields in ISO form: `dataclasses.asdict`
    without its deep copy (the records hold scalars and lists of them, which json.dumps writes as they
    are). A date in another field, or a nested dataclass, makes json.dumps raise TypeError."""
    names, getter, dated = _layout(type(row))
    data = dict(zip(names, getter(row), strict=True))
    for name in dated:
        data[name] = _to_json_value(data[name])
    return data


def _dumps(row: Any) -> str:
    try:
        return _ENCODE(_fields_dict(row))
    except TypeError:  # a nested dataclass or an untyped date: asdict converts it (the same JSON, slower)
        data = dataclasses.asdict(row)
        return _ENCODE({k: _to_json_value(v) for k, v in data.items()})


def record_to_json(record: PaperRecord) -> str:
    return _dumps(record)


def record_from_json(data: dict[str, Any]) -> PaperRecord:
    values = {key: value for key, value in data.items() if key in _FIELDS}
    if values.get("published_at"):
        values["published_at"] = date.fromisoformat(values["published_at"])
    if values.get("fetched_at"):
        values["fetched_at"] = datetime.fromisoformat(values["fetched_at"])
    return PaperRecord(**values)


def row_to_json(row: Any) -> str:
    """A mapping or a dataclass (Mention, Entity, ...) as one JSON line (without the newline)."""
    if dataclasses.is_dataclass(row):
        return _dumps(row)
    return _ENCODE({k: _to_json_value(v) for k, v in row.items()})


def _to_json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def write_jsonl(rows: Iterable[Any], path: str | os.PathLike[str]) -> int:
    """Write rows (mappings or dataclasses, streamed) to `path` atomically; returns how many."""
    count = 0
    with atomic_file(path) as out:
        lines: list[str] = []
        for row in rows:
            lines.append(row_to_json(row))
            if len(lines) == _LINES_PER_WRITE:
                out.write("\n".join(lines) + "\n")
                count += len(lines)
                lines.clear()
        if lines:
            out.write("\n".join(lines) + "\n")
            count += len(lines)
    return count


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], binary: bool = False) -> Iterator[IO[Any]]:
    """A file opened for writing that replaces `path` only when the block ends without an error."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # a temporary name of its own per writer: two tries of one task (a retry racing a zombie) never
    # write into the same file, and a failed write leaves the old target and no temporary behind
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8") as out:
            yield out
        os.chmod(temp, 0o644)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Stream the objects of a JSONL file; a bad line raises ParseError naming file and line."""
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ParseError(f"{path}:{number}", f"invalid JSON: {exc}") from exc
            if not isinstance(row, dict):
                raise ParseError(f"{path}:{number}", "not a JSON object")
            yield row


def read_jsonl_table(
    paths: Iterable[str | os.PathLike[str]], schema: pa.Schema, *, unknown_fields: str = "error"
) -> pa.Table | None:
    """The JSON-lines files, one after the other, as one Arrow table of `schema`, by pyarrow's
    multithreaded reader; None when a row needs the row-by-row readers above (which name file:line):
    a line that is not a JSON object of the schema's types, a required field missing or null, a field
    not in the schema (`unknown_fields="ignore"`: dropped), a date that is not in ISO form.

    Date and timestamp fields are parsed with Python's `fromisoformat`, as the row readers do.
    """
    as_read = pa.schema(
        [
            f.with_type(pa.string()) if pa.types.is_date(f.type) or pa.types.is_timestamp(f.type) else f
            for f in schema
        ]
    )
    options = pa_json.ParseOptions(explicit_schema=as_read, unexpected_field_behavior=unknown_fields)
    tables = []
    for path in paths:
        if Path(path).stat().st_size == 0:
            continue
        try:
            table = pa_json.read_json(path, parse_options=options)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return None
        tables.append(table.select(as_read.names))
    if not tables:
        return schema.empty_table()
    table = pa.concat_tables(tables)
    columns = []
    for field, column in zip(schema, table.columns, strict=True):
        if column.null_count and not field.nullable:
            return None  # a missing field: the row readers fill its default or name the line
        if field.type != column.type:
            parse = date.fromisoformat if pa.types.is_date(field.type) else datetime.fromisoformat
            try:
                values = [parse(value) if value is not None else None for value in column.to_pylist()]
                column = pa.array(values, field.type)
            except (ValueError, TypeError, pa.ArrowInvalid):
                return None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def write_records_jsonl(records: Iterable[PaperRecord], path: str | os.PathLike[str]) -> int:
    """Write PaperRecords (streamed) to `path` atomically; returns how many were written."""
    return write_jsonl(records, path)


def read_records_jsonl(path: str | os.PathLike[str]) -> Iterator[PaperRecord]:
    """Stream the records of a JSONL file; a bad line raises ParseError naming file and line."""
    with Path(path).open(encoding="utf-8") as lines:
        yield from _records(lines, path, 1)


def read_records_jsonl_range(
    path: str | os.PathLike[str], start: int, end: int, first_line: int
) -> Iterator[PaperRecord]:
    """The records of bytes [start, end) of a JSONL file, `start` and `end` at line starts (see
    `line_ranges`); a bad line raises ParseError naming the file and its line number in the file."""
    with Path(path).open("rb") as file:
        file.seek(start)
        data = file.read(end - start)
    with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8") as lines:
        yield from _records(lines, path, first_line)


def _records(lines: Iterable[str], path: str | os.PathLike[str], first_line: int) -> Iterator[PaperRecord]:
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            yield record_from_json(json.loads(line))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ParseError(f"{path}:{number}", f"not a PaperRecord line: {exc}") from exc


def line_ranges(path: str | os.PathLike[str], parts: int) -> list[tuple[int, int, int]]:
    """A file cut into at most `parts` slices of about equal bytes, each of whole lines: (start, end,
    number of its first line) per slice, in file order, none empty (none for an empty file). The file
    is streamed, never held whole."""
    size = os.path.getsize(path)
    ranges: list[tuple[int, int, int]] = []
    start, line = 0, 1
    with Path(path).open("rb") as file:
        for part in range(1, parts + 1):
            if start >= size:
                break
            if part == parts:
                end = size
            else:  # the end of the line holding the byte before the target (the file's end if none)
                file.seek(max(size * part // parts, start + 1) - 1)
                file.readline()
                end = file.tell()
            if end <= start:
                continue
            ranges.append((start, end, line))
            line += _newlines(file, start, end)
            start = end
    return ranges


def _newlines(file: IO[bytes], start: int, end: int, chunk: int = 1 << 20) -> int:
    file.seek(start)
    count = 0
    while start < end:
        data = file.read(min(chunk, end - start))
        if not data:
            break
        count += data.count(b"\n")
        start += len(data)
    return count


def count_lines(path: str | os.PathLike[str]) -> int:
    """Records in a JSONL file (non-blank lines), without parsing them."""
    with Path(path).open(encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


def write_rows_jsonl(rows: Iterable[Any], path: str | os.PathLike[str]) -> int:
    """Write record dataclasses (streamed) to `path` atomically; returns how many were written."""
    return write_jsonl(rows, path)


def read_rows_jsonl(path: str | os.PathLike[str], cls: type[Row]) -> Iterator[Row]:
    """Stream rows of dataclass `cls` (dates parsed back); a bad line raises ParseError naming file:line."""
    kinds = {f.name: str(f.type) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = {k: v for k, v in json.loads(line).items() if k in kinds}
                for key, value in data.items():
                    if isinstance(value, str) and kinds[key].startswith("datetime"):
                        data[key] = datetime.fromisoformat(value)
                    elif isinstance(value, str) and kinds[key].startswith("date"):
                        data[key] = date.fromisoformat(value)
                yield cls(**data)
            except (ValueError, TypeError, AttributeError) as exc:
                raise ParseError(f"{path}:{number}", f"not a {cls.__name__} line: {exc}") from exc
