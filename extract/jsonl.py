"""PaperRecords as JSON lines: one object per line with the schema's field names, dates in ISO form."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from extract.errors import ParseError
from extract.records import PaperRecord

_FIELDS = {f.name for f in dataclasses.fields(PaperRecord)}


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
