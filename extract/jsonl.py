"""Records as JSON lines: one object per line with the schema's field names, dates in ISO form.

PaperRecords have their own functions (the hot path); every other record dataclass (Citation, HubRepo,
PaperHubLink, ...) goes through `write_rows_jsonl` / `read_rows_jsonl`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from extract.errors import ParseError
from extract.records import PaperRecord

_FIELDS = {f.name for f in dataclasses.fields(PaperRecord)}
Row = TypeVar("Row")


def record_to_json(record: PaperRecord) -> str:
    data = record.to_dict()
    for key, value in data.items():
        if isinstance(value, date | datetime):
            data[key] = value.isoformat()
    return json.dumps(data, ensure_ascii=False)


def record_from_json(data: dict[str, Any]) -> PaperRecord:
    values = {key: value for key, value in data.items() if key in _FIELDS}
    if values.get("published_at"):
        values["published_at"] = date.fromisoformat(values["published_at"])
    if values.get("fetched_at"):
        values["fetched_at"] = datetime.fromisoformat(values["fetched_at"])
    return PaperRecord(**values)


def write_records_jsonl(records: Iterable[PaperRecord], path: str | os.PathLike[str]) -> int:
    """Write records (streamed) to `path` atomically; returns how many were written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    count = 0
    with temp.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record_to_json(record) + "\n")
            count += 1
    temp.replace(target)
    return count


def read_records_jsonl(path: str | os.PathLike[str]) -> Iterator[PaperRecord]:
    """Stream the records of a JSONL file; a bad line raises ParseError naming file and line."""
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield record_from_json(json.loads(line))
            except (ValueError, TypeError, AttributeError) as exc:
                raise ParseError(f"{path}:{number}", f"not a PaperRecord line: {exc}") from exc


def _to_json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def write_rows_jsonl(rows: Iterable[Any], path: str | os.PathLike[str]) -> int:
    """Write record dataclasses (streamed) to `path` atomically; returns how many were written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    count = 0
    with temp.open("w", encoding="utf-8") as out:
        for row in rows:
            data = {f.name: _to_json_value(getattr(row, f.name)) for f in dataclasses.fields(row)}
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
            count += 1
    temp.replace(target)
    return count


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
