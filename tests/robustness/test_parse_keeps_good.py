"""Issue 15, items 2, 3, 4 and 11: bad values, same names, bad entries and huge files lose no good paper."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from extract.fetch import FetchSettings
from extract.parse import parse_archived, parse_paths
from extract.records import INT_MAX
from extract.sources import fetch_source
from graph.schema import TABLES
from graph.snapshot import SnapshotWriter, open_snapshot
from tests.robustness.conftest import hf_item, write_json

RUN = "2024-06-01"


def test_upvotes_past_int64_become_null_with_a_warning_and_the_snapshot_is_written(tmp_path, caplog):
    page = write_json(
        tmp_path / "daily.json",
        [
            hf_item("2406.00001", "Huge string count", upvotes="99999999999999999999999"),
            hf_item("2406.00002", "Huge float count", upvotes=1e30),
            hf_item("2406.00003", "Largest storable count", upvotes=INT_MAX),
        ],
    )
    with caplog.at_level(logging.WARNING):
        result = parse_paths([page], order="paper_id")
    assert [(r.paper_id, r.upvotes) for r in result.records] == [
        ("2406.00001", None),
        ("2406.00002", None),
        ("2406.00003", INT_MAX),
    ]
    assert "item 0 (2406.00001): upvotes 99999999999999999999999 is out of the int64 range" in caplog.text
    assert "item 1 (2406.00002): upvotes" in caplog.text and str(page) in caplog.text
    assert len(result.warnings) == 2 and result.summary()["warnings"] == 2
    with SnapshotWriter(tmp_path / "snapshots", RUN, "test") as writer:
        writer.write("papers", (r.to_dict() for r in result.records))
        writer.commit()
    papers = open_snapshot(tmp_path / "snapshots", RUN).read_table("papers")
    assert papers.column("upvotes").to_pylist() == [None, None, INT_MAX]


def test_int_range_is_the_schemas(tmp_path):
    assert TABLES["papers"].schema.field("upvotes").type.bit_width == INT_MAX.bit_length() + 1


def test_an_entry_without_a_title_is_left_out_alone(tmp_path):
    page = write_json(
        tmp_path / "raw" / "daily.json",
        [hf_item("2406.00001", "Good one"), hf_item("2406.00002", None), hf_item("2406.00003", "Good two")],
    )
    result = parse_paths([page], quarantine_root=tmp_path / "q", order="paper_id")
    assert [r.paper_id for r in result.records] == ["2406.00001", "2406.00003"]
    summary = result.summary()
    assert (summary["parsed"], summary["quarantined"], summary["quarantined_entries"]) == (2, 0, 1)
    [partial] = result.partial
    assert partial.entries == 1 and "1 of 3 entries left out: item 1 has no title" in partial.reason
    reason = json.loads(Path(partial.copy + ".reason.json").read_text())
    assert reason["entries_left_out"] == ["item 1 has no title"] and Path(partial.copy).is_file()
    assert result.quarantine_lines()[0].startswith(f"{page}: 1 of 3 entries left out: item 1 has no title")


def test_a_page_whose_every_entry_is_bad_is_quarantined(tmp_path):
    page = write_json(tmp_path / "bad.json", [hf_item("2406.00002", None), "not an object"])
    result = parse_paths([page], quarantine_root=tmp_path / "q")
    assert result.records == [] and len(result.quarantined) == 1
    assert (
        "every entry was left out (2): item 0 has no title; item 1 is a str" in result.quarantined[0].reason
    )


def test_same_file_names_in_two_subfolders_are_both_archived_and_parsed(tmp_path, pages):
    folder = tmp_path / "dump"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "dup.txt").write_bytes((pages / "dump_spaced.txt").read_bytes())
    (folder / "b" / "dup.txt").write_bytes((pages / "dump_compact.txt").read_bytes())
    expected = {r.paper_id for r in parse_paths([folder]).records}
    source = {"name": "d", "kind": "dump", "path": str(folder)}
    report = fetch_source(source, RUN, tmp_path / "archive")
    assert report.archived == 2 and len({p.name for p in report.paths}) == 2
    assert {r.paper_id for r in parse_archived(report.paths).records} == expected
    again = fetch_source(source, RUN, tmp_path / "archive")  # a rerun replaces the same two files
    assert sorted(again.paths) == sorted(report.paths)
    assert len(list(report.paths[0].parent.glob("*.txt"))) == 2


def test_a_file_over_max_bytes_is_refused_unread_and_nothing_else_is_lost(tmp_path, pages):
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "good.json").write_bytes((pages / "hf_daily_2024-06-03.json").read_bytes())
    cap = (folder / "good.json").stat().st_size + 10
    (folder / "huge.txt").write_bytes(b"x" * (cap + 1))
    result = parse_paths([folder], quarantine_root=tmp_path / "q", max_bytes=cap)
    assert {r.paper_id for r in result.records} == {
        r.paper_id for r in parse_paths([folder / "good.json"]).records
    }
    [refused] = result.quarantined
    assert refused.path.endswith("huge.txt")
    assert refused.reason == f"file of {cap + 1} bytes exceeds the {cap}-byte limit"
    assert not Path(refused.copy).exists()  # refused unread: only the reason is stored

    settings = FetchSettings(max_bytes=cap, respect_robots=False)
    report = fetch_source({"name": "d", "kind": "dump", "path": str(folder)}, RUN, tmp_path / "a", settings)
    assert report.archived == 1 and report.failed == 1
    assert "huge.txt: file of" in report.errors[0] and "-byte limit (fetch.max_bytes)" in report.errors[0]
