"""SnapshotWriter / open_snapshot: round trips, byte-identical output, atomic commits, integrity checks."""

from __future__ import annotations

import dataclasses
import io
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from graph.schema import SCHEMA_VERSION, TABLES
from graph.snapshot import (
    LATEST_NAME,
    SchemaValidationError,
    SnapshotError,
    SnapshotIntegrityError,
    SnapshotNotFoundError,
    SnapshotWriter,
    list_snapshots,
    open_snapshot,
    rows_to_arrow,
    table_dataset,
    write_snapshot,
)
from graph.snapshot.manifest import MANIFEST_NAME

DAY = "2024-05-27"


def as_dicts(rows: list[Any]) -> list[dict[str, Any]]:
    return [row if isinstance(row, dict) else dataclasses.asdict(row) for row in rows]


def expected_table(name: str, rows: list[Any]) -> pa.Table:
    table = rows_to_arrow(name, list(rows))
    return table.sort_by([(key, "ascending") for key in TABLES[name].sort_keys])


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def visible_entries(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if not p.name.startswith("."))


def test_round_trip_pyarrow_pandas_duckdb(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    manifest = write_snapshot(tmp_path, DAY, "run-1", tables)
    assert manifest.schema_version == SCHEMA_VERSION
    assert {name: t.rows for name, t in manifest.tables.items()} == {n: len(r) for n, r in tables.items()}

    snapshot = open_snapshot(tmp_path, DAY)
    snapshot.verify()
    for name, rows in tables.items():
        expected = expected_table(name, rows)
        read = snapshot.read_table(name)
        assert read.schema.equals(TABLES[name].schema)
        assert read.equals(expected), name
        assert pa.Table.from_batches(list(snapshot.iter_batches(name, 2)), schema=read.schema).equals(
            expected
        )

    folder = tmp_path / f"dt={DAY}"
    papers = pd.read_parquet(folder / "papers")
    assert papers["paper_id"].tolist() == sorted(p.paper_id for p in tables["papers"])
    assert papers.loc[papers.paper_id == "2304.08485", "authors"].iloc[0].tolist()[0] == "Haotian Liu"
    mentions = ds.dataset(folder / "mentions", format="parquet").to_table()
    assert mentions.num_rows == len(tables["mentions"])

    con = duckdb.connect()
    rows = con.execute(
        f"select count(*), count(distinct paper_id) from read_parquet('{folder}/mentions/*.parquet')"
    ).fetchone()
    assert rows == (len(tables["mentions"]), 2)
    refs = con.execute(f"select * from read_parquet('{folder}/references/*.parquet')").fetchall()
    assert refs == [("2405.15738", "2304.08485", "model:llava", date(2024, 5, 27))]  # dt from the folder name


def test_all_dates_read_as_one_hive_dataset(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    write_snapshot(tmp_path, "2024-05-26", "run-a", {"papers": tables["papers"][:1]})
    write_snapshot(tmp_path, DAY, "run-b", tables)

    combined = table_dataset(tmp_path, "papers").to_table()
    by_day = combined.group_by("dt").aggregate([("paper_id", "count")]).sort_by("dt").to_pylist()
    assert by_day == [
        {"dt": date(2024, 5, 26), "paper_id_count": 1},
        {"dt": date(2024, 5, 27), "paper_id_count": 3},
    ]

    con = duckdb.connect()
    duck = con.execute(
        f"select dt::varchar, count(*) from read_parquet('{tmp_path}/dt=*/papers/*.parquet', "
        "hive_partitioning=true) group by dt order by dt"
    ).fetchall()
    assert duck == [("2024-05-26", 1), ("2024-05-27", 3)]

    pandas_frame = table_dataset(tmp_path, "papers").to_table().to_pandas()
    assert sorted(pandas_frame["paper_id"]) == sorted(
        [tables["papers"][0].paper_id, *(p.paper_id for p in tables["papers"])]
    )


def test_same_input_any_order_gives_identical_files(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    first = write_snapshot(tmp_path / "a", DAY, "run-a", tables)

    rng = random.Random(7)
    with SnapshotWriter(tmp_path / "b", DAY, "run-b", spill_rows=2) as writer:  # many small spill batches
        for name in reversed(list(tables)):
            rows = list(tables[name])
            rng.shuffle(rows)
            if name == "mentions":  # mixed inputs: Arrow batches and dict rows
                writer.write(name, rows_to_arrow(name, rows[:4]).to_batches()[0])
                writer.write(name, as_dicts(rows[4:]))
            else:
                for row in rows:
                    writer.write(name, [row])
        second = writer.commit()

    assert [f.sha256 for f in first.files()] == [f.sha256 for f in second.files()]
    assert files_of(tmp_path / "a" / f"dt={DAY}").keys() == files_of(tmp_path / "b" / f"dt={DAY}").keys()
    a_files = {k: v for k, v in files_of(tmp_path / "a" / f"dt={DAY}").items() if k != MANIFEST_NAME}
    b_files = {k: v for k, v in files_of(tmp_path / "b" / f"dt={DAY}").items() if k != MANIFEST_NAME}
    assert a_files == b_files

    metadata = pq.read_metadata(tmp_path / "a" / f"dt={DAY}" / "papers" / "part-00000.parquet")
    assert metadata.created_by.startswith("parquet-cpp-arrow version ")
    assert set(metadata.metadata) == {
        b"ARROW:schema",
        b"doc",
        b"paper_graph.table",
        b"paper_graph.schema_version",
    }
    assert metadata.row_group(0).column(0).compression == "ZSTD"
    # nothing run- or time-specific inside a data file
    for content in a_files.values():
        assert b"run-a" not in content and str(date.today().year).encode() + b"-" not in content.replace(
            b"2024-", b""
        )


def test_files_split_by_row_count_deterministically(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    write_snapshot(tmp_path / "one", DAY, "r", tables)
    with SnapshotWriter(tmp_path / "x", DAY, "r", rows_per_file=4, rows_per_row_group=2) as writer:
        writer.write("mentions", tables["mentions"])
        manifest = writer.commit()
    paths = [f.path for f in manifest.tables["mentions"].files]
    assert paths == [
        "mentions/part-00000.parquet",
        "mentions/part-00001.parquet",
        "mentions/part-00002.parquet",
    ]
    assert [f.rows for f in manifest.tables["mentions"].files] == [4, 4, 2]
    assert pq.read_metadata(tmp_path / "x" / f"dt={DAY}" / paths[0]).num_row_groups == 2
    snapshot = open_snapshot(tmp_path / "x", DAY)
    assert snapshot.read_table("mentions").equals(open_snapshot(tmp_path / "one", DAY).read_table("mentions"))
    assert (
        manifest.tables["papers"].rows == 0 and len(manifest.tables["papers"].files) == 1
    )  # empty tables too
    assert snapshot.read_table("papers").num_rows == 0


def test_failure_inside_the_write_leaves_previous_snapshot(
    tmp_path: Path, tables: dict[str, list[Any]]
) -> None:
    write_snapshot(tmp_path, DAY, "good", tables)
    before = files_of(tmp_path)

    with pytest.raises(RuntimeError, match="source died"), SnapshotWriter(tmp_path, DAY, "bad") as writer:
        writer.write("papers", tables["papers"][:1])
        raise RuntimeError("source died")

    def fail_after_mentions(name: str, entry: object) -> None:
        if name == "mentions":
            raise OSError("disk full")

    with (
        pytest.raises(OSError, match="disk full"),
        SnapshotWriter(tmp_path, DAY, "bad", on_table_written=fail_after_mentions) as writer,
    ):
        writer.write("papers", tables["papers"][:1])
        writer.commit()

    with pytest.raises(SnapshotError, match="not open"):
        writer.write("papers", tables["papers"])
    assert files_of(tmp_path) == before  # nothing left behind, not even hidden temporary folders
    snapshot = open_snapshot(tmp_path)
    assert snapshot.manifest.run_id == "good"
    snapshot.verify()


CRASHING_WRITER = """
import sys
from graph.snapshot import SnapshotWriter
rows = [{"source": "s", "url": f"u{i:07d}", "status": 200, "fetched_at": None, "sha256": "x" * 64,
         "path": f"p{i}", "content_type": None, "size": i} for i in range(400_000)]
with SnapshotWriter(sys.argv[1], sys.argv[2], "crashing", rows_per_file=20_000) as writer:
    writer.write("raw_responses", rows)
    writer.commit()
"""


def test_killed_writer_leaves_no_partial_snapshot(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    write_snapshot(tmp_path, DAY, "good", tables)
    proc = subprocess.Popen([sys.executable, "-c", CRASHING_WRITER, str(tmp_path), DAY])
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".tmp-*/raw_responses/part-*.parquet")):
            assert proc.poll() is None, "the writer finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)  # mid-commit: some Parquet files written, not all
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert visible_entries(tmp_path) == [LATEST_NAME, f"dt={DAY}"]
    snapshot = open_snapshot(tmp_path, DAY)
    assert snapshot.manifest.run_id == "good"
    snapshot.verify()
    assert [s.date for s in list_snapshots(tmp_path)] == [DAY]


def test_rewriting_a_date_replaces_it(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    write_snapshot(tmp_path, DAY, "first", tables)
    write_snapshot(tmp_path, DAY, "second", {"papers": tables["papers"][:1]})
    snapshot = open_snapshot(tmp_path, DAY)
    assert snapshot.manifest.run_id == "second"
    assert snapshot.read_table("papers").num_rows == 1
    assert snapshot.read_table("mentions").num_rows == 0
    snapshot.verify()
    assert sorted(p.name for p in tmp_path.iterdir()) == [LATEST_NAME, f"dt={DAY}"]  # no .tmp-/.old- left


def test_latest_pointer_points_at_the_newest_date(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    with pytest.raises(SnapshotNotFoundError):
        open_snapshot(tmp_path)
    write_snapshot(tmp_path, DAY, "r1", tables)
    write_snapshot(tmp_path, "2024-05-20", "r0", {"papers": tables["papers"][:1]})
    assert (tmp_path / LATEST_NAME).read_text() == f"{DAY}\n"
    assert open_snapshot(tmp_path).date == DAY
    assert open_snapshot(tmp_path, "2024-05-20").manifest.rows == 1
    assert [s.date for s in list_snapshots(tmp_path)] == ["2024-05-20", DAY]


def test_file_uri_root(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    uri = (tmp_path / "uri-root").as_uri()
    write_snapshot(uri, DAY, "r", tables)
    snapshot = open_snapshot(uri)
    snapshot.verify()
    assert snapshot.read_table("entities").num_rows == len(tables["entities"])
    assert (tmp_path / "uri-root" / f"dt={DAY}" / "entities" / "part-00000.parquet").is_file()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda f: f.write_bytes(f.read_bytes()[:-1] + b"X"), "sha256"),
        (lambda f: f.write_bytes(f.read_bytes() + b"\0"), "size"),
        (lambda f: f.unlink(), "missing"),
        (lambda f: (f.parent / "part-00009.parquet").write_bytes(f.read_bytes()), "not in the manifest"),
    ],
    ids=["changed", "grown", "missing", "extra"],
)
def test_verify_refuses_files_that_do_not_match(tmp_path: Path, tables, damage, reason: str) -> None:
    write_snapshot(tmp_path, DAY, "r", tables)
    target = tmp_path / f"dt={DAY}" / "mentions" / "part-00000.parquet"
    damage(target)
    with pytest.raises(SnapshotIntegrityError, match=reason) as error:
        open_snapshot(tmp_path, DAY).verify()
    assert "/mentions/part-0000" in error.value.path


def test_bad_manifest_is_an_integrity_error(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    write_snapshot(tmp_path, DAY, "r", tables)
    (tmp_path / f"dt={DAY}" / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(SnapshotIntegrityError, match=MANIFEST_NAME):
        open_snapshot(tmp_path, DAY)


@pytest.mark.parametrize("name", ["../etc", "2024-13-01", "2024-05-27/../x", "/tmp", "latest2", ""])
def test_unknown_or_malformed_dates_are_not_found(tmp_path: Path, tables, name: str) -> None:
    write_snapshot(tmp_path, DAY, "r", tables)
    with pytest.raises(SnapshotNotFoundError):
        open_snapshot(tmp_path, name)
    with pytest.raises(SnapshotNotFoundError):
        open_snapshot(tmp_path, "2024-05-28")


def test_schema_validation_names_table_and_column(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    mention = as_dicts(tables["mentions"][:1])[0]
    cases = [
        ("mentions", [{**mention, "start": "seven"}], "start"),
        ("mentions", [{**mention, "sentence": None}], "sentence"),
        ("mentions", [{**mention, "surprise": 1}], "surprise"),
        ("mentions", [{k: v for k, v in mention.items() if k != "entity_key"}], "entity_key"),
        ("mentions", pa.table({**{k: [v] for k, v in mention.items()}, "end": ["x"]}), "end"),
        ("mentions", pa.table({k: [v] for k, v in mention.items() if k != "text"}), "text"),
        ("authors", [{"paper_id": "p", "position": 2**40, "name": "n"}], "position"),
    ]
    with SnapshotWriter(tmp_path, DAY, "r") as writer:
        for table, data, column in cases:
            with pytest.raises(SchemaValidationError) as error:
                writer.write(table, data)
            assert (error.value.table, error.value.column) == (table, column)
            assert f"{table}.{column}" in str(error.value)
        with pytest.raises(SnapshotNotFoundError, match="unknown table"):
            writer.write("nope", [])
    assert not (tmp_path / f"dt={DAY}").exists()  # never committed


def test_zip_holds_the_manifest_and_every_file(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    write_snapshot(tmp_path, DAY, "r", tables)
    snapshot = open_snapshot(tmp_path, DAY)
    chunks = list(snapshot.iter_zip(chunk_size=512))
    assert len(chunks) > len(snapshot.manifest.files())  # produced piece by piece
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        folder = tmp_path / f"dt={DAY}"
        expected = {f"dt={DAY}/{k}": v for k, v in files_of(folder).items()}
        assert {name: archive.read(name) for name in archive.namelist()} == expected


def test_empty_root_lists_nothing(tmp_path: Path) -> None:
    assert list_snapshots(tmp_path / "missing") == []
    os.makedirs(tmp_path / "dt=2024-01-01")  # a folder without a manifest is not a snapshot
    assert list_snapshots(tmp_path) == []
