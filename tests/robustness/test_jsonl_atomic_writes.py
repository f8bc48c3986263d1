"""JSON-lines work files are replaced whole or not at all, also with two writers at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.jsonl import read_jsonl, write_jsonl


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
