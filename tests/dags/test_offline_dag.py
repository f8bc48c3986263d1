"""Offline, paper_ingest fails in one try per task: unreachable sources are not retried by Airflow either.

The real DAG (its real retries=2 default) runs with dag.test against a refused loopback port and an
unresolvable host; each fetch try and the parse fail once, as failed (not up_for_retry), with reasons.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

from tests.support.pipeline_config import write_pipeline_config

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
RUN_DATE = "2024-06-01"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_sources_fail_without_task_retries(airflow_home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from airflow.models.dagbag import BundleDagBag

    unreachable = [
        {"name": "local_down", "kind": "hf_daily", "base_url": f"http://127.0.0.1:{_closed_port()}"},
        {"name": "no_dns", "kind": "hf_search", "query": "x", "base_url": "http://nonexistent.invalid"},
    ]
    config = write_pipeline_config(tmp_path, unreachable)
    dag = BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS).dags["paper_ingest"]
    assert dag.get_task("fetch").retries == 2  # the shipped retry policy, not turned off for the test
    run = dag.test(
        logical_date=datetime.fromisoformat(RUN_DATE).replace(tzinfo=UTC), run_conf={"config": str(config)}
    )
    tries = {(ti.task_id, ti.map_index): (str(ti.state), ti.try_number) for ti in run.get_task_instances()}
    assert str(run.state) == "failed"
    assert tries[("fetch", 0)] == ("failed", 1) and tries[("fetch", 1)] == ("failed", 1)
    assert tries[("parse", -1)] == ("failed", 1)
