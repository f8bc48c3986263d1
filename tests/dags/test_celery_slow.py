"""The CeleryExecutor for real: a loopback Redis broker, the scheduler, DAG processor, API server and two
Celery workers (paper_graph.local.airflow --executor celery). The scheduler starts paper_ingest's
daily run of a date cut into 5 extract shards, its snapshot Asset starts paper_graph_load, and the
shards are spread over both workers: every task instance names the Celery worker that ran it (its
`hostname`), and Celery's result backend says the same."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.airflow_standalone import AirflowStandalone, neo4j_connection
from tests.support.pipeline_config import write_shards_config

SHARD_SIZE = 3  # 5 shards: 3, 3, 3, 3, 1 papers
SHARDS = 5
PAPERS = 13
WORKERS = 2


@pytest.mark.slow
def test_two_celery_workers_share_the_ingest_and_the_asset_starts_the_load(
    tmp_path: Path, neo4j_server, neo4j_clean
) -> None:
    config = write_shards_config(tmp_path, SHARD_SIZE)
    airflow = AirflowStandalone(
        tmp_path / "airflow",
        {
            "AIRFLOW_CONN_NEO4J_DEFAULT": neo4j_connection(neo4j_server),
            "PAPER_GRAPH_CONFIG": str(config),
            # Celery's own record of the worker that ran each task, beside Airflow's
            "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": json.dumps({"result_extended": True}),
        },
        executor="celery",
        celery_workers=WORKERS,
        worker_concurrency=1,  # one task at a time each: shards queued together go to both workers
    )
    try:
        airflow.start()
        nodes = airflow.wait_for_celery_workers(WORKERS)
        for dag_id in ("paper_graph_load", "paper_ingest"):
            airflow.wait_for_dag(dag_id)
        # the consumer first, so that the ingest's Asset event finds it unpaused; unpausing the
        # ingest makes the scheduler start its latest daily run (catchup is off)
        for dag_id in ("paper_graph_load", "paper_ingest"):
            airflow.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})
        ingests = airflow.wait_until_idle("paper_ingest", timeout=300)
        loads = airflow.wait_until_idle("paper_graph_load", timeout=300)
        ingest_tis = airflow.task_instances("paper_ingest", ingests[0]["dag_run_id"])
        load_tis = airflow.task_instances("paper_graph_load", loads[0]["dag_run_id"])
    finally:
        airflow.stop()
    assert airflow.proc is not None and airflow.proc.poll() is not None
    assert not airflow.leftovers, f"processes left running after Ctrl-C: {airflow.leftovers}"

    assert len(nodes) == WORKERS and all(n.startswith(("worker1@", "worker2@")) for n in nodes), nodes
    assert [(r["state"], r["run_type"]) for r in ingests] == [("success", "scheduled")]
    assert [(r["state"], r["run_type"]) for r in loads] == [("success", "asset_triggered")]

    ran_on: dict[str, set[str]] = defaultdict(set)
    for ti in ingest_tis + load_tis:
        assert ti["state"] == "success", ti
        assert ti["hostname"] in nodes, f"{ti['task_id']}[{ti['map_index']}] ran on {ti['hostname']!r}"
        ran_on[ti["hostname"]].add(f"{ti['task_id']}[{ti['map_index']}]")
    print("task instances by Celery worker:", json.dumps({k: sorted(v) for k, v in ran_on.items()}))
    celery_workers = _celery_record(airflow.home / "celery_results.db")
    for ti in ingest_tis + load_tis:
        assert celery_workers.get(ti["id"]) == ("SUCCESS", ti["hostname"]), ti
    shards = sorted(
        (ti["map_index"], ti["hostname"]) for ti in ingest_tis if ti["task_id"] == "extract_shard"
    )
    print("extract_shard by Celery worker:", shards)
    assert [index for index, _ in shards] == list(range(SHARDS))
    assert {host for _, host in shards} == set(nodes), f"the shards ran only on {set(dict(shards).values())}"

    records, _, _ = neo4j_clean.execute_query("MATCH (p:Paper) RETURN count(p) AS papers")
    assert records[0]["papers"] == PAPERS
    records, _, _ = neo4j_clean.execute_query("MATCH (s:Snapshot) RETURN s.snapshot_date AS date")
    assert [r["date"] for r in records] == [ingests[0]["logical_date"][:10]]


def _celery_record(results_db: Path) -> dict[str, tuple[str, str]]:
    """Task instance id -> (state, worker) as Celery's result backend recorded them."""
    with sqlite3.connect(results_db) as db:
        rows = db.execute("SELECT status, worker, args FROM celery_taskmeta").fetchall()
    record = {}
    for status, worker, args in rows:
        workload = json.loads(json.loads(args)[0])  # execute_workload(workload_json)
        record[workload["ti"]["id"]] = (status, worker)
    return record
