"""JSON-lines work files are replaced whole or not at all, also with two writers at once; their lines
are the records' fields as `dataclasses.asdict` gives them."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from extract.jsonl import read_jsonl, record_to_json, row_to_json, write_jsonl
from extract.records import Mention, PaperRecord


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "mentions.jsonl"
    write_jsonl([{"n": 1}, {"n": 2}], target)
    before = target.read_bytes()

    def rows() -> Iterator[dict[str, int]]:
        yield {"n": 3}
        raise RuntimeError("the extractor died half way")

    with pytest.raises(RuntimeError, match="half way"):
        write_jsonl(rows(), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mentions.jsonl"]


def test_two_writers_of_one_file_never_mix_their_lines(tmp_path: Path) -> None:
    target = tmp_path / "shards" / "0" / "mentions.jsonl"
    together = threading.Barrier(2)

    def rows(writer: str) -> Iterator[dict[str, object]]:
        for number in range(2_000):
            if number in (10, 1_990):
                together.wait(timeout=30)  # both have their file open, then both have written most of it
            yield {"writer": writer, "n": number}

    threads = [threading.Thread(target=write_jsonl, args=(rows(w), target)) for w in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    written = list(read_jsonl(target))
    assert len(written) == 2_000
    assert len({row["writer"] for row in written}) == 1  # one writer's file, whole
    assert [row["n"] for row in written] == list(range(2_000))
    assert sorted(p.name for p in target.parent.iterdir()) == ["mentions.jsonl"]
    assert target.stat().st_mode & 0o777 == 0o644


@dataclasses.dataclass(frozen=True)
class _Inner:
    day: date


@dataclasses.dataclass(frozen=True)
class _Loose:
    """Fields that are not what their types say, or nested: the slow path's JSON, the same bytes."""

    when: Any
    inner: Any = None


@dataclasses.dataclass(frozen=True)
class _One:
    name: str


def _reference_json(row: Any) -> str:
    """What `row_to_json` wrote before it was made faster: `asdict`, top-level dates in ISO form."""
    data = dataclasses.asdict(row)
    return json.dumps(
        {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in data.items()},
        ensure_ascii=False,
    )


def test_row_json_is_asdict_with_iso_dates_whatever_the_fields_hold() -> None:
    rows = [
        PaperRecord(
            paper_id="2401.00001",
            title="Ünïcode “quotes” \u2028 and \\ slashes",
            authors=["A. Ñ", "B"],
            published_at=date(2024, 1, 2),
            fetched_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        ),
        PaperRecord(paper_id="p", title="no dates"),
        Mention("p", "method:x", "METHOD", "x", 0, 1, "x y", "gazetteer", True),
        _Loose(when=date(2020, 5, 6)),  # a date in an untyped field
        _Loose(when=datetime(2020, 5, 6, 7, 8), inner=_One("nested")),  # a nested dataclass
        _One("only one field"),
    ]
    for row in rows:
        assert row_to_json(row) == _reference_json(row)
    assert record_to_json(rows[0]) == _reference_json(rows[0])
    assert json.loads(row_to_json(rows[0]))["published_at"] == "2024-01-02"
    for unwritable in (_Loose(when=[date(2020, 1, 1)]), _Loose(when=1, inner=_Inner(date(2021, 1, 1)))):
        with pytest.raises(TypeError):  # a date below the top level was never written, and still is not
            row_to_json(unwritable)
