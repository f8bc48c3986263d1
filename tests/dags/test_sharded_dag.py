"""paper_ingest really run (dag.test) with its extract stage in shards: `extract_shard` is mapped once
per shard and the snapshot is byte-for-byte the one of a one-shard run."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.pipeline_config import write_shards_config

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
RUN_DATE = "2024-06-01"


@pytest.fixture(scope="module")
def ingest(airflow_home):  # type: ignore[no-untyped-def]
    from airflow.models.dagbag import BundleDagBag

    dag = BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS).dags["paper_ingest"]
    for task in dag.tasks:
        task.retries = 0
    return dag


def _config(folder: Path, shard_size: int | None = None) -> Path:
    return write_shards_config(folder, shard_size)


def _run(dag, conf: dict):  # type: ignore[no-untyped-def]
    return dag.test(logical_date=datetime.fromisoformat(RUN_DATE).replace(tzinfo=UTC), run_conf=conf)


def _shard_tis(dag_run) -> list:  # type: ignore[no-untyped-def]
    return sorted(
        (ti for ti in dag_run.get_task_instances() if ti.task_id == "extract_shard"),
        key=lambda t: t.map_index,
    )


def _hashes(config: Path) -> dict[str, str]:
    folder = config.parent / "data" / "snapshots" / f"dt={RUN_DATE}"
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.parquet"))
    }


def test_a_sharded_date_maps_extract_shard_and_snapshots_as_one_shard(ingest, tmp_path: Path) -> None:
    from graph.snapshot import open_snapshot

    sharded = _config(tmp_path / "sharded", shard_size=4)
    run = _run(ingest, {"config": str(sharded)})
    assert str(run.state) == "success"
    tis = _shard_tis(run)
    assert [(ti.map_index, str(ti.state)) for ti in tis] == [(i, "success") for i in range(4)]
    results = [ti.xcom_pull(task_ids="extract_shard", map_indexes=ti.map_index) for ti in tis]
    assert [(r["index"], r["count"], r["first"], r["papers"]) for r in results] == [
        (0, 4, 0, 4),
        (1, 4, 4, 4),
        (2, 4, 8, 4),
        (3, 4, 12, 1),
    ]
    assert all(Path(r["mentions_file"]).is_file() for r in results)
    written = run.get_task_instance("write_snapshot").xcom_pull(task_ids="write_snapshot")
    assert written["shards"] == 4

    whole = _config(tmp_path / "whole")  # the default shard size: 13 papers in one shard
    one = _run(ingest, {"config": str(whole)})
    assert str(one.state) == "success"
    assert [ti.map_index for ti in _shard_tis(one)] == [0]

    hashes = _hashes(sharded)
    assert hashes and hashes == _hashes(whole)
    first = open_snapshot(sharded.parent / "data" / "snapshots", RUN_DATE).manifest
    second = open_snapshot(whole.parent / "data" / "snapshots", RUN_DATE).manifest
    assert first.to_json() != "" and first.tables == second.tables
    assert first.tables["mentions"].rows == sum(r["mentions"] for r in results) > 0


def test_the_shard_size_param_overrides_the_config_and_a_rerun_keeps_the_bytes(
    ingest, tmp_path: Path
) -> None:
    config = _config(tmp_path / "param")
    run = _run(ingest, {"config": str(config), "shard_size": 5})
    assert str(run.state) == "success"
    assert [ti.map_index for ti in _shard_tis(run)] == [0, 1, 2]
    hashes = _hashes(config)
    rerun = _run(ingest, {"config": str(config), "shard_size": 2})  # the date again, in 7 shards
    assert str(rerun.state) == "success"
    assert len(_shard_tis(rerun)) == 7
    assert _hashes(config) == hashes
    shard_dirs = sorted(
        p.name for p in (config.parent / "data" / "work" / f"dt={RUN_DATE}" / "shards").iterdir()
    )
    assert shard_dirs == [f"{i:05d}" for i in range(7)]
